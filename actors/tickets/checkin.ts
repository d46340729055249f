// Check-in at the door: a verified ticket code lets its seat in once. The INSERT into `checkins`
// decides: two scanners racing on one ticket both try it, the primary key lets exactly one row in,
// and the other finds the winner's time. The booking row is read FOR SHARE in the same statement, so
// a cancellation committing at the same moment is either seen (TICKET_CANCELLED) or waits for us.
import type { Database } from "../../platform/database.ts";
import { MarqueeError } from "../../domain/errors.ts";
import { ticketId } from "../../domain/ids.ts";
import type { TicketClaim } from "./ticket-code.ts";

export interface CheckedIn {
  ticketId: string;
  eventId: string;
  checkedInAt: string;
  holder: { userId: string };
}

const invalid = (message: string) => new MarqueeError("INVALID_TICKET_CODE", message);

export async function checkIn(db: Database, claim: TicketClaim, scannedBy: string): Promise<CheckedIn> {
  const { eventId, bookingId, ordinal } = claim;
  const { rows } = await db.query(
    `WITH booking AS (
       SELECT b.event_id, b.id, b.user_id, b.status,
         EXISTS (SELECT 1 FROM booking_tickets bt
                 WHERE bt.event_id = $1 AND bt.booking_id = b.id AND bt.ordinal = $3) AS has_ticket
       FROM bookings b WHERE b.event_id = $1 AND b.id = $2 FOR SHARE OF b
     ), inserted AS (
       INSERT INTO checkins (event_id, booking_id, ordinal, scanned_by)
       SELECT event_id, id, $3, $4 FROM booking WHERE status = 'confirmed' AND has_ticket
       ON CONFLICT DO NOTHING
       RETURNING checked_in_at
     )
     SELECT booking.user_id, booking.status, booking.has_ticket, inserted.checked_in_at
     FROM booking LEFT JOIN inserted ON true`,
    [eventId, bookingId, ordinal, scannedBy],
  );
  const row = rows[0];
  // A signed code always names a booking and one of its seats; anything else is not ours.
  if (!row) throw invalid("The ticket code names no booking");
  if (row.status === "cancelled")
    throw new MarqueeError("TICKET_CANCELLED", "The ticket's booking was cancelled");
  if (!row.has_ticket) throw invalid("The ticket code names a seat outside its booking");
  const answer = (at: Date) => ({
    ticketId: ticketId(eventId, ordinal),
    eventId,
    checkedInAt: new Date(at).toISOString(),
    holder: { userId: row.user_id as string },
  });
  if (row.checked_in_at) return answer(row.checked_in_at);
  // Lost to an earlier scan: read its time (a statement of its own: a snapshot taken after the
  // winner committed).
  const earlier = await db.query(
    "SELECT checked_in_at FROM checkins WHERE event_id = $1 AND booking_id = $2 AND ordinal = $3",
    [eventId, bookingId, ordinal],
  );
  const checkedInAt = new Date(earlier.rows[0].checked_in_at).toISOString();
  throw new MarqueeError("ALREADY_CHECKED_IN", "The ticket was checked in before", { checkedInAt });
}
