-- Money and time for buyers: an event's currency (ISO 4217; prices are in its minor unit), its
-- stage marker for the seat map, and a venue's IANA time zone.
--
-- Backfills. Every price written before this migration was in US cents (the layout said "USD"), so
-- existing events get 'USD': anything else would change what their prices mean. Existing venues get
-- the zone of their country where the country has one zone (by the names the demo catalog and most
-- admins use), else 'UTC', which an admin can correct.

ALTER TABLE events
  ADD COLUMN currency text NOT NULL DEFAULT 'USD' CHECK (currency ~ '^[A-Z]{3}$'),
  -- {"label": "..."}: where the stage is, drawn in front of the first section. NULL: none recorded.
  ADD COLUMN stage jsonb CHECK (stage IS NULL OR jsonb_typeof(stage) = 'object');

ALTER TABLE venues
  ADD COLUMN time_zone text NOT NULL DEFAULT 'UTC' CHECK (length(time_zone) BETWEEN 1 AND 64);

UPDATE venues SET time_zone = zone.name
FROM (VALUES
  ('united kingdom', 'Europe/London'), ('uk', 'Europe/London'), ('gb', 'Europe/London'),
  ('ireland', 'Europe/Dublin'), ('portugal', 'Europe/Lisbon'), ('spain', 'Europe/Madrid'),
  ('france', 'Europe/Paris'), ('germany', 'Europe/Berlin'), ('netherlands', 'Europe/Amsterdam'),
  ('belgium', 'Europe/Brussels'), ('italy', 'Europe/Rome'), ('austria', 'Europe/Vienna'),
  ('switzerland', 'Europe/Zurich'), ('denmark', 'Europe/Copenhagen'), ('sweden', 'Europe/Stockholm'),
  ('norway', 'Europe/Oslo'), ('finland', 'Europe/Helsinki'), ('poland', 'Europe/Warsaw'),
  ('czechia', 'Europe/Prague'), ('greece', 'Europe/Athens'), ('japan', 'Asia/Tokyo'),
  ('south korea', 'Asia/Seoul'), ('singapore', 'Asia/Singapore'), ('india', 'Asia/Kolkata'),
  ('argentina', 'America/Argentina/Buenos_Aires'), ('new zealand', 'Pacific/Auckland')
) AS zone (country, name)
WHERE lower(venues.country) = zone.country AND venues.time_zone = 'UTC';

-- The search document now carries the currency and the lowest price: a currency change is captured
-- like the other searched columns (sections never change after creation).
CREATE OR REPLACE FUNCTION search_capture_events_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM search_outbox_capture('event', ARRAY(
    SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
    WHERE (o.name, o.description, o.type, o.venue_id, o.starts_at, o.status, o.currency)
          IS DISTINCT FROM (n.name, n.description, n.type, n.venue_id, n.starts_at, n.status, n.currency)));
  RETURN NULL;
END;
$$;

-- Documents indexed before this migration lack the price and currency: every active event is
-- indexed again (the indexer works through the outbox in batches).
SELECT search_outbox_capture('event', ARRAY(SELECT id FROM events WHERE status = 'active'));
