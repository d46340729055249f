// A shopper's copy of the live seat map: built from GET /events/:id/layout and the compact map
// (GET /events/:id/tickets?format=compact, one character a seat), kept current by the Socket.IO
// `seats` deltas (by version; a gap means refetching the compact map), used to pick seats that look free.
import type { PublicLayout } from "../../domain/public-layout.ts";
import { statusCodesOfCompact } from "../../domain/compact-statuses.ts";

export interface MirrorTicket {
  id: string;
  section: string;
  row: string;
  seat: number;
  status: "available" | "reserved" | "booked";
}

const statusCode = { available: 0, reserved: 1, booked: 2 } as const;

/** `GET /events/:id/tickets?format=compact`. */
export interface CompactMap {
  version: number;
  statuses: string;
}

export class SeatMirror {
  readonly ids: string[];
  readonly status: Uint8Array;
  /** Ordinal ranges of each row, for picking adjacent seats. */
  readonly rows: { first: number; count: number }[] = [];
  private readonly ordinalById = new Map<string, number>();
  version: number;
  needsRefetch = false;
  /** Seats by status code (available, reserved, booked), kept as statuses change. */
  private readonly counts = [0, 0, 0];

  constructor(tickets: MirrorTicket[], version: number) {
    this.version = version;
    this.ids = tickets.map((ticket) => ticket.id);
    this.status = new Uint8Array(tickets.length);
    tickets.forEach((ticket, index) => {
      this.ordinalById.set(ticket.id, index);
      this.status[index] = statusCode[ticket.status];
      const last = this.rows[this.rows.length - 1];
      const previous = tickets[index - 1];
      if (last && previous && previous.section === ticket.section && previous.row === ticket.row)
        last.count += 1;
      else this.rows.push({ first: index, count: 1 });
    });
    this.recount();
  }

  /** Every seat of the layout in ordinal order, with the compact map's statuses. */
  static fromCompact(layout: PublicLayout, compact: CompactMap): SeatMirror {
    const tickets: MirrorTicket[] = new Array(layout.ticketCount);
    for (const section of layout.sections)
      for (const row of section.rows)
        for (let seat = 1; seat <= row.seats; seat++) {
          const ordinal = row.firstOrdinal + seat - 1;
          tickets[ordinal] = {
            id: `${layout.eventId}.${ordinal}`,
            section: section.name,
            row: row.label,
            seat,
            status: "available",
          };
        }
    const mirror = new SeatMirror(tickets, compact.version);
    mirror.replaceWith(compact);
    return mirror;
  }

  /** Takes over a freshly fetched compact map (after a gap). */
  replaceWith(fresh: CompactMap): void {
    const codes = statusCodesOfCompact(fresh.statuses);
    if (codes.length !== this.status.length) throw new Error("the compact map does not fit the layout");
    this.status.set(codes);
    this.version = fresh.version;
    this.needsRefetch = false;
    this.recount();
  }

  private recount(): void {
    this.counts.fill(0);
    for (const value of this.status) this.counts[value]++;
  }

  /** Applies a delta; returns false (and flags a refetch) when versions do not continue. */
  apply(delta: {
    fromVersion: number;
    toVersion: number;
    changes: { ticketId: string; status: keyof typeof statusCode }[];
  }): boolean {
    if (delta.toVersion <= this.version) return true; // already seen
    if (delta.fromVersion !== this.version) {
      this.needsRefetch = true;
      return false;
    }
    for (const change of delta.changes) this.mark(change.ticketId, change.status);
    this.version = delta.toVersion;
    return true;
  }

  mark(ticketId: string, status: keyof typeof statusCode): void {
    const index = this.ordinalById.get(ticketId);
    if (index === undefined) return;
    this.counts[this.status[index]]--;
    this.status[index] = statusCode[status];
    this.counts[this.status[index]]++;
  }

  availableCount(): number {
    return this.counts[statusCode.available];
  }

  reservedCount(): number {
    return this.counts[statusCode.reserved];
  }

  /** Every seat booked: nothing can come back. */
  soldOut(): boolean {
    return this.counts[statusCode.booked] === this.status.length;
  }

  /** `quantity` seats that look free: adjacent in one row when asked, else random singles. */
  pick(quantity: number, adjacent: boolean, random: () => number): string[] | null {
    if (!adjacent) {
      const chosen: string[] = [];
      for (let attempt = 0; attempt < 64 && chosen.length < quantity; attempt++) {
        const index = Math.floor(random() * this.status.length);
        const found = this.nextFree(index);
        if (found >= 0 && !chosen.includes(this.ids[found])) chosen.push(this.ids[found]);
      }
      return chosen.length === quantity ? chosen : null;
    }
    const start = Math.floor(random() * this.rows.length);
    for (let step = 0; step < this.rows.length; step++) {
      const row = this.rows[(start + step) % this.rows.length];
      let run = 0;
      for (let offset = 0; offset < row.count; offset++) {
        run = this.status[row.first + offset] === 0 ? run + 1 : 0;
        if (run === quantity) {
          const first = row.first + offset - quantity + 1;
          return this.ids.slice(first, first + quantity);
        }
      }
    }
    return null;
  }

  private nextFree(from: number): number {
    for (let step = 0; step < this.status.length; step++) {
      const index = (from + step) % this.status.length;
      if (this.status[index] === 0) return index;
    }
    return -1;
  }
}
