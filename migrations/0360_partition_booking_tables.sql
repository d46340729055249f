-- The tables that grow with tickets become declarative HASH partitioned tables by event_id:
-- tickets, holds, bookings, booking_tickets, payments, idempotency_keys (docs/partitioning.md).
--
-- PARTITION_COUNT = 16 (one constant, repeated below as MODULUS 16). Why 16: at the sizes planned
-- (docs/capacity.md: tens of millions of tickets on one machine) each partition of tickets stays a few
-- million rows, so its indexes stay a few hundred MB and VACUUM works one partition at a time; more
-- partitions only add planning and catalog cost to the statements that cannot prune (recovery's scans,
-- the admin sales report), fewer give partitions as big as the whole table was. 16 is also a divisor of
-- the shard counts a Citus cluster uses (32 by default), so the same hash split carries over. Hash
-- partitions cannot be split later without a rewrite: a change of the count is a migration like this one.
--
-- Every key already leads with event_id (0001), so every primary, unique and foreign key stays as it
-- was. The one that cannot: idempotency_keys_user_key (0203), a user's key unique across events, has
-- no event_id and a partitioned table cannot enforce it. It moves to its own small unpartitioned table,
-- idempotency_user_keys, written by the same statement of the actor's group commit that claims the key.
--
-- The move: new partitioned tables are made beside the old ones, filled by INSERT ... SELECT, the old
-- ones dropped (with the foreign keys, the view and the function that depend on them), the new ones
-- renamed, then every constraint, index, trigger and foreign key made again under its old name.

-- ---- New tables (columns, defaults and CHECKs copied, in the same column order) ----

CREATE TABLE tickets_partitioned (LIKE tickets INCLUDING DEFAULTS INCLUDING CONSTRAINTS) PARTITION BY HASH (event_id);
CREATE TABLE holds_partitioned (LIKE holds INCLUDING DEFAULTS INCLUDING CONSTRAINTS) PARTITION BY HASH (event_id);
CREATE TABLE bookings_partitioned (LIKE bookings INCLUDING DEFAULTS INCLUDING CONSTRAINTS) PARTITION BY HASH (event_id);
CREATE TABLE booking_tickets_partitioned (LIKE booking_tickets INCLUDING DEFAULTS INCLUDING CONSTRAINTS)
  PARTITION BY HASH (event_id);
CREATE TABLE payments_partitioned (LIKE payments INCLUDING DEFAULTS INCLUDING CONSTRAINTS) PARTITION BY HASH (event_id);
CREATE TABLE idempotency_keys_partitioned (LIKE idempotency_keys INCLUDING DEFAULTS INCLUDING CONSTRAINTS)
  PARTITION BY HASH (event_id);

-- Partitions <table>_p00 .. <table>_p15.
DO $$
DECLARE
  partition_count constant integer := 16; -- PARTITION_COUNT
  base text;
BEGIN
  FOREACH base IN ARRAY ARRAY['tickets', 'holds', 'bookings', 'booking_tickets', 'payments', 'idempotency_keys'] LOOP
    FOR remainder IN 0 .. partition_count - 1 LOOP
      EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES WITH (MODULUS %s, REMAINDER %s)',
                     base || '_p' || lpad(remainder::text, 2, '0'), base || '_partitioned', partition_count, remainder);
    END LOOP;
  END LOOP;
END;
$$;

-- A user's Idempotency-Key across every event: the arbiter that 0203's unique index was. One row per
-- (user, key), naming the event whose idempotency_keys row holds the request and its answer.
CREATE TABLE idempotency_user_keys (
  user_id     text NOT NULL,
  key         text NOT NULL CHECK (length(key) BETWEEN 8 AND 128),
  event_id    text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, key)
);

-- ---- Data ----

INSERT INTO tickets_partitioned SELECT * FROM tickets;
INSERT INTO holds_partitioned SELECT * FROM holds;
INSERT INTO bookings_partitioned SELECT * FROM bookings;
INSERT INTO booking_tickets_partitioned SELECT * FROM booking_tickets;
INSERT INTO payments_partitioned SELECT * FROM payments;
INSERT INTO idempotency_keys_partitioned SELECT * FROM idempotency_keys;
-- The keys that held the user-wide slot (0203: the later uses of a reused key are scoped_to_event).
INSERT INTO idempotency_user_keys (user_id, key, event_id, created_at)
SELECT user_id, key, event_id, created_at FROM idempotency_keys WHERE NOT scoped_to_event;

-- ---- Out with the old tables (and what depends on them) ----

DROP VIEW booking_seats;
-- Takes the payments row type: made again below for the new table.
DROP FUNCTION webhook_payment_data(payments);
ALTER TABLE checkins DROP CONSTRAINT checkins_event_id_booking_id_fkey;
ALTER TABLE cancelled_booking_tickets DROP CONSTRAINT cancelled_booking_tickets_event_id_booking_id_fkey;
ALTER TABLE presale_uses DROP CONSTRAINT presale_uses_event_id_booking_id_fkey;
DROP TABLE booking_tickets, holds, idempotency_keys, payments, bookings, tickets;

ALTER TABLE tickets_partitioned RENAME TO tickets;
ALTER TABLE holds_partitioned RENAME TO holds;
ALTER TABLE bookings_partitioned RENAME TO bookings;
ALTER TABLE booking_tickets_partitioned RENAME TO booking_tickets;
ALTER TABLE payments_partitioned RENAME TO payments;
ALTER TABLE idempotency_keys_partitioned RENAME TO idempotency_keys;

