// Writer of the waiting list (waitlist_entries) and of cancellations (bookings cancelled, their seats
// moved to cancelled_booking_tickets and back to sale, their payments' refund requested), both in the
// actor's fenced transaction; the waitlist.offered webhooks through webhook_emit() (migration 0321)
// in the same transaction as the offers.
import type { EventBatch } from "../batch.ts";
import type { Query, Run } from "../statements.ts";
import type { WaitlistRow } from "../../../../domain/seat-state/waitlist-types.ts";
import { ticketId } from "../../../../domain/ids.ts";

export interface WaitlistWrites {
  /** The final row of every entry a turn touched (null: deleted). */
  rows: { eventId: string; userId: string; row: WaitlistRow | null }[];
  offers: { eventId: string; entry: WaitlistRow }[];
  cancels: {
    eventId: string;
    bookingId: string;
    paymentId: string;
    ordinals: number[];
    reason: string;
  }[];
}

export const nothingForWaitlist = (writes: WaitlistWrites): boolean =>
  writes.rows.length === 0 && writes.offers.length === 0 && writes.cancels.length === 0;

export function netWaitlist(batches: EventBatch[]): WaitlistWrites {
  const writes: WaitlistWrites = { rows: [], offers: [], cancels: [] };
  for (const batch of batches) {
    const finalRows = new Map<string, WaitlistRow | null>();
    for (const effect of batch.effects) {
      if (effect.type === "waitlistPut") finalRows.set(effect.entry.userId, effect.entry);
      else if (effect.type === "waitlistDeleted") finalRows.set(effect.userId, null);
      else if (effect.type === "waitlistOffered")
        writes.offers.push({ eventId: batch.eventId, entry: effect.entry });
      else if (effect.type === "bookingCancelled")
        writes.cancels.push({
          eventId: batch.eventId,
          bookingId: effect.bookingId,
          paymentId: effect.paymentId,
          ordinals: effect.ordinals,
          reason: effect.reason,
        });
    }
    for (const [userId, row] of finalRows) writes.rows.push({ eventId: batch.eventId, userId, row });
  }
  return writes;
}

/**
 * The cancellations' bookings go from confirmed to cancelled; returns the payment ids of those that
 * were no longer confirmed (their commands are refused, nothing of their events written).
 */
export async function cancelBookings(query: Query, writes: WaitlistWrites): Promise<string[]> {
  if (writes.cancels.length === 0) return [];
  const rows = await query(
    `UPDATE bookings b SET status = 'cancelled', cancel_reason = x.reason, cancelled_at = now()
     FROM unnest($1::text[], $2::text[], $3::text[]) AS x(event_id, id, reason)
     WHERE b.event_id = x.event_id AND b.id = x.id AND b.status = 'confirmed'
       AND b.event_id = ANY ($1::text[]) AND b.id = ANY ($2::text[])
     RETURNING b.payment_id`,
    [
      writes.cancels.map((item) => item.eventId),
      writes.cancels.map((item) => item.bookingId),
      writes.cancels.map((item) => item.reason),
    ],
  );
  const done = new Set(rows.map((row) => row.payment_id as string));
  return writes.cancels.filter((item) => !done.has(item.paymentId)).map((item) => item.paymentId);
}

/**
 * The cancelled bookings' seats back to sale. Their payments stay captured with their booking: a
 * cancelled booking is itself the mark of a refund due (payments_booked_xor_refund keeps
 * refund_requested_at for payments without a booking); the saga or recovery refunds them.
 */
