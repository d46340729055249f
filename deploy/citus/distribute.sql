-- Distributes Marquee's tables on a Citus coordinator, once, after Marquee's migrations ran against it
-- (docs/partitioning.md, "The Citus path", which lists what must change first: the webhook and search
-- capture triggers, and the two-statement claim of an Idempotency-Key). Every booking table is
-- distributed by event_id and co-located with tickets; the catalog is reference tables.
--   psql postgres://marquee:marquee@127.0.0.1:5433/marquee -v ON_ERROR_STOP=1 -f deploy/citus/distribute.sql
SET citus.shard_count = 32; -- a multiple of the 16 local partitions (migrations/0360)

SELECT create_reference_table('venues');
SELECT create_reference_table('performers');
SELECT create_reference_table('events');
SELECT create_reference_table('event_performers');
SELECT create_reference_table('webhooks');
SELECT create_reference_table('presales');
SELECT create_reference_table('presale_codes');

SELECT create_distributed_table('tickets', 'event_id');
SELECT create_distributed_table('holds', 'event_id', colocate_with => 'tickets');
SELECT create_distributed_table('bookings', 'event_id', colocate_with => 'tickets');
SELECT create_distributed_table('booking_tickets', 'event_id', colocate_with => 'tickets');
SELECT create_distributed_table('payments', 'event_id', colocate_with => 'tickets');
SELECT create_distributed_table('idempotency_keys', 'event_id', colocate_with => 'tickets');
SELECT create_distributed_table('event_actors', 'event_id', colocate_with => 'tickets');
SELECT create_distributed_table('event_seat_counts', 'event_id', colocate_with => 'tickets');
SELECT create_distributed_table('event_ticket_keys', 'event_id', colocate_with => 'tickets');
SELECT create_distributed_table('used_admissions', 'event_id', colocate_with => 'tickets');
SELECT create_distributed_table('waitlist_entries', 'event_id', colocate_with => 'tickets');
SELECT create_distributed_table('checkins', 'event_id', colocate_with => 'tickets');
SELECT create_distributed_table('cancelled_booking_tickets', 'event_id', colocate_with => 'tickets');
SELECT create_distributed_table('presale_uses', 'event_id', colocate_with => 'tickets');

-- A user's Idempotency-Keys across events: by user, in a co-location group of its own.
SELECT create_distributed_table('idempotency_user_keys', 'user_id', colocate_with => 'none');
