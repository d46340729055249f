-- Webhooks: registrations, a transactional outbox of webhook events and one delivery row per
-- subscribed webhook (webhooks/ reads and posts them).
--
-- Capture. Triggers on bookings, payments and tickets write the outbox in the same transaction as
-- the change they report, whatever code makes it (the booking actor's group commit, the payment
-- saga, recovery, a cancellation, psql): a change that rolls back leaves no event, a change that
-- commits always has its event. Statement-level triggers with transition tables: a group commit of
-- 300 bookings runs each trigger once, not 300 times. With no webhook subscribed to a type, nothing
-- is written (the trigger returns after one look at the small `webhooks` table).
--
-- Events: booking.confirmed (a booking inserted as, or updated to, `confirmed`), booking.cancelled
-- (a booking updated to `cancelled`), payment.refunded (a payment updated to `refunded`),
-- event.sold_out (an event's last `available` ticket became booked: seats only held do not count),
-- waitlist.offered (emitted by the waiting list through webhook_emit(), below, in the transaction
-- that makes the offer, with data {"eventId", "userId", "ticketIds", "expiresAt"} as docs/api.md says).
--
-- Sold out without scanning tickets: `event_seat_counts` keeps each event's number of available
-- tickets, moved by the statement-level triggers on tickets by the difference of the statement's
-- transition tables (one row update per event per statement). A row missing (tickets bulk-loaded
-- with triggers off) is counted once from the tickets when first needed.
--
-- Deliveries carry no foreign keys: each would take a key-share lock on its webhook row in every
-- group commit (measured on holds at half a commit's time). A delivery whose webhook was deleted is
-- never claimed and is removed by the dispatcher's sweep.

CREATE TABLE webhooks (
  id           text PRIMARY KEY,
  url          text NOT NULL CHECK (length(url) BETWEEN 1 AND 2048),
  events       text[] NOT NULL CHECK (cardinality(events) BETWEEN 1 AND 5),
  description  text CHECK (description IS NULL OR length(description) <= 500),
  -- The signing secret: shown once at registration, kept to sign every delivery.
  secret       text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE webhook_events (
  id          text PRIMARY KEY,
  -- Order of capture: the delivery history lists newest first by it.
  seq         bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  type        text NOT NULL CHECK (type IN ('booking.confirmed', 'booking.cancelled', 'payment.refunded',
                                             'waitlist.offered', 'event.sold_out')),
  data        jsonb NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT clock_timestamp()
);

CREATE TABLE webhook_deliveries (
  webhook_id        text NOT NULL,
  event_id          text NOT NULL,
  event_seq         bigint NOT NULL,
  status            text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
  attempts          integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  last_status_code  integer CHECK (last_status_code BETWEEN 100 AND 599),
  last_error        text,
  -- When the next attempt is due (pending); while an attempt runs, when its lease ends. NULL once done.
  next_attempt_at   timestamptz,
  created_at        timestamptz NOT NULL,
  updated_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (webhook_id, event_id),
  CHECK ((status = 'pending') = (next_attempt_at IS NOT NULL))
);
-- The dispatcher's claim: a webhook's due deliveries, oldest due first.
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (webhook_id, next_attempt_at) WHERE status = 'pending';
-- GET /admin/webhooks/:id/deliveries, newest first.
CREATE INDEX webhook_deliveries_history ON webhook_deliveries (webhook_id, event_seq DESC);
-- The retention sweep of finished deliveries.
CREATE INDEX webhook_deliveries_finished ON webhook_deliveries (updated_at) WHERE status <> 'pending';

-- Emits one webhook event per element of `payloads` (a JSON array of `data` objects) with one delivery
-- per webhook subscribed to `event_type`, in the caller's transaction. Nothing when none subscribes.
-- The waiting list calls it for waitlist.offered: SELECT webhook_emit('waitlist.offered', jsonb_build_array(...)).
CREATE FUNCTION webhook_emit(event_type text, payloads jsonb) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  subscribers text[];
  emitted integer;
BEGIN
  IF payloads IS NULL OR jsonb_array_length(payloads) = 0 THEN
    RETURN 0;
  END IF;
  subscribers := ARRAY(SELECT id FROM webhooks WHERE events @> ARRAY[event_type] ORDER BY id);
  IF cardinality(subscribers) = 0 THEN
    RETURN 0;
  END IF;
  WITH inserted AS (
    INSERT INTO webhook_events (id, type, data)
    SELECT 'evt_' || replace(gen_random_uuid()::text, '-', ''), event_type, payload
    FROM jsonb_array_elements(payloads) AS payload
    RETURNING id, seq, created_at
  )
  INSERT INTO webhook_deliveries (webhook_id, event_id, event_seq, next_attempt_at, created_at)
  SELECT subscriber, inserted.id, inserted.seq, inserted.created_at, inserted.created_at
  FROM inserted CROSS JOIN unnest(subscribers) AS subscriber;
  GET DIAGNOSTICS emitted = ROW_COUNT;
  RETURN emitted;
END;
$$;

-- True when some webhook listens for `event_type`: triggers look before building any payload.
CREATE FUNCTION webhook_subscribed(event_type text) RETURNS boolean LANGUAGE sql STABLE AS $$
  SELECT EXISTS (SELECT 1 FROM webhooks WHERE events @> ARRAY[event_type]);
$$;

-- Bookings' webhook data, one JSON object each, for the bookings in `rows` (a transition table's
-- rows as JSON) that pass `wanted`; their seats are their payments' (the seats paid for are the seats
-- booked: booking_tickets is written after bookings in the same commit). One join for the statement.
CREATE FUNCTION webhook_bookings_data(rows jsonb) RETURNS jsonb LANGUAGE sql STABLE AS $$
  SELECT jsonb_agg(jsonb_build_object(
      'bookingId', b.id, 'eventId', b.event_id, 'userId', b.user_id, 'amountCents', b.amount_cents,
      'paymentId', b.payment_id, 'status', b.status,
      'ticketIds', coalesce((SELECT jsonb_agg(b.event_id || '.' || ordinal ORDER BY ordinal)
                             FROM unnest(p.ordinals) AS ordinal), '[]'::jsonb))
    ORDER BY b.event_id, b.id)
  FROM jsonb_to_recordset(rows) AS b(event_id text, id text, user_id text, amount_cents bigint,
                                     payment_id text, status text)
  LEFT JOIN payments p ON p.event_id = b.event_id AND p.id = b.payment_id;
$$;

CREATE FUNCTION webhook_capture_bookings_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF webhook_subscribed('booking.confirmed') THEN
    PERFORM webhook_emit('booking.confirmed', webhook_bookings_data(
      (SELECT jsonb_agg(to_jsonb(n)) FROM new_rows n WHERE n.status = 'confirmed')));
  END IF;
  RETURN NULL;
END;
$$;

CREATE FUNCTION webhook_capture_bookings_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF webhook_subscribed('booking.confirmed') THEN
    PERFORM webhook_emit('booking.confirmed', webhook_bookings_data((
      SELECT jsonb_agg(to_jsonb(n))
      FROM new_rows n JOIN old_rows o ON o.event_id = n.event_id AND o.id = n.id
      WHERE n.status = 'confirmed' AND o.status <> 'confirmed')));
  END IF;
  IF webhook_subscribed('booking.cancelled') THEN
    PERFORM webhook_emit('booking.cancelled', webhook_bookings_data((
      SELECT jsonb_agg(to_jsonb(n))
      FROM new_rows n JOIN old_rows o ON o.event_id = n.event_id AND o.id = n.id
      WHERE n.status = 'cancelled' AND o.status <> 'cancelled')));
  END IF;
  RETURN NULL;
END;
$$;

CREATE TRIGGER bookings_webhooks_inserted AFTER INSERT ON bookings
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION webhook_capture_bookings_inserted();
CREATE TRIGGER bookings_webhooks_updated AFTER UPDATE ON bookings
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION webhook_capture_bookings_updated();

CREATE FUNCTION webhook_payment_data(p payments) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
  SELECT jsonb_build_object(
    'paymentId', p.id, 'eventId', p.event_id, 'userId', p.user_id, 'amountCents', p.amount_cents,
    'bookingId', p.booking_id, 'status', p.status);
$$;

CREATE FUNCTION webhook_capture_payments_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF webhook_subscribed('payment.refunded') THEN
    PERFORM webhook_emit('payment.refunded', (
      SELECT jsonb_agg(webhook_payment_data(n) ORDER BY n.event_id, n.id)
      FROM new_rows n JOIN old_rows o ON o.event_id = n.event_id AND o.id = n.id
      WHERE n.status = 'refunded' AND o.status <> 'refunded'));
  END IF;
  RETURN NULL;
END;
$$;

CREATE FUNCTION webhook_capture_payments_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF webhook_subscribed('payment.refunded') THEN
    PERFORM webhook_emit('payment.refunded', (
      SELECT jsonb_agg(webhook_payment_data(n) ORDER BY n.event_id, n.id) FROM new_rows n
      WHERE n.status = 'refunded'));
  END IF;
  RETURN NULL;
END;
$$;

CREATE TRIGGER payments_webhooks_inserted AFTER INSERT ON payments
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION webhook_capture_payments_inserted();
CREATE TRIGGER payments_webhooks_updated AFTER UPDATE ON payments
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION webhook_capture_payments_updated();

-- ---- Available seats per event, for event.sold_out ----

CREATE TABLE event_seat_counts (
  event_id   text PRIMARY KEY REFERENCES events (id) ON DELETE CASCADE,
  available  integer NOT NULL CHECK (available >= 0)
);
INSERT INTO event_seat_counts (event_id, available)
SELECT e.id, (SELECT count(*) FROM tickets t WHERE t.event_id = e.id AND t.status = 'available')
FROM events e;

-- Moves the counts of `event_ids` by `deltas` and emits event.sold_out for each event whose last
-- available ticket went. Rows are locked in event order (two statements over the same events cannot
-- deadlock); a missing row is counted once from the tickets (after the statement: it includes it).
CREATE FUNCTION webhook_move_seat_counts(event_ids text[], deltas integer[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  sold_out jsonb;
BEGIN
  PERFORM 1 FROM event_seat_counts WHERE event_id = ANY (event_ids) ORDER BY event_id FOR UPDATE;
  WITH moves AS (
    SELECT * FROM unnest(event_ids, deltas) AS m(event_id, delta)
  ), moved AS (
    -- Never below 0: a count that drifted (tickets changed with triggers off) must not fail a booking's
    -- commit; the invariant audit (loadtest/audit.ts) reports the drift.
    UPDATE event_seat_counts c SET available = greatest(0, c.available + m.delta)
    FROM moves m WHERE c.event_id = m.event_id
    RETURNING c.event_id, c.available
  ), counted AS (
    INSERT INTO event_seat_counts (event_id, available)
    SELECT m.event_id, (SELECT count(*) FROM tickets t WHERE t.event_id = m.event_id AND t.status = 'available')
    FROM moves m JOIN events e ON e.id = m.event_id
    WHERE NOT EXISTS (SELECT 1 FROM event_seat_counts c WHERE c.event_id = m.event_id)
    ON CONFLICT (event_id) DO NOTHING
    RETURNING event_id, available
  )
  SELECT jsonb_agg(jsonb_build_object('eventId', e.id, 'name', e.name, 'capacity', e.ticket_count) ORDER BY e.id)
  INTO sold_out
  FROM (SELECT * FROM moved UNION ALL SELECT * FROM counted) AS after
  JOIN moves m ON m.event_id = after.event_id
  JOIN events e ON e.id = after.event_id
  WHERE m.delta < 0 AND after.available = 0;
  PERFORM webhook_emit('event.sold_out', sold_out);
END;
$$;

CREATE FUNCTION webhook_count_tickets_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO event_seat_counts AS c (event_id, available)
  SELECT event_id, count(*) FILTER (WHERE status = 'available') FROM new_rows GROUP BY event_id
  ON CONFLICT (event_id) DO UPDATE SET available = c.available + excluded.available;
  RETURN NULL;
END;
$$;

CREATE FUNCTION webhook_count_tickets_updated() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  event_ids text[];
  deltas integer[];
BEGIN
  -- Only statements that moved a ticket in or out of `available` change a count.
  SELECT array_agg(event_id), array_agg(delta) INTO event_ids, deltas FROM (
    SELECT event_id, sum(delta)::integer AS delta FROM (
      SELECT event_id, count(*) AS delta FROM new_rows WHERE status = 'available' GROUP BY event_id
      UNION ALL
      SELECT event_id, -count(*) FROM old_rows WHERE status = 'available' GROUP BY event_id
    ) AS moves GROUP BY event_id
  ) AS per_event WHERE delta <> 0;
  IF event_ids IS NOT NULL THEN
    PERFORM webhook_move_seat_counts(event_ids, deltas);
  END IF;
  RETURN NULL;
END;
$$;

CREATE FUNCTION webhook_count_tickets_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE event_seat_counts c SET available = greatest(0, c.available - gone.available)
  FROM (SELECT event_id, count(*) FILTER (WHERE status = 'available') AS available
        FROM old_rows GROUP BY event_id) AS gone
  WHERE c.event_id = gone.event_id;
  RETURN NULL;
END;
$$;

CREATE TRIGGER tickets_seat_counts_inserted AFTER INSERT ON tickets
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION webhook_count_tickets_inserted();
CREATE TRIGGER tickets_seat_counts_updated AFTER UPDATE ON tickets
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION webhook_count_tickets_updated();
CREATE TRIGGER tickets_seat_counts_deleted AFTER DELETE ON tickets
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION webhook_count_tickets_deleted();
