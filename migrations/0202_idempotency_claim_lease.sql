-- A claim of an Idempotency-Key is a lease. A confirm that claimed its key and died before its
-- payment intent was recorded (its node killed) leaves the key with neither payment nor answer; once
-- the lease has run out, a retry of the same request takes the key over instead of being told
-- "still being processed" for ever. `claim_id` names the holder, so only it gives the key back.
ALTER TABLE idempotency_keys
  ADD COLUMN claim_id   text,
  ADD COLUMN claimed_at timestamptz NOT NULL DEFAULT now();
