// An event's sales for its organiser: its seats as the seat map shows them (the owning actor's
// statuses, the same source as GET /events/:eventId/tickets) and its money as Postgres records it.
// Two reads, so a sale landing between them can show in one and not yet in the other; at rest the
// seat counts and the bookings agree (booked seats = the seats of the bookings that stand).
import type { Database } from "../../platform/database.ts";
import { notFound } from "../../domain/errors.ts";

export interface EventSales {
  eventId: string;
  capacity: number;
  available: number;
  reserved: number;
  booked: number;
  bookings: number;
  revenueCents: number;
  refundedCents: number;
  currency: string;
  checkedIn: number;
}

/** Status codes of the actor's seat map (domain/compact-statuses.ts): available, reserved, booked. */
export function countSeats(statuses: Uint8Array): { available: number; reserved: number; booked: number } {
  const counts = [0, 0, 0];
  for (const code of statuses) counts[Math.min(code, 2)]++;
  return { available: counts[0], reserved: counts[1], booked: counts[2] };
}

/** The money and door figures of an active event from Postgres; NOT_FOUND for any other. */
export async function eventSalesRecord(db: Database, eventId: string) {
  const { rows } = await db.query(
    `SELECT e.ticket_count, e.currency,
       (SELECT count(*) FROM bookings b WHERE b.event_id = e.id AND b.status = 'confirmed') AS bookings,
       (SELECT coalesce(sum(b.amount_cents), 0) FROM bookings b
        WHERE b.event_id = e.id AND b.status = 'confirmed') AS revenue,
       (SELECT coalesce(sum(p.amount_cents), 0) FROM payments p
        WHERE p.event_id = e.id AND p.status = 'refunded') AS refunded,
       (SELECT count(*) FROM checkins c JOIN bookings b ON b.event_id = c.event_id AND b.id = c.booking_id
        WHERE c.event_id = e.id AND b.status = 'confirmed') AS checked_in
     FROM events e WHERE e.id = $1 AND e.status = 'active'`,
    [eventId],
  );
  const row = rows[0];
  if (!row) throw notFound("Event");
  return {
    capacity: Number(row.ticket_count),
    currency: row.currency as string,
    bookings: Number(row.bookings),
    revenueCents: Number(row.revenue),
    refundedCents: Number(row.refunded),
    checkedIn: Number(row.checked_in),
  };
}
