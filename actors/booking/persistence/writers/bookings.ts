// Writer of `bookings` and `booking_tickets`: a confirmed booking and its seats.
import type { Booked, BookedSeats } from "../netting.ts";
import type { Run } from "../statements.ts";

export async function insertBookings(run: Run, bookings: Booked[], seats: BookedSeats): Promise<void> {
  await run(
    // created_at is the command's clock, exact to the millisecond (the stored answer says it too).
    `INSERT INTO bookings (event_id, id, user_id, amount_cents, status, payment_id, created_at)
     SELECT x.event_id, x.id, x.user_id, x.amount_cents, 'confirmed', x.payment_id,
            timestamptz 'epoch' + x.created_ms * interval '1 millisecond'
     FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[], $6::bigint[])
       AS x(event_id, id, user_id, amount_cents, payment_id, created_ms)`,
    [
      bookings.map((item) => item.eventId),
      bookings.map((item) => item.effect.bookingId),
      bookings.map((item) => item.effect.userId),
      bookings.map((item) => item.effect.amountCents),
      bookings.map((item) => item.effect.paymentId),
      bookings.map((item) => item.effect.createdAtMs),
    ],
    bookings.length,
  );
  // booking_tickets' primary key (event_id, ordinal) is the last line against a double booking.
  await run(
    `INSERT INTO booking_tickets (event_id, ordinal, booking_id)
     SELECT * FROM unnest($1::text[], $2::int[], $3::text[])`,
    [seats.eventIds, seats.ordinals, seats.bookingIds],
    seats.ordinals.length,
  );
}
