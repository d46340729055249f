-- Presales (issue 18): windows before an event's onSaleAt when a code opens the sale early.
-- Codes are stored as the hex SHA-256 of the code, never the code itself: a code is a bearer secret
-- worth tickets, shown once to the admin who creates it; a database read (a dump, a replica, an admin
-- list) must not hand out usable codes. Codes are random (>= 64 bits), so a plain hash is enough: there
-- is no dictionary to try. `hint` (the code's first characters) lets an organiser tell codes apart.
CREATE TABLE presales (
  id            text PRIMARY KEY,
  event_id      text NOT NULL REFERENCES events (id),
  name          text NOT NULL,
  starts_at     timestamptz NOT NULL,
  ends_at       timestamptz NOT NULL,
  uses_per_code integer NOT NULL CHECK (uses_per_code >= 1),
  created_at    timestamptz NOT NULL DEFAULT now(),
  CHECK (starts_at < ends_at)
);
CREATE INDEX presales_event ON presales (event_id, created_at);

CREATE TABLE presale_codes (
  code_hash  text PRIMARY KEY,
  id         text NOT NULL UNIQUE,
  presale_id text NOT NULL REFERENCES presales (id),
  event_id   text NOT NULL,
  hint       text NOT NULL
);
CREATE INDEX presale_codes_presale ON presale_codes (presale_id);

-- One row per booking made under a code: written by the event's actor in the booking's own commit,
-- so a use is exactly as durable as the booking (a killed node loses neither). A code's uses are
-- counted from these rows when the actor activates.
CREATE TABLE presale_uses (
  event_id   text NOT NULL,
  booking_id text NOT NULL,
  code_id    text NOT NULL REFERENCES presale_codes (id),
  used_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (event_id, booking_id),
  FOREIGN KEY (event_id, booking_id) REFERENCES bookings (event_id, id)
);
CREATE INDEX presale_uses_code ON presale_uses (event_id, code_id);
