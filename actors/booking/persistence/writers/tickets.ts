// Writer of `tickets`: the seats of a turn's bookings marked booked (only seats still available).
import type { BookedSeats } from "../netting.ts";
import type { Run } from "../statements.ts";

export async function markTicketsBooked(run: Run, seats: BookedSeats): Promise<void> {
  await run(
    `UPDATE tickets t SET status = 'booked', booking_id = x.booking_id
     FROM unnest($1::text[], $2::int[], $3::text[]) AS x(event_id, ordinal, booking_id)
     WHERE t.event_id = x.event_id AND t.ordinal = x.ordinal AND t.status = 'available'
       -- The batch's partitions only (docs/partitioning.md), and its seats: with the event filter alone
       -- the planner may scan a fresh event's whole index range (its statistics do not know the event yet).
       AND t.event_id = ANY ($1::text[]) AND t.ordinal = ANY ($2::int[])`,
    [seats.eventIds, seats.ordinals, seats.bookingIds],
    seats.ordinals.length,
  );
}
