// Reads of an event: the record for other services, and the public event with its live seats.
import type { Context, ServiceSchema } from "moleculer";
import type { Database } from "../platform/database.ts";
import type { JsonCache } from "../platform/cache.ts";
import { readEventDetails, requireEvent } from "./event-details.ts";
import { admitsFrom } from "./presales.ts";
import type { SeatMapReader } from "./seat-map-reader.ts";
import { seatMapCacheControl, sendRendered } from "./reply-meta.ts";
import { eventIdSchema, seatMapQuerySchema, type SeatMapFormat } from "./schemas.ts";

export function eventReadActions(
  db: Database,
  cache: JsonCache,
  seatMaps: SeatMapReader,
): ServiceSchema["actions"] {
  return {
    /** The event record for other services (booking, waiting room): settings, sections, ticket count. */
    event: {
      params: eventIdSchema,
      visibility: "public",
      async handler(ctx: Context<{ eventId: string }>) {
        const event = await requireEvent(db, ctx.params.eventId);
        // The waiting room's line opens at the first presale, if before the sale (catalog/presales.ts).
        return { ...event, admitsFrom: await admitsFrom(db, event) };
      },
    },

    getEvent: {
      openapi: {
        summary: "An event with venue, performers, live tickets and seat version",
        description:
          "`format=compact`: `statuses` (one character per ticket, as in `GET /events/{eventId}/tickets" +
          "?format=compact`) instead of `tickets`; with `GET /events/{eventId}/layout` a page has " +
          "everything it draws.",
      },
      params: seatMapQuerySchema,
      async handler(ctx: Context<{ eventId: string; format?: SeatMapFormat }, any>) {
        // Details first (cached): the live seats are asked for known events only.
        const details = await readEventDetails(db, cache, ctx.params.eventId);
        const answer = await seatMaps.eventPage(details.event.id, JSON.stringify(details), ctx.params.format);
        return sendRendered(ctx, answer, seatMapCacheControl);
      },
    },
  };
}
