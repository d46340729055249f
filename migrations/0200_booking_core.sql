-- Booking core: a confirming hold names the payment it is being paid by (so a restarted actor knows
-- which payment may book it), and a payment whose confirming hold was given back is marked for refund
-- in the same transaction (so a crash between "give back" and "refund" is finished by recovery).
ALTER TABLE holds ADD COLUMN payment_id text;
ALTER TABLE holds ADD CONSTRAINT holds_confirming_has_payment CHECK ((status = 'confirming') = (payment_id IS NOT NULL));

ALTER TABLE payments ADD COLUMN refund_requested_at timestamptz;
ALTER TABLE payments ADD CONSTRAINT payments_booked_xor_refund CHECK (booking_id IS NULL OR refund_requested_at IS NULL);
-- Recovery looks for money taken that ended neither as a booking nor as a refund.
CREATE INDEX payments_unsettled ON payments (updated_at) WHERE status IN ('pending', 'captured') AND booking_id IS NULL;
-- GET /bookings/:id and /payments/:id look up by id (the keys lead with event_id for distribution).
CREATE INDEX bookings_id ON bookings (id);
CREATE INDEX payments_id ON payments (id);
-- Recovery finds confirming holds whose payment was declined but not given back (a crash between).
CREATE INDEX holds_payment ON holds (event_id, payment_id) WHERE payment_id IS NOT NULL;
