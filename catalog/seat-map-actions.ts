// Reads of an event's seats: the live seat map (full or compact), its static layout, and only its
// committed version.
import type { Context, ServiceSchema } from "moleculer";
import type { Database } from "../platform/database.ts";
import { notFound } from "../domain/errors.ts";
import { requireEvent } from "./event-details.ts";
import { buildSeatLayout, publicLayout } from "../domain/seat-layout.ts";
import { findEventSections } from "./catalog.repository.ts";
import { shortHash, type LiveSeatReader } from "./live-seats.ts";
import { layoutCacheControl, sendJsonText } from "./reply-meta.ts";
import { eventIdSchema, seatMapQuerySchema, type SeatMapFormat } from "./schemas.ts";

export function seatMapActions(db: Database, liveSeats: LiveSeatReader): ServiceSchema["actions"] {
  return {
    getTickets: {
      openapi: {
        summary: "The live seat map of an event and its version",
        description:
          "`format=full` (the default): `{eventId, version, tickets: [Ticket]}`. `format=compact`: " +
          "`{eventId, version, statuses}`, one character per ticket in ordinal order (ticket id " +
          "`<eventId>.<ordinal>`): A available, R reserved, B booked, X not for sale. ETag and " +
          "If-None-Match (304); gzip or br when Accept-Encoding allows.",
      },
      params: seatMapQuerySchema,
      async handler(ctx: Context<{ eventId: string; format?: SeatMapFormat }, any>) {
        const { eventId, format = "full" } = ctx.params;
        await requireEvent(db, eventId);
        if (format === "compact") {
          const compact = await liveSeats.readCompact(ctx, eventId);
          sendJsonText(ctx, `c.${compact.version}.${compact.statusHash}`);
          return compact.json;
        }
        const seats = await liveSeats.read(ctx, eventId);
        sendJsonText(ctx, `${seats.version}.${seats.statusHash}`);
        return `{"eventId":${JSON.stringify(eventId)},"version":${seats.version},"tickets":${seats.ticketsJson}}`;
      },
    },

    getLayout: {
      openapi: {
        summary: "The static part of an event's seat map: sections, rows, first ordinals, prices",
        description:
          "`{eventId, currency, ticketCount, sections: [{name, priceCents, rows: [{label, seats, " +
          "firstOrdinal}]}]}`; the tickets of a row are `<eventId>.<firstOrdinal + seat - 1>`. Never " +
          "changes while the event exists: sent with a long-lived, immutable Cache-Control.",
      },
      params: eventIdSchema,
      async handler(ctx: Context<{ eventId: string }, any>) {
        const sections = await findEventSections(db, ctx.params.eventId);
        if (!sections) throw notFound("Event");
        const json = JSON.stringify(publicLayout(ctx.params.eventId, buildSeatLayout(sections)));
        sendJsonText(ctx, `l.${shortHash(json)}`, layoutCacheControl);
        return json;
      },
    },

    /** Only the committed seat version (what the real-time gateways continue deltas from). */
    seatVersion: {
      params: eventIdSchema,
      visibility: "public",
      async handler(ctx: Context<{ eventId: string }>) {
        const { rows } = await db.query(
          `SELECT a.seat_version FROM events e LEFT JOIN event_actors a ON a.event_id = e.id
           WHERE e.id = $1 AND e.status = 'active'`,
          [ctx.params.eventId],
        );
        if (rows.length === 0) throw notFound("Event");
        return { eventId: ctx.params.eventId, version: rows[0].seat_version ?? 0 };
      },
    },
  };
}