-- ---- Keys, indexes and foreign keys, under their old names ----

ALTER TABLE tickets ADD CONSTRAINT tickets_pkey PRIMARY KEY (event_id, ordinal),
  ADD CONSTRAINT tickets_event_id_section_index_row_index_seat_key UNIQUE (event_id, section_index, row_index, seat),
  ADD CONSTRAINT tickets_event_id_fkey FOREIGN KEY (event_id) REFERENCES events (id) ON DELETE CASCADE;

-- holds: no foreign keys (0201).
ALTER TABLE holds ADD CONSTRAINT holds_pkey PRIMARY KEY (event_id, ordinal);
CREATE INDEX holds_user ON holds (event_id, user_id);
CREATE INDEX holds_payment ON holds (event_id, payment_id) WHERE payment_id IS NOT NULL;

ALTER TABLE bookings ADD CONSTRAINT bookings_pkey PRIMARY KEY (event_id, id),
  ADD CONSTRAINT bookings_event_id_payment_id_key UNIQUE (event_id, payment_id),
  ADD CONSTRAINT bookings_event_id_fkey FOREIGN KEY (event_id) REFERENCES events (id);
CREATE INDEX bookings_user ON bookings (user_id, created_at);
CREATE INDEX bookings_id ON bookings (id);
CREATE INDEX bookings_event_created ON bookings (event_id, created_at, id);
CREATE INDEX bookings_cancelled ON bookings (event_id, payment_id) WHERE status = 'cancelled';

ALTER TABLE booking_tickets ADD CONSTRAINT booking_tickets_pkey PRIMARY KEY (event_id, ordinal),
  ADD CONSTRAINT booking_tickets_event_id_booking_id_fkey FOREIGN KEY (event_id, booking_id) REFERENCES bookings (event_id, id),
  ADD CONSTRAINT booking_tickets_event_id_ordinal_fkey FOREIGN KEY (event_id, ordinal) REFERENCES tickets (event_id, ordinal);

ALTER TABLE payments ADD CONSTRAINT payments_pkey PRIMARY KEY (event_id, id),
  ADD CONSTRAINT payments_event_id_user_id_idempotency_key_key UNIQUE (event_id, user_id, idempotency_key),
  ADD CONSTRAINT payments_event_id_fkey FOREIGN KEY (event_id) REFERENCES events (id);
CREATE INDEX payments_captured_unbooked ON payments (updated_at) WHERE status = 'captured' AND booking_id IS NULL;
CREATE INDEX payments_user ON payments (user_id);
CREATE INDEX payments_unsettled ON payments (updated_at) WHERE status IN ('pending', 'captured') AND booking_id IS NULL;
CREATE INDEX payments_id ON payments (id);

-- No idempotency_keys_user_key: idempotency_user_keys is the arbiter now.
ALTER TABLE idempotency_keys ADD CONSTRAINT idempotency_keys_pkey PRIMARY KEY (event_id, user_id, key),
  ADD CONSTRAINT idempotency_keys_event_id_fkey FOREIGN KEY (event_id) REFERENCES events (id);

ALTER TABLE checkins ADD CONSTRAINT checkins_event_id_booking_id_fkey
  FOREIGN KEY (event_id, booking_id) REFERENCES bookings (event_id, id);
ALTER TABLE cancelled_booking_tickets ADD CONSTRAINT cancelled_booking_tickets_event_id_booking_id_fkey
  FOREIGN KEY (event_id, booking_id) REFERENCES bookings (event_id, id);
ALTER TABLE presale_uses ADD CONSTRAINT presale_uses_event_id_booking_id_fkey
  FOREIGN KEY (event_id, booking_id) REFERENCES bookings (event_id, id);

CREATE VIEW booking_seats AS
  SELECT event_id, booking_id, ordinal FROM booking_tickets
  UNION ALL
  SELECT event_id, booking_id, ordinal FROM cancelled_booking_tickets;

-- ---- Triggers of 0321 (statement level, transition tables: allowed on a partitioned table's root) ----

CREATE FUNCTION webhook_payment_data(p payments) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
  SELECT jsonb_build_object(
    'paymentId', p.id, 'eventId', p.event_id, 'userId', p.user_id, 'amountCents', p.amount_cents,
    'bookingId', p.booking_id, 'status', p.status);
$$;

CREATE TRIGGER bookings_webhooks_inserted AFTER INSERT ON bookings
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION webhook_capture_bookings_inserted();
CREATE TRIGGER bookings_webhooks_updated AFTER UPDATE ON bookings
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION webhook_capture_bookings_updated();
CREATE TRIGGER payments_webhooks_inserted AFTER INSERT ON payments
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION webhook_capture_payments_inserted();
CREATE TRIGGER payments_webhooks_updated AFTER UPDATE ON payments
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION webhook_capture_payments_updated();
CREATE TRIGGER tickets_seat_counts_inserted AFTER INSERT ON tickets
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION webhook_count_tickets_inserted();
CREATE TRIGGER tickets_seat_counts_updated AFTER UPDATE ON tickets
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION webhook_count_tickets_updated();
CREATE TRIGGER tickets_seat_counts_deleted AFTER DELETE ON tickets
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION webhook_count_tickets_deleted();

ANALYZE tickets, holds, bookings, booking_tickets, payments, idempotency_keys, idempotency_user_keys;
