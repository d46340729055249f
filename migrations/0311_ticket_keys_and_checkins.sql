-- E-tickets and check-in. Each event has its own Ed25519 key pair: scanners get the public key and
-- verify codes offline; the private key is stored sealed (AES-256-GCM under a key derived from the
-- server's TICKET_KEY_SECRET, the event id as associated data) and never leaves the server.
CREATE TABLE event_ticket_keys (
  event_id     text PRIMARY KEY REFERENCES events (id) ON DELETE CASCADE,
  -- Raw 32-byte Ed25519 public key, base64url.
  public_key   text NOT NULL CHECK (length(public_key) = 43),
  -- iv.ciphertext.tag of the 32-byte private seed, base64url each.
  sealed_seed  text NOT NULL CHECK (length(sealed_seed) BETWEEN 1 AND 200),
  created_at   timestamptz NOT NULL DEFAULT now()
);

-- One row per ticket of a booking let in at the door. The primary key decides a race between two
-- scanners: one INSERT wins, the other does nothing and reads the winner's time.
CREATE TABLE checkins (
  event_id       text NOT NULL,
  booking_id     text NOT NULL,
  ordinal        integer NOT NULL CHECK (ordinal >= 0),
  checked_in_at  timestamptz NOT NULL DEFAULT now(),
  scanned_by     text NOT NULL CHECK (length(scanned_by) BETWEEN 1 AND 200),
  PRIMARY KEY (event_id, booking_id, ordinal),
  FOREIGN KEY (event_id, booking_id) REFERENCES bookings (event_id, id)
);

-- Organisers page through an event's bookings in creation order.
CREATE INDEX bookings_event_created ON bookings (event_id, created_at, id);
-- Admin lists of venues and performers page in creation order.
CREATE INDEX venues_created ON venues (created_at, id);
CREATE INDEX performers_created ON performers (created_at, id);
