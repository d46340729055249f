// The live seat map for public reads: statuses from the owning actor (compact, one byte a seat)
// expanded into the contract's Ticket list with the event's seat layout. Layouts never change after
// an event is created (PATCH cannot touch sections), so they are cached, within a bound.
import type { Context } from "moleculer";
import type { Database } from "../platform/database.ts";
import { buildSeatLayout, ticketsFromStatuses, type SeatLayout } from "../domain/seat-layout.ts";
import type { Ticket } from "../domain/event.ts";
import { seatLayoutsCachedMax } from "../domain/limits.ts";

export interface LiveSeats {
  version: number;
  tickets: Ticket[];
}

export class LiveSeatReader {
  private readonly layouts = new Map<string, SeatLayout>();

  constructor(private readonly db: Database) {}

  async read(ctx: Context, eventId: string): Promise<LiveSeats> {
    const [layout, snapshot] = await Promise.all([
      this.layout(eventId),
      ctx.call("booking.seatMap", { eventId }) as Promise<{ version: number; statuses: string }>,
    ]);
    const statuses = new Uint8Array(Buffer.from(snapshot.statuses, "base64"));
    return { version: snapshot.version, tickets: ticketsFromStatuses(eventId, layout, statuses) };
  }

  private async layout(eventId: string): Promise<SeatLayout> {
    const cached = this.layouts.get(eventId);
    if (cached) return cached;
    const { rows } = await this.db.query("SELECT sections FROM events WHERE id = $1", [eventId]);
    if (!rows[0]) throw new Error(`no sections for event ${eventId}`);
    const layout = buildSeatLayout(rows[0].sections);
    if (this.layouts.size >= seatLayoutsCachedMax) this.layouts.delete(this.layouts.keys().next().value!);
    this.layouts.set(eventId, layout);
    return layout;
  }
}
