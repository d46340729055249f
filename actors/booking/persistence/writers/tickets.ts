// Writer of `tickets`: the seats of a turn's bookings marked booked (only seats still available).
import type { BookedSeats } from "../netting.ts";
import type { Run } from "../statements.ts";

export async function markTicketsBooked(run: Run, seats: BookedSeats): Promise<void> {
  await run(
    `UPDATE tickets t SET status = 'booked', booking_id = x.booking_id
     FROM unnest($1::text[], $2::int[], $3::text[]) AS x(event_id, ordinal, booking_id)
     WHERE t.event_id = x.event_id AND t.ordinal = x.ordinal AND t.status = 'available'
       AND t.event_id = ANY ($1::text[]) -- the batch's partitions only (docs/partitioning.md)`,
    [seats.eventIds, seats.ordinals, seats.bookingIds],
    seats.ordinals.length,
  );
}
