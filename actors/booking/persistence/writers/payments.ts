// Writer of `payments`: the intent of a confirm (pending), the capture and booking of a payment, and
// what a confirming hold given back does to its payment (a captured one is to be refunded; a pending
// one declined, when the abort says so).
import type { Abandoned, Booked, PaymentIntent } from "../netting.ts";
import type { Query, Run } from "../statements.ts";

export async function insertPaymentIntents(run: Run, intents: PaymentIntent[]): Promise<void> {
  await run(
    `INSERT INTO payments (event_id, id, user_id, idempotency_key, hold_id, ordinals, amount_cents, status)
     SELECT x.event_id, x.id, x.user_id, x.idempotency_key, x.hold_id, x.ordinals::int[], x.amount_cents, 'pending'
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[])
       AS x(event_id, id, user_id, idempotency_key, hold_id, ordinals, amount_cents)`,
    [
      intents.map((item) => item.eventId),
      intents.map((item) => item.effect.paymentId),
      intents.map((item) => item.effect.userId),
      intents.map((item) => item.effect.idempotencyKey),
      intents.map((item) => item.effect.holdId),
      intents.map((item) => `{${item.effect.ordinals.join(",")}}`),
      intents.map((item) => item.effect.amountCents),
    ],
    intents.length,
  );
}

/**
 * Links each booking to its payment, recording the capture when the booking carries the provider's
 * reference. Only money taken becomes a booking: a payment already captured, or a pending one whose
 * capture this commit records; never one declined, refunded, to be refunded or booked already.
 * Returns the payment ids that were not bookable (settled outside the actor meanwhile).
 */
export async function bookPayments(query: Query, bookings: Booked[]): Promise<string[]> {
  const rows = await query(
    `UPDATE payments p SET status = 'captured', provider_ref = coalesce(x.provider_ref, p.provider_ref),
       booking_id = x.booking_id, updated_at = now()
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS x(event_id, id, booking_id, provider_ref)
     WHERE p.event_id = x.event_id AND p.id = x.id AND p.booking_id IS NULL AND p.refund_requested_at IS NULL
       AND p.event_id = ANY ($1::text[]) AND p.id = ANY ($2::text[])
       AND (p.status = 'captured' OR (p.status = 'pending' AND x.provider_ref IS NOT NULL))
     RETURNING p.id`,
    [
      bookings.map((item) => item.eventId),
      bookings.map((item) => item.effect.paymentId),
      bookings.map((item) => item.effect.bookingId),
      bookings.map((item) => item.effect.providerRef ?? null),
    ],
  );
  const booked = new Set(rows.map((row) => row.id as string));
  return bookings.map((item) => item.effect.paymentId).filter((paymentId) => !booked.has(paymentId));
}

/**
 * A confirming hold given back: its captured payment must be refunded (recovery finishes it if we
 * die); a pending one the abort declined is marked declined with its reason. Returns the payments
 * this statement declined (their 402 is stored in the same commit).
 */
export async function abandonPayments(query: Query, abandoned: Abandoned[]): Promise<Set<string>> {
  const rows = await query(
    `UPDATE payments p SET updated_at = now(),
       refund_requested_at = CASE WHEN p.status = 'captured' THEN now() ELSE p.refund_requested_at END,
       status = CASE WHEN p.status = 'pending' AND x.declined IS NOT NULL THEN 'declined' ELSE p.status END,
       failure_reason = CASE WHEN p.status = 'pending' AND x.declined IS NOT NULL THEN x.declined
                        ELSE p.failure_reason END
     FROM unnest($1::text[], $2::text[], $3::text[]) AS x(event_id, id, declined)
     WHERE p.event_id = x.event_id AND p.id = x.id AND p.booking_id IS NULL
       AND p.event_id = ANY ($1::text[]) AND p.id = ANY ($2::text[])
       AND (p.status = 'captured' OR (p.status = 'pending' AND x.declined IS NOT NULL))
     RETURNING p.id, p.status`,
    [
      abandoned.map((item) => item.eventId),
      abandoned.map((item) => item.paymentId),
      abandoned.map((item) => item.declined ?? null),
    ],
  );
  return new Set(rows.filter((row) => row.status === "declined").map((row) => row.id as string));
}
