// The audit's checks of the waiting list and of cancellations (issues 18 and 19): see loadtest/audit.ts.
// The waiting list's rule (domain/seat-state/waitlist.ts): an entry waiting for N seats is served as
// soon as N seats (any seats, not necessarily side by side) are available, in list order. So, in a
// committed state, a seat is offered to at most one open entry, and while an entry waits fewer seats
// are available (not booked, no hold row) than the smallest quantity waited for (an event on sale:
// active, not started). A hold row past its expiry still counts as held: its actor offers its seats in
// the very commit that deletes it.
export const waitlistChecks: { name: string; sql: string }[] = [
  {
    name: "a seat is offered to at most one waiting-list entry",
    sql: `SELECT w.event_id, o.ordinal, array_agg(w.user_id) AS users FROM waitlist_entries w
          CROSS JOIN LATERAL unnest(w.offer_ordinals) AS o(ordinal)
          WHERE ($1::text IS NULL OR w.event_id = $1) AND w.status = 'offered'
          GROUP BY w.event_id, o.ordinal HAVING count(*) > 1`,
  },
  {
    // Seat by seat: the actor shrinks an offer to the seats its user still holds, or ends it (endOffers
    // in domain/seat-state/waitlist.ts), so no committed offer names a seat held by another user or
    // by nobody. An offer of no seat at all is a violation too (its row shows ordinal null).
    name: "every seat offered to a waiting-list entry is held by that entry's user",
    sql: `SELECT w.event_id, w.user_id, o.ordinal FROM waitlist_entries w
          LEFT JOIN LATERAL unnest(w.offer_ordinals) AS o(ordinal) ON true
          WHERE ($1::text IS NULL OR w.event_id = $1) AND w.status = 'offered'
            AND (o.ordinal IS NULL OR NOT EXISTS (
                   SELECT 1 FROM holds h
                   WHERE h.event_id = w.event_id AND h.ordinal = o.ordinal AND h.user_id = w.user_id))`,
  },
  {
    name: "no seats available while a waiting-list entry waits for that many",
    sql: `SELECT e.id, s.available, q.smallest FROM events e
          JOIN LATERAL (SELECT min(quantity) AS smallest FROM waitlist_entries w
                        WHERE w.event_id = e.id AND w.status = 'waiting') q ON q.smallest IS NOT NULL
          CROSS JOIN LATERAL (
            SELECT count(*) AS available FROM tickets t
            WHERE t.event_id = e.id AND t.status = 'available'
              AND NOT EXISTS (SELECT 1 FROM holds h WHERE h.event_id = t.event_id AND h.ordinal = t.ordinal)) s
          WHERE ($1::text IS NULL OR e.id = $1) AND e.status = 'active' AND e.starts_at > now()
            AND s.available >= q.smallest`,
  },
  {
    name: "a cancelled booking holds no seat",
    sql: `SELECT bt.event_id, bt.booking_id, bt.ordinal FROM booking_tickets bt
          JOIN bookings b ON b.event_id = bt.event_id AND b.id = bt.booking_id
          WHERE ($1::text IS NULL OR bt.event_id = $1) AND b.status = 'cancelled'`,
  },
];
