// `booking.waitlistJoin`, `booking.waitlistStatus`, `booking.waitlistLeave`: the waiting list of a
// sold-out event (POST/GET/DELETE /events/:eventId/waitlist). Joining and leaving are decided by the
// event's actor (domain/seat-state/waitlist.ts); the entry is read from Postgres, where the actor's
// commits keep it.
import type { Context, ServiceSchema } from "moleculer";
import type { Database } from "../../platform/database.ts";
import { notFound } from "../../domain/errors.ts";
import { ticketId } from "../../domain/ids.ts";
import { ticketsPerRequestMax } from "../../domain/limits.ts";
import { requireUser, type GatewayMeta } from "../../domain/request.ts";
import type { WaitlistView } from "../../domain/seat-state/waitlist.ts";
import { eventIdSchema, internalBulkhead } from "./action-schemas.ts";
import type { BookingContext } from "./booking-context.ts";

const quantitySchema = { type: "number", integer: true, min: 1, max: ticketsPerRequestMax };

export function waitlistActions(booking: BookingContext): ServiceSchema["actions"] {
  const db = booking.runtime.db;
  return {
    waitlistJoin: {
      params: { eventId: eventIdSchema, quantity: quantitySchema, $$strict: true },
      bulkhead: internalBulkhead,
      openapi: { summary: "Join the waiting list of a sold-out event (joining twice keeps the first place)" },
      async handler(ctx: Context<{ eventId: string; quantity: number }, GatewayMeta>) {
        const user = requireUser(ctx.meta);
        const { eventId, quantity } = ctx.params;
        const view = (await booking.run(ctx, eventId, {
          type: "waitlistJoin",
          userId: user.id,
          quantity,
        })) as WaitlistView;
        ctx.meta.$statusCode = 201;
        (ctx.meta as any).$location = `/events/${eventId}/waitlist`;
        return view;
      },
    },

    waitlistStatus: {
      params: { eventId: eventIdSchema, $$strict: true },
      openapi: {
        summary: "The caller's entry on the event's waiting list (waiting, offered, expired or booked)",
      },
      async handler(ctx: Context<{ eventId: string }, GatewayMeta>) {
        const user = requireUser(ctx.meta);
        const entry = await readEntry(db, ctx.params.eventId, user.id);
        if (!entry) throw notFound("Waiting list entry");
        return entry;
      },
    },

    waitlistLeave: {
      params: { eventId: eventIdSchema, $$strict: true },
      bulkhead: internalBulkhead,
      openapi: {
        summary: "Leave the event's waiting list (an offer still held is given to the next in line)",
      },
      async handler(ctx: Context<{ eventId: string }, GatewayMeta>) {
        const user = requireUser(ctx.meta);
        const { eventId } = ctx.params;
        return booking.run(ctx, eventId, { type: "waitlistLeave", userId: user.id }) as Promise<{
          left: boolean;
        }>;
      },
    },
  };
}

/** The user's entry as committed (null when none; 404 NOT_FOUND for an unknown event). */
export async function readEntry(db: Database, eventId: string, userId: string): Promise<WaitlistView | null> {
  const { rows } = await db.query(
    `SELECT e.id, w.status, w.offer_ordinals, w.offer_expires_at,
       (SELECT count(*) FROM waitlist_entries o
        WHERE o.event_id = w.event_id AND o.status = 'waiting' AND o.seq <= w.seq)::int AS position
     FROM events e LEFT JOIN waitlist_entries w ON w.event_id = e.id AND w.user_id = $2
     WHERE e.id = $1 AND e.status = 'active'`,
    [eventId, userId],
  );
  if (rows.length === 0) throw notFound("Event");
  const row = rows[0];
  if (row.status === null) return null;
  if (row.status === "waiting") return { status: "waiting", position: row.position };
  const view: WaitlistView = { status: row.status };
  if (row.status === "offered")
    view.offer = {
      ticketIds: (row.offer_ordinals as number[]).map((ordinal) => ticketId(eventId, ordinal)),
      expiresAt: new Date(row.offer_expires_at).toISOString(),
    };
  return view;
}