export async function freeCancelledSeats(run: Run, writes: WaitlistWrites): Promise<void> {
  if (writes.cancels.length === 0) return;
  const eventIds: string[] = [];
  const bookingIds: string[] = [];
  const ordinals: number[] = [];
  for (const item of writes.cancels)
    for (const ordinal of item.ordinals) {
      eventIds.push(item.eventId);
      bookingIds.push(item.bookingId);
      ordinals.push(ordinal);
    }
  await run(
    `WITH moved AS (
       DELETE FROM booking_tickets bt USING unnest($1::text[], $2::text[], $3::int[]) AS x(event_id, booking_id, ordinal)
       WHERE bt.event_id = x.event_id AND bt.booking_id = x.booking_id AND bt.ordinal = x.ordinal
         AND bt.event_id = ANY ($1::text[]) AND bt.ordinal = ANY ($3::int[])
       RETURNING bt.event_id, bt.booking_id, bt.ordinal)
     INSERT INTO cancelled_booking_tickets (event_id, booking_id, ordinal) SELECT * FROM moved`,
    [eventIds, bookingIds, ordinals],
    ordinals.length,
  );
  await run(
    `UPDATE tickets t SET status = 'available', booking_id = NULL
     FROM unnest($1::text[], $2::text[], $3::int[]) AS x(event_id, booking_id, ordinal)
     WHERE t.event_id = x.event_id AND t.ordinal = x.ordinal AND t.booking_id = x.booking_id
       AND t.event_id = ANY ($1::text[]) AND t.ordinal = ANY ($3::int[])`,
    [eventIds, bookingIds, ordinals],
    ordinals.length,
  );
}

/** The entries' final rows, and the offers' waitlist.offered webhooks. */
export async function writeWaitlist(run: Run, writes: WaitlistWrites): Promise<void> {
  const deleted = writes.rows.filter((item) => item.row === null);
  const put = writes.rows.filter((item) => item.row !== null);
  if (deleted.length > 0)
    await run(
      `DELETE FROM waitlist_entries w USING unnest($1::text[], $2::text[]) AS x(event_id, user_id)
       WHERE w.event_id = x.event_id AND w.user_id = x.user_id`,
      [deleted.map((item) => item.eventId), deleted.map((item) => item.userId)],
    );
  if (put.length > 0) {
    const rows = put.map((item) => item.row!);
    await run(
      `INSERT INTO waitlist_entries (event_id, user_id, seq, quantity, status, hold_id, offer_ordinals, offer_expires_at)
       SELECT x.event_id, x.user_id, x.seq, x.quantity, x.status, x.hold_id,
              CASE WHEN x.offer IS NULL THEN NULL ELSE ARRAY(SELECT jsonb_array_elements_text(x.offer)::int) END,
              to_timestamp(x.expires_ms / 1000.0)
       FROM unnest($1::text[], $2::text[], $3::bigint[], $4::int[], $5::text[], $6::text[], $7::jsonb[], $8::float8[])
         AS x(event_id, user_id, seq, quantity, status, hold_id, offer, expires_ms)
       ON CONFLICT (event_id, user_id) DO UPDATE SET seq = excluded.seq, quantity = excluded.quantity,
         status = excluded.status, hold_id = excluded.hold_id, offer_ordinals = excluded.offer_ordinals,
         offer_expires_at = excluded.offer_expires_at, updated_at = now(),
         joined_at = CASE WHEN waitlist_entries.seq = excluded.seq THEN waitlist_entries.joined_at ELSE now() END`,
      [
        put.map((item) => item.eventId),
        rows.map((row) => row.userId),
        rows.map((row) => row.seq),
        rows.map((row) => row.quantity),
        rows.map((row) => row.status),
        rows.map((row) => row.holdId),
        rows.map((row) => (row.offer === null ? null : JSON.stringify(row.offer))),
        rows.map((row) => row.offerExpiresAt),
      ],
      put.length,
    );
  }
  if (writes.offers.length > 0)
    await run("SELECT webhook_emit('waitlist.offered', $1::jsonb)", [
      JSON.stringify(
        writes.offers.map(({ eventId, entry }) => ({
          eventId,
          userId: entry.userId,
          ticketIds: entry.offer!.map((ordinal) => ticketId(eventId, ordinal)),
          expiresAt: new Date(entry.offerExpiresAt!).toISOString(),
        })),
      ),
    ]);
}
