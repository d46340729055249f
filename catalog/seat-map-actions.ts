// Reads of an event's seats: the live seat map, and only its committed version.
import type { Context, ServiceSchema } from "moleculer";
import type { Database } from "../platform/database.ts";
import { notFound } from "../domain/errors.ts";
import { requireEvent } from "./event-details.ts";
import type { LiveSeatReader } from "./live-seats.ts";
import { sendJsonText } from "./reply-meta.ts";
import { eventIdSchema } from "./schemas.ts";

export function seatMapActions(db: Database, liveSeats: LiveSeatReader): ServiceSchema["actions"] {
  return {
    getTickets: {
      openapi: { summary: "The live seat map of an event and its version" },
      params: eventIdSchema,
      async handler(ctx: Context<{ eventId: string }, any>) {
        await requireEvent(db, ctx.params.eventId);
        const seats = await liveSeats.read(ctx, ctx.params.eventId);
        sendJsonText(ctx, `${seats.version}.${seats.statusHash}`);
        return `{"eventId":${JSON.stringify(ctx.params.eventId)},"version":${seats.version},"tickets":${seats.ticketsJson}}`;
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
