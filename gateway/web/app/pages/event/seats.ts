// The seats as the event page sees them: the board (replaced when the event's tickets change), the
// seats selected here and the seats this user holds or has booked, and how each one is shown.
import { formatMoney, seatLabel } from "../../format.ts";
import { SeatBoard, type SeatSnapshot } from "../../seatmap/board.ts";
import type { CellKind } from "../../seatmap/palette.ts";
import { getHold, type HeldSeat } from "../../store.ts";

export class EventSeats {
  board: SeatBoard;
  /** Seats selected here (by ticket index). */
  readonly selected = new Set<number>();
  /** Seats this user holds or has booked (by ticket index). */
  readonly mine = new Set<number>();
  private readonly eventId: string;

  /** `currency`: ISO 4217, what every price of the event is in (its minor unit). */
  constructor(
    eventId: string,
    snapshot: SeatSnapshot,
    readonly currency?: string,
  ) {
    this.eventId = eventId;
    this.board = new SeatBoard(snapshot);
    this.markHeld();
  }

  /** The event's tickets changed: start over with a new board. */
  rebuild(snapshot: SeatSnapshot): void {
    this.board = new SeatBoard(snapshot);
    this.selected.clear();
    this.mine.clear();
    this.markHeld();
  }

  /** Marks these tickets as this user's; returns the indices newly marked. */
  markMine(ticketIds: Iterable<string>): number[] {
    const changed: number[] = [];
    for (const id of ticketIds) {
      const index = this.board.indexById.get(id);
      if (index !== undefined && !this.mine.has(index)) {
        this.mine.add(index);
        changed.push(index);
      }
    }
    return changed;
  }

  label(index: number): string {
    return seatLabel(this.board.tickets[index]);
  }

  labelOfId(id: string): string | undefined {
    const index = this.board.indexById.get(id);
    return index === undefined ? undefined : this.label(index);
  }

  kindOf(index: number): CellKind {
    if (this.selected.has(index)) return "selected";
    const status = this.board.status[index];
    if (status !== 0 && this.mine.has(index)) return "mine";
    return this.board.statusOf(index);
  }

  describe(index: number): string {
    const ticket = this.board.tickets[index];
    const kind = this.kindOf(index);
    const state = kind === "mine" ? "yours" : kind;
    return `${seatLabel(ticket)}, ${formatMoney(ticket.priceCents, this.currency)}, ${state}`;
  }

  /** What the legend counts: seats selected here are no longer counted as available. */
  counts(): Record<CellKind, number> {
    let mineCount = 0;
    for (const index of this.mine) if (this.board.status[index] !== 0) mineCount += 1;
    return {
      available: this.board.count("available") - this.selected.size,
      reserved: this.board.count("reserved"),
      booked: this.board.count("booked"),
      mine: mineCount,
      selected: this.selected.size,
    };
  }

  selectedTicketIds(): string[] {
    return [...this.selected].map((index) => this.board.tickets[index].id);
  }

  /**
   * After these seats changed status: seats others took while selected here leave the selection and
   * seats released are no longer mine. Returns the labels of the selected seats that were lost.
   */
  settle(changed: number[]): string[] {
    const lost: string[] = [];
    for (const index of changed) {
      if (this.selected.has(index) && this.board.status[index] !== 0) {
        this.selected.delete(index);
        lost.push(this.label(index));
      }
      if (this.mine.has(index) && this.board.status[index] === 0) this.mine.delete(index);
    }
    return lost;
  }

  /** Unselects these tickets (the server said they are taken); returns the indices unselected. */
  unselect(ticketIds: string[]): number[] {
    const changed: number[] = [];
    for (const id of ticketIds) {
      const index = this.board.indexById.get(id);
      if (index !== undefined && this.selected.delete(index)) changed.push(index);
    }
    return changed;
  }

  /** The seats the server reserved for this user leave the selection as reserved; returns them for the hold. */
  takeReserved(ticketIds: string[], expiresAt: string): HeldSeat[] {
    return ticketIds.flatMap((id) => {
      const index = this.board.indexById.get(id);
      if (index === undefined) return [];
      this.board.setStatus(index, "reserved");
      this.selected.delete(index);
      const ticket = this.board.tickets[index];
      return [{ id, label: seatLabel(ticket), priceCents: ticket.priceCents, expiresAt }];
    });
  }

  private markHeld(): void {
    this.markMine(getHold(this.eventId)?.seats.map((seat) => seat.id) ?? []);
  }
}
