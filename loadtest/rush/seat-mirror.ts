// A shopper's copy of the live seat map: the typed client's SeatMap (GET /events/:id/layout and the
// compact map, kept current by the Socket.IO `seats` frames through a SeatSync: a gap refetches the
// compact map), plus what the simulator needs to pick seats that look free.
import { SeatMap, type CompactSnapshot, type Layout, type SeatStatus } from "../../client/src/index.ts";

export class SeatMirror extends SeatMap {
  /** Ordinal ranges of each row, for picking adjacent seats. */
  readonly rows: { first: number; count: number }[];

  constructor(layout: Layout, compact: CompactSnapshot) {
    super(layout, compact);
    this.rows = layout.sections
      .flatMap((section) => section.rows.map((row) => ({ first: row.firstOrdinal, count: row.seats })))
      .sort((a, b) => a.first - b.first);
  }

  /** Every seat of the layout in ordinal order, with the compact map's statuses. */
  static fromCompact(layout: Layout, compact: CompactSnapshot): SeatMirror {
    return new SeatMirror(layout, compact);
  }

  mark(ticketId: string, status: SeatStatus): void {
    const ordinal = this.ordinalOf(ticketId);
    if (ordinal !== undefined) this.setStatus(ordinal, status);
  }

  availableCount(): number {
    return this.count("available");
  }

  reservedCount(): number {
    return this.count("reserved");
  }

  /** Every seat booked: nothing can come back. */
  soldOut(): boolean {
    return this.count("booked") === this.status.length;
  }

  /** `quantity` seats that look free: adjacent in one row when asked, else random singles. */
  pick(quantity: number, adjacent: boolean, random: () => number): string[] | null {
    if (!adjacent) {
      const chosen: string[] = [];
      for (let attempt = 0; attempt < 64 && chosen.length < quantity; attempt++) {
        const found = this.nextFree(Math.floor(random() * this.status.length));
        if (found >= 0 && !chosen.includes(this.ticketId(found))) chosen.push(this.ticketId(found));
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
          return Array.from({ length: quantity }, (_, index) => this.ticketId(first + index));
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
