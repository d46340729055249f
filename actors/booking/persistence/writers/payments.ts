// Writer of `payments`: the intent of a confirm (pending), the booking a captured payment paid for,
// and the refund request of a captured payment whose seats were given back.
import type { Abandoned, Booked, PaymentIntent } from "../netting.ts";
import type { Run } from "../statements.ts";

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

/** Only money already taken becomes a booking (the saga records the capture first). */
export async function linkPaymentsToBookings(run: Run, bookings: Booked[]): Promise<void> {
  await run(
    `UPDATE payments p SET booking_id = x.booking_id, updated_at = now()
     FROM unnest($1::text[], $2::text[], $3::text[]) AS x(event_id, id, booking_id)
     WHERE p.event_id = x.event_id AND p.id = x.id AND p.status = 'captured'
       AND p.booking_id IS NULL AND p.refund_requested_at IS NULL`,
    [
      bookings.map((item) => item.eventId),
      bookings.map((item) => item.effect.paymentId),
      bookings.map((item) => item.effect.bookingId),
    ],
    bookings.length,
  );
}

/** A captured payment whose seats were given back must be refunded; recovery finishes it if we die. */
export async function requestRefunds(run: Run, abandoned: Abandoned[]): Promise<void> {
  await run(
    `UPDATE payments p SET refund_requested_at = now(), updated_at = now()
     FROM unnest($1::text[], $2::text[]) AS x(event_id, id)
     WHERE p.event_id = x.event_id AND p.id = x.id AND p.status = 'captured' AND p.booking_id IS NULL`,
    [abandoned.map((item) => item.eventId), abandoned.map((item) => item.paymentId)],
  );
}
