// Reads of an event's seats: the live seat map (full or compact), its static layout, and only its
// committed version. The maps come from this node's seat-map reader, never from the actor's mailbox.
import type { Context, ServiceSchema } from "moleculer";
import type { Database } from "../platform/database.ts";
import type { Clock } from "../domain/clock.ts";
import type { SeatMapReader } from "./seat-map-reader.ts";
import { committedSeatVersion } from "./seat-map-sources.ts";
import { layoutCacheControl, seatMapCacheControl, sendRendered } from "./reply-meta.ts";
import { eventIdSchema, seatMapQuerySchema, type SeatMapFormat } from "./schemas.ts";

export function seatMapActions(
  db: Database,
  seatMaps: SeatMapReader,
  clock: Clock,
): ServiceSchema["actions"] {
  return {
    getTickets: {
      openapi: {
        summary: "The live seat map of an event and its version",
        description:
          "`format=full` (the default): `{eventId, version, tickets: [Ticket]}`. `format=compact`: " +
          "`{eventId, version, statuses}`, one character per ticket in ordinal order (ticket id " +
          "`<eventId>.<ordinal>`): A available, R reserved, B booked, X not for sale. The map may lag " +
          "the actor by the coalescing window; `version` says which state it is (follow the deltas " +
          "from it). ETag and If-None-Match (304); br or gzip when Accept-Encoding allows.",
      },
      params: seatMapQuerySchema,
      async handler(ctx: Context<{ eventId: string; format?: SeatMapFormat }, any>) {
        const { eventId, format = "full" } = ctx.params;
        const answer =
          format === "compact" ? await seatMaps.compact(eventId) : await seatMaps.tickets(eventId);
        return sendRendered(ctx, answer, seatMapCacheControl);
      },
    },

    getLayout: {
      openapi: {
        summary: "The static part of an event's seat map: sections, rows, first ordinals, prices",
        description:
          "`{eventId, currency, ticketCount, sections: [{name, priceCents, rows: [{label, seats, " +
          "firstOrdinal}]}], stage?: {label, position}}`; the tickets of a row are " +
          "`<eventId>.<firstOrdinal + seat - 1>`. Never changes once the event is on sale: from its " +
          "`onSaleAt` sent with a long-lived, immutable Cache-Control (before it, the currency may " +
          "still change, and the layout is cached like the seat maps).",
      },
      params: eventIdSchema,
      async handler(ctx: Context<{ eventId: string }, any>) {
        const { answer, onSaleAtMs } = await seatMaps.layoutWithOnSale(ctx.params.eventId);
        const final = clock.now() >= onSaleAtMs;
        return sendRendered(ctx, answer, final ? layoutCacheControl : seatMapCacheControl);
      },
    },

    /** Only the committed seat version (what the real-time gateways continue deltas from). */
    seatVersion: {
      params: eventIdSchema,
      visibility: "public",
      async handler(ctx: Context<{ eventId: string }>) {
        return { eventId: ctx.params.eventId, version: await committedSeatVersion(db, ctx.params.eventId) };
      },
    },
  };
}
