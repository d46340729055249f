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
import { compactSeatMapJson } from "../domain/seat-map-compact.ts";
import { seatMapsCachedMax, seatMapsCachedSeatsMax } from "../domain/limits.ts";
import { notFound } from "../domain/errors.ts";
import { findEventSections } from "./catalog.repository.ts";

export interface LiveSeatsJson {
  version: number;
  /** The JSON array of Tickets. */
  ticketsJson: string;
  /** A short hash of the statuses: with the version, it names this map's content (ETags). */
  statusHash: string;
}

export interface CompactSeatsJson {
  version: number;
  /** `{"eventId","version","statuses"}`. */
  json: string;
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
    const [renderer, snapshot] = await Promise.all([this.renderer(eventId), this.statuses(ctx, eventId)]);
    const { statuses } = snapshot;
    return {
      version: snapshot.version,
      ticketsJson: renderer.render(statuses),
      statusHash: shortHash(statuses),
    };
  }

  /** The compact form (one character a ticket) of the live map. */
  async readCompact(ctx: Context, eventId: string): Promise<CompactSeatsJson> {
    const { version, statuses } = await this.statuses(ctx, eventId);
    return { version, json: compactSeatMapJson(eventId, version, statuses), statusHash: shortHash(statuses) };
  }

  private async statuses(ctx: Context, eventId: string): Promise<{ version: number; statuses: Uint8Array }> {
    const snapshot = (await ctx.call("booking.seatMap", { eventId })) as {
      version: number;
      statuses: string;
    };
    return { version: snapshot.version, statuses: Buffer.from(snapshot.statuses, "base64") };
  }

  private async renderer(eventId: string): Promise<SeatMapJson> {
    const cached = this.renderers.get(eventId);
    if (cached) {
      this.renderers.delete(eventId);
      this.renderers.set(eventId, cached);
      return cached;
    }
    const sections = await findEventSections(this.db, eventId);
    // Deleted between the actor's answer and this read.
    if (!sections) throw notFound("Event");
    // Two first reads may both build one; the second replaces the first, which is harmless.
    const renderer = new SeatMapJson(eventId, buildSeatLayout(sections));
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
