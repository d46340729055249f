-- The waiting list of sold-out events and cancelled bookings (issues 18 and 19).
--
-- waitlist_entries: one row per user and event, written only by the event's actor in its group
-- commit (the join, the offer of returned seats as a hold, the offer's end), so a reloaded actor
-- finds every entry and offer. `seq` orders the list (decided by the actor: one past the highest it
-- loaded). An offer is a normal hold (holds rows of `hold_id`); the entry keeps its seats and expiry
-- for GET /events/:id/waitlist. Entries that ended (expired, booked) stay until the user joins again.
CREATE TABLE waitlist_entries (
  event_id          text NOT NULL REFERENCES events (id) ON DELETE CASCADE,
  user_id           text NOT NULL CHECK (length(user_id) BETWEEN 1 AND 200),
  seq               bigint NOT NULL CHECK (seq >= 1),
  quantity          integer NOT NULL CHECK (quantity BETWEEN 1 AND 10),
  status            text NOT NULL CHECK (status IN ('waiting', 'offered', 'expired', 'booked')),
  hold_id           text,
  offer_ordinals    integer[],
  offer_expires_at  timestamptz,
  joined_at         timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (event_id, user_id),
  UNIQUE (event_id, seq),
  CHECK ((status = 'waiting') = (offer_ordinals IS NULL)),
  CHECK ((offer_ordinals IS NULL) = (hold_id IS NULL) AND (hold_id IS NULL) = (offer_expires_at IS NULL))
);
-- The actor's activation (entries still waiting or offered) and positions (waiting ones before mine).
CREATE INDEX waitlist_entries_open ON waitlist_entries (event_id, seq) WHERE status IN ('waiting', 'offered');

-- Cancellation: a cancelled booking gives its seats back, so its booking_tickets rows (whose primary
-- key (event_id, ordinal) guards against a double booking) move here, and the seats can be booked
-- again. `booking_seats` reads both: a booking's seats whatever its status.
ALTER TABLE bookings ADD COLUMN cancel_reason text CHECK (cancel_reason IS NULL OR length(cancel_reason) <= 500),
                     ADD COLUMN cancelled_at timestamptz;
CREATE TABLE cancelled_booking_tickets (
  event_id    text NOT NULL,
  booking_id  text NOT NULL,
  ordinal     integer NOT NULL,
  PRIMARY KEY (event_id, booking_id, ordinal),
  FOREIGN KEY (event_id, booking_id) REFERENCES bookings (event_id, id)
);
CREATE VIEW booking_seats AS
  SELECT event_id, booking_id, ordinal FROM booking_tickets
  UNION ALL
  SELECT event_id, booking_id, ordinal FROM cancelled_booking_tickets;
-- POST /admin/bookings/:bookingId/cancel names a booking by its id alone (bookings_id, 0311).
