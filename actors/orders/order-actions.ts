// The organiser's reads of an event's orders (admin): its bookings a page at a time, and its sales.
import type { Context, ServiceSchema } from "moleculer";
import type { Database } from "../../platform/database.ts";
import { adminPageSchema, readAdminPage } from "../../domain/admin-page.ts";
import { notFound } from "../../domain/errors.ts";
import { seatMapCallTimeoutMs } from "../../domain/limits.ts";
import { eventIdSchema } from "../booking/action-schemas.ts";
import { listEventBookings } from "./event-bookings.ts";
import { countSeats, eventSalesRecord, type EventSales } from "./event-sales.ts";

async function eventExists(db: Database, eventId: string): Promise<void> {
  const { rows } = await db.query("SELECT 1 FROM events WHERE id = $1 AND status = 'active'", [eventId]);
  if (rows.length === 0) throw notFound("Event");
}

export function orderActions(db: Database): ServiceSchema["actions"] {
  return {
    eventBookings: {
      openapi: { summary: "An event's bookings in the order they were made, a page at a time" },
      params: { eventId: eventIdSchema, ...adminPageSchema, $$strict: true },
      async handler(ctx: Context<{ eventId: string; limit?: string; cursor?: string }>) {
        const page = readAdminPage(ctx.params);
        await eventExists(db, ctx.params.eventId);
        return listEventBookings(db, ctx.params.eventId, page);
      },
    },

    eventSales: {
      openapi: { summary: "An event's seats by status, bookings, revenue, refunds and check-ins" },
      params: { eventId: eventIdSchema, $$strict: true },
      async handler(ctx: Context<{ eventId: string }>): Promise<EventSales> {
        const { eventId } = ctx.params;
        const record = await eventSalesRecord(db, eventId);
        const map = (await ctx.call("booking.seatMap", { eventId }, { timeout: seatMapCallTimeoutMs })) as {
          statuses: string;
        };
        const seats = countSeats(new Uint8Array(Buffer.from(map.statuses, "base64")));
        return {
          eventId,
          capacity: record.capacity,
          ...seats,
          bookings: record.bookings,
          revenueCents: record.revenueCents,
          refundedCents: record.refundedCents,
          currency: record.currency,
          checkedIn: record.checkedIn,
        };
      },
    },
  };
}
