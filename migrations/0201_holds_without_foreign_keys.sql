-- Holds are the event actor's own table, written only by the actor that holds the event's fencing
-- epoch, which checks every ordinal against the event's layout. Their foreign keys cost a key-share
-- row lock per inserted hold (on the ticket row, and a multixact on the one hot events row) in every
-- group commit: measured at about half the commit time of a 300-hold batch. The constraints that
-- protect money and bookings (booking_tickets, bookings, payments) stay.
ALTER TABLE holds DROP CONSTRAINT IF EXISTS holds_event_id_fkey;
ALTER TABLE holds DROP CONSTRAINT IF EXISTS holds_event_id_ordinal_fkey;
