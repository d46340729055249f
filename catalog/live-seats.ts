// The live seat map for public reads: statuses from the owning actor (compact, one byte a seat, so
// every read sees the actor's current state) rendered as the contract's Ticket list in JSON text by
// the event's `SeatMapJson`, which re-renders only what changed since the last read. Layouts never
// change after an event is created (PATCH cannot touch sections), so renderers are kept, bounded by
// their total seats (a 100,000-seat renderer holds ~20 MB of text).
import { createHash } from "node:crypto";
import type { Context } from "moleculer";
import type { Database } from "../platform/database.ts";
import { buildSeatLayout } from "../domain/seat-layout.ts";
import { SeatMapJson } from "../domain/seat-map-json.ts";
import { seatMapsCachedMax, seatMapsCachedSeatsMax } from "../domain/limits.ts";
import { notFound } from "../domain/errors.ts";

export interface LiveSeatsJson {
  version: number;
  /** The JSON array of Tickets. */
  ticketsJson: string;
  /** A short hash of the statuses: with the version, it names this map's content (ETags). */
  statusHash: string;
}

/** 72 bits of SHA-1, enough to tell apart the versions of one resource in an ETag. */
export const shortHash = (data: string | Uint8Array): string =>
  createHash("sha1").update(data).digest("base64url").slice(0, 12);

export class LiveSeatReader {
  /** Least recently used first. */
  private readonly renderers = new Map<string, SeatMapJson>();
  private cachedSeats = 0;

  constructor(private readonly db: Database) {}

  async read(ctx: Context, eventId: string): Promise<LiveSeatsJson> {
    const [renderer, snapshot] = await Promise.all([
      this.renderer(eventId),
      ctx.call("booking.seatMap", { eventId }) as Promise<{ version: number; statuses: string }>,
    ]);
    const statuses = Buffer.from(snapshot.statuses, "base64");
    return {
      version: snapshot.version,
      ticketsJson: renderer.render(statuses),
      statusHash: shortHash(statuses),
    };
  }

  private async renderer(eventId: string): Promise<SeatMapJson> {
    const cached = this.renderers.get(eventId);
    if (cached) {
      this.renderers.delete(eventId);
      this.renderers.set(eventId, cached);
      return cached;
    }
    const { rows } = await this.db.query("SELECT sections FROM events WHERE id = $1", [eventId]);
    // Deleted between the actor's answer and this read.
    if (!rows[0]) throw notFound("Event");
    // Two first reads may both build one; the second replaces the first, which is harmless.
    const renderer = new SeatMapJson(eventId, buildSeatLayout(rows[0].sections));
    this.forget(eventId);
    for (const [oldest, old] of this.renderers) {
      if (
        this.renderers.size < seatMapsCachedMax &&
        this.cachedSeats + renderer.seatCount <= seatMapsCachedSeatsMax
      )
        break;
      this.renderers.delete(oldest);
      this.cachedSeats -= old.seatCount;
    }
    this.renderers.set(eventId, renderer);
    this.cachedSeats += renderer.seatCount;
    return renderer;
  }

  private forget(eventId: string): void {
    const old = this.renderers.get(eventId);
    if (!old) return;
    this.renderers.delete(eventId);
    this.cachedSeats -= old.seatCount;
  }
}
