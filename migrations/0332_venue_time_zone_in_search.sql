-- Search results show an event's time in its venue's time zone: a venue's zone is captured like its
-- other searched columns (0331 reindexed every event, so documents carry it from there on).
CREATE OR REPLACE FUNCTION search_capture_venues_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM search_outbox_capture('venue', ARRAY(
    SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
    WHERE (o.name, o.city, o.country, o.lat, o.lng, o.time_zone)
          IS DISTINCT FROM (n.name, n.city, n.country, n.lat, n.lng, n.time_zone)));
  RETURN NULL;
END;
$$;
