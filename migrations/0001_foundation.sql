-- Foundation schema. Every table of seats, holds, bookings and payments carries event_id and its
-- primary and unique keys include it, so the tables can be distributed by event (Citus).

CREATE TABLE performers (
  id          text PRIMARY KEY,
  name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  genre       text CHECK (genre IS NULL OR length(genre) <= 100),
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  version     bigint NOT NULL DEFAULT 1
);

CREATE TABLE venues (
  id          text PRIMARY KEY,
  name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  city        text NOT NULL CHECK (length(city) BETWEEN 1 AND 200),
  country     text NOT NULL CHECK (length(country) BETWEEN 1 AND 200),
  lat         double precision CHECK (lat BETWEEN -90 AND 90),
  lng         double precision CHECK (lng BETWEEN -180 AND 180),
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  version     bigint NOT NULL DEFAULT 1
);

CREATE TABLE events (
  id                    text PRIMARY KEY,
  name                  text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  description           text NOT NULL DEFAULT '' CHECK (length(description) <= 5000),
  type                  text NOT NULL CHECK (length(type) BETWEEN 1 AND 50),
  venue_id              text NOT NULL REFERENCES venues (id),
  starts_at             timestamptz NOT NULL,
  on_sale_at            timestamptz NOT NULL,
  -- Section order as given at creation: "best available" prefers earlier sections.
  sections              jsonb NOT NULL,
  waiting_room          jsonb NOT NULL DEFAULT '{"enabled": false}',
  tickets_per_user_max  integer NOT NULL DEFAULT 10 CHECK (tickets_per_user_max BETWEEN 1 AND 100),
  ticket_count          integer NOT NULL CHECK (ticket_count >= 0),
  status                text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'deleted')),
  created_at            timestamptz NOT NULL DEFAULT now(),
  updated_at            timestamptz NOT NULL DEFAULT now(),
  version               bigint NOT NULL DEFAULT 1
);
CREATE INDEX events_venue_id ON events (venue_id);
CREATE INDEX events_starts_at ON events (starts_at);

CREATE TABLE event_performers (
  event_id      text NOT NULL REFERENCES events (id) ON DELETE CASCADE,
  performer_id  text NOT NULL REFERENCES performers (id),
  position      integer NOT NULL CHECK (position >= 0),
  PRIMARY KEY (event_id, performer_id)
);
CREATE INDEX event_performers_performer_id ON event_performers (performer_id);

-- One row per seat. The ticket id seen by clients is `<event_id>.<ordinal>`.
-- status is the durable state; holds (below) are layered on top and lapse by the clock.
CREATE TABLE tickets (
  event_id       text NOT NULL REFERENCES events (id) ON DELETE CASCADE,
  ordinal        integer NOT NULL CHECK (ordinal >= 0),
  section_index  integer NOT NULL CHECK (section_index >= 0),
  section        text NOT NULL,
  row_index      integer NOT NULL CHECK (row_index >= 0),
  row_label      text NOT NULL,
  seat           integer NOT NULL CHECK (seat >= 1),
  price_cents    integer NOT NULL CHECK (price_cents >= 0),
  status         text NOT NULL DEFAULT 'available' CHECK (status IN ('available', 'booked')),
  booking_id     text,
  PRIMARY KEY (event_id, ordinal),
  UNIQUE (event_id, section_index, row_index, seat),
  CHECK ((status = 'booked') = (booking_id IS NOT NULL))
);

-- The per-event owner: the fencing epoch taken by the actor that activates, and the seat-state
-- version that real-time deltas continue from. Every actor write checks the epoch in its transaction.
CREATE TABLE event_actors (
  event_id      text PRIMARY KEY REFERENCES events (id) ON DELETE CASCADE,
  epoch         bigint NOT NULL DEFAULT 0 CHECK (epoch >= 0),
  seat_version  bigint NOT NULL DEFAULT 0 CHECK (seat_version >= 0),
  owner         text,
  activated_at  timestamptz
);

-- A live hold on one seat. status 'confirming' = being paid for: it cannot lapse.
CREATE TABLE holds (
  event_id    text NOT NULL REFERENCES events (id) ON DELETE CASCADE,
  ordinal     integer NOT NULL,
  hold_id     text NOT NULL,
  user_id     text NOT NULL,
  status      text NOT NULL DEFAULT 'held' CHECK (status IN ('held', 'confirming')),
  expires_at  timestamptz NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (event_id, ordinal),
  FOREIGN KEY (event_id, ordinal) REFERENCES tickets (event_id, ordinal) ON DELETE CASCADE
);
CREATE INDEX holds_user ON holds (event_id, user_id);

CREATE TABLE bookings (
  event_id      text NOT NULL REFERENCES events (id),
  id            text NOT NULL,
  user_id       text NOT NULL,
  amount_cents  bigint NOT NULL CHECK (amount_cents >= 0),
  status        text NOT NULL DEFAULT 'confirmed' CHECK (status IN ('confirmed', 'cancelled')),
  payment_id    text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (event_id, id),
  UNIQUE (event_id, payment_id)
);
CREATE INDEX bookings_user ON bookings (user_id, created_at);

-- The last line of defence against double booking: a ticket is in at most one booking.
CREATE TABLE booking_tickets (
  event_id    text NOT NULL,
  ordinal     integer NOT NULL,
  booking_id  text NOT NULL,
  PRIMARY KEY (event_id, ordinal),
  FOREIGN KEY (event_id, booking_id) REFERENCES bookings (event_id, id),
  FOREIGN KEY (event_id, ordinal) REFERENCES tickets (event_id, ordinal)
);

CREATE TABLE payments (
  event_id          text NOT NULL REFERENCES events (id),
  id                text NOT NULL,
  user_id           text NOT NULL,
  idempotency_key   text NOT NULL CHECK (length(idempotency_key) BETWEEN 8 AND 128),
  hold_id           text,
  ordinals          integer[] NOT NULL,
  amount_cents      bigint NOT NULL CHECK (amount_cents >= 0),
  status            text NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'captured', 'declined', 'refunded')),
  provider          text NOT NULL DEFAULT 'simulated',
  provider_ref      text,
  booking_id        text,
  failure_reason    text,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (event_id, id),
  UNIQUE (event_id, user_id, idempotency_key),
  CHECK (status <> 'captured' OR provider_ref IS NOT NULL)
);
CREATE INDEX payments_captured_unbooked ON payments (updated_at) WHERE status = 'captured' AND booking_id IS NULL;
CREATE INDEX payments_user ON payments (user_id);

-- Idempotency-Key records: same key + same body -> same answer; another body -> 409.
CREATE TABLE idempotency_keys (
  event_id      text NOT NULL REFERENCES events (id),
  user_id       text NOT NULL,
  key           text NOT NULL CHECK (length(key) BETWEEN 8 AND 128),
  request_hash  text NOT NULL,
  payment_id    text,
  status_code   integer CHECK (status_code BETWEEN 100 AND 599),
  response      jsonb,
  created_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (event_id, user_id, key)
);
