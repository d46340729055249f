// An event's bookings for its organiser, in creation order, a page at a time (keyset on created_at
// and id: no duplicate and no gap across pages while bookings are added).
import type { Database } from "../../platform/database.ts";
import { pageOf, type AdminPage } from "../../domain/admin-page.ts";
import { ticketId } from "../../domain/ids.ts";

export interface OrganiserBooking {
  id: string;
  eventId: string;
  userId: string;
  ticketIds: string[];
  amountCents: number;
  status: "confirmed" | "cancelled";
  paymentId: string;
  createdAt: string;
}

export async function listEventBookings(db: Database, eventId: string, page: AdminPage) {
  const { rows } = await db.query(
    `SELECT b.id, b.event_id, b.user_id, b.amount_cents, b.status, b.payment_id, b.created_at,
       (extract(epoch FROM b.created_at) * 1000000)::bigint::text AS created_micros,
       array(SELECT bt.ordinal FROM booking_seats bt
             WHERE bt.event_id = b.event_id AND bt.booking_id = b.id ORDER BY bt.ordinal) AS ordinals
     FROM bookings b
     WHERE b.event_id = $1
       AND ($5::boolean OR (b.created_at, b.id) > ('epoch'::timestamptz + $3::bigint * interval '1 microsecond', $4))
     ORDER BY b.created_at, b.id LIMIT $2`,
    [eventId, page.limit + 1, page.after?.createdAtMicros ?? "0", page.after?.id ?? "", page.after === null],
  );
  const { items, nextCursor } = pageOf(rows, page.limit, (row: any) => ({
    createdAtMicros: row.created_micros,
    id: row.id,
  }));
  const bookings: OrganiserBooking[] = items.map((row: any) => ({
    id: row.id,
    eventId: row.event_id,
    userId: row.user_id,
    ticketIds: (row.ordinals as number[]).map((ordinal) => ticketId(row.event_id, ordinal)),
    amountCents: Number(row.amount_cents),
    status: row.status,
    paymentId: row.payment_id,
    createdAt: new Date(row.created_at).toISOString(),
  }));
  return { bookings, nextCursor };
}
