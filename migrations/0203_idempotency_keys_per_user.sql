-- An Idempotency-Key belongs to its user across every event: the same user and key on another event
-- (whose body names other tickets, so it is another request) is a 409 IDEMPOTENCY_CONFLICT, never a
-- second charge. The confirm runs in the event's actor node, so two events' nodes can race on one
-- key: this unique index is the arbiter (the claim's INSERT ... ON CONFLICT DO NOTHING loses to it).
--
-- Keys reused on several events before this migration stay answerable for their own event (a replay
-- of such an old request still gets its booking) but are marked `scoped_to_event`: the earliest use
-- of each (user, key) holds the user-wide slot, the later ones are left out of the unique index.
ALTER TABLE idempotency_keys ADD COLUMN scoped_to_event boolean NOT NULL DEFAULT false;

UPDATE idempotency_keys k SET scoped_to_event = true
FROM (
  SELECT event_id, user_id, key,
         row_number() OVER (PARTITION BY user_id, key ORDER BY created_at, event_id) AS use_number
  FROM idempotency_keys
) earlier
WHERE earlier.use_number > 1
  AND k.event_id = earlier.event_id AND k.user_id = earlier.user_id AND k.key = earlier.key;

CREATE UNIQUE INDEX idempotency_keys_user_key ON idempotency_keys (user_id, key) WHERE NOT scoped_to_event;
