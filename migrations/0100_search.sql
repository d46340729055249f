-- Search: change data capture through a transactional outbox, and the Postgres search index.
--
-- Capture. Triggers on events, venues, performers and event_performers write one outbox row per
-- changed entity in the same transaction as the change, whatever code makes it (admin API, a
-- migration, psql): no dual writes. The indexer (indexer/indexer.ts) reads the outbox in order of
-- `position`.
--
-- Commit order. Ids from a sequence are handed out in statement order, not commit order: with two
-- concurrent writers, id 11 can commit (and be read) before id 10 commits, and a reader that moved
-- its position past 11 would never see 10. So the row's `id` is only its identity; its `position`
-- is drawn at COMMIT time by a deferred constraint trigger, under a single-writer lock (a
-- transaction-scoped advisory lock held until the commit completes): a transaction draws positions
-- only after every earlier capturing transaction has committed. Positions are therefore in commit
-- order, the committed outbox is a gap-free prefix by position, and "everything up to my position"
-- is exact. The lock is held only from the pre-commit step to the end of the commit (a few
-- milliseconds), not while, say, 100,000 tickets are generated. (`SET CONSTRAINTS ALL IMMEDIATE`
-- only takes it earlier, which stays correct.)
-- We chose this over txid + pg_snapshot_xmin visibility because transaction ids and the snapshot
-- xmin are cluster-wide: any long transaction in ANY database of the cluster (a bulk load, a
-- benchmark, a slow migration) holds that horizon back and would stall indexing for its duration.
--
-- Bulk loads of millions of rows should disable triggers (session_replication_role = replica) and
-- run `npm run reindex` afterwards, as the search benchmark does.
--
-- The lock key (7346224100) is also named in indexer/outbox.ts.

CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE SEQUENCE search_outbox_position_seq;

CREATE TABLE search_outbox (
  id          bigserial PRIMARY KEY,
  -- The capturing transaction, to find its rows at commit.
  txid        xid8 NOT NULL DEFAULT pg_current_xact_id(),
  -- Commit order; NULL only inside the capturing transaction, before its commit.
  position    bigint UNIQUE,
  entity      text NOT NULL CHECK (entity IN ('event', 'venue', 'performer')),
  entity_id   text NOT NULL,
  -- When the change was captured: the indexing lag metric is measured from here.
  captured_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX search_outbox_unsequenced ON search_outbox (txid) WHERE position IS NULL;

-- The indexer's position: every outbox row with position <= this is reflected in the index.
CREATE TABLE search_indexer_state (
  name        text PRIMARY KEY,
  position    bigint NOT NULL DEFAULT 0 CHECK (position >= 0),
  updated_at  timestamptz NOT NULL DEFAULT now()
);
INSERT INTO search_indexer_state (name) VALUES ('search');

CREATE FUNCTION search_outbox_capture(captured_entity text, ids text[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  IF ids IS NULL OR cardinality(ids) = 0 THEN
    RETURN;
  END IF;
  INSERT INTO search_outbox (entity, entity_id)
  SELECT captured_entity, id FROM (SELECT DISTINCT unnest(ids) AS id) AS distinct_ids;
END;
$$;

-- Runs at commit (deferred) for each outbox row; the first run of a transaction numbers all its
-- rows, the others find nothing left to number.
CREATE FUNCTION search_outbox_sequence() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- Single-writer lock until the commit completes: see the header of this file.
  PERFORM pg_advisory_xact_lock(7346224100);
  UPDATE search_outbox SET position = nextval('search_outbox_position_seq')
  WHERE txid = pg_current_xact_id() AND position IS NULL;
  IF FOUND THEN
    -- Wakes the indexer (delivered only if this transaction commits).
    PERFORM pg_notify('marquee_search_outbox', '');
  END IF;
  RETURN NULL;
END;
$$;
CREATE CONSTRAINT TRIGGER search_outbox_sequenced AFTER INSERT ON search_outbox
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION search_outbox_sequence();

-- Statement-level triggers with transition tables: a bulk statement costs one capture, not one per row.
-- (A trigger with transition tables may name one operation only, hence one trigger per operation.)

CREATE FUNCTION search_capture_events_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM search_outbox_capture('event', ARRAY(SELECT id FROM new_rows));
  RETURN NULL;
END;
$$;

-- Only changes of columns that a search document is built from are captured (an update of, say,
-- the waiting-room settings writes nothing to the outbox).
CREATE FUNCTION search_capture_events_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM search_outbox_capture('event', ARRAY(
    SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
    WHERE (o.name, o.description, o.type, o.venue_id, o.starts_at, o.status)
          IS DISTINCT FROM (n.name, n.description, n.type, n.venue_id, n.starts_at, n.status)));
  RETURN NULL;
END;
$$;

CREATE FUNCTION search_capture_events_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM search_outbox_capture('event', ARRAY(SELECT id FROM old_rows));
  RETURN NULL;
END;
$$;

CREATE TRIGGER events_search_inserted AFTER INSERT ON events
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION search_capture_events_inserted();
CREATE TRIGGER events_search_updated AFTER UPDATE ON events
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION search_capture_events_updated();
CREATE TRIGGER events_search_deleted AFTER DELETE ON events
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION search_capture_events_deleted();

-- A venue or performer change is captured once; the indexer expands it to all their events.
-- (Inserts need no capture: a new venue or performer has no events yet. Deletes are refused by the
-- foreign keys while events refer to them.)
CREATE FUNCTION search_capture_venues_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM search_outbox_capture('venue', ARRAY(
    SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
    WHERE (o.name, o.city, o.country, o.lat, o.lng) IS DISTINCT FROM (n.name, n.city, n.country, n.lat, n.lng)));
  RETURN NULL;
END;
$$;
CREATE TRIGGER venues_search_updated AFTER UPDATE ON venues
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION search_capture_venues_updated();

CREATE FUNCTION search_capture_performers_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM search_outbox_capture('performer', ARRAY(
    SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE o.name IS DISTINCT FROM n.name));
  RETURN NULL;
END;
$$;
CREATE TRIGGER performers_search_updated AFTER UPDATE ON performers
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION search_capture_performers_updated();

CREATE FUNCTION search_capture_event_performers_new() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM search_outbox_capture('event', ARRAY(SELECT event_id FROM new_rows));
  RETURN NULL;
END;
$$;
CREATE FUNCTION search_capture_event_performers_old() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM search_outbox_capture('event', ARRAY(SELECT event_id FROM old_rows));
  RETURN NULL;
END;
$$;
CREATE TRIGGER event_performers_search_inserted AFTER INSERT ON event_performers
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION search_capture_event_performers_new();
CREATE TRIGGER event_performers_search_updated AFTER UPDATE ON event_performers
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION search_capture_event_performers_new();
CREATE TRIGGER event_performers_search_deleted AFTER DELETE ON event_performers
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION search_capture_event_performers_old();

-- The Postgres search index, written ONLY by the indexer (indexer/postgres-index.ts).
--
-- One narrow row per searchable event: the filter and order columns, a weighted tsvector and the hit
-- itself as JSON (so a page is 20 primary-key reads, no joins). Most indexes INCLUDE what their
-- queries need, so counting and paging by date, type, venue (place or distance) can be answered
-- from the index alone; only full-text matches read the rows. A reindex writes the rows in starts_at order,
-- so "the soonest matches" are also the first rows on disk.
CREATE TABLE search_documents (
  event_id       text PRIMARY KEY,
  -- The outbox position the document was built at: a write with an older version never wins.
  version        bigint NOT NULL CHECK (version >= 0),
  starts_at      timestamptz NOT NULL,
  type           text NOT NULL,
  venue_id       text NOT NULL,
  search_vector  tsvector NOT NULL,
  -- {"id","name","type","startsAt","venue":{"name","city","country"},"performers":[...]}
  result         json NOT NULL
);
CREATE INDEX search_documents_search_vector ON search_documents USING gin (search_vector);
CREATE INDEX search_documents_starts_at ON search_documents (starts_at, event_id);
CREATE INDEX search_documents_type_starts_at ON search_documents (type, starts_at) INCLUDE (event_id);
CREATE INDEX search_documents_venue_starts_at ON search_documents (venue_id, starts_at) INCLUDE (event_id, type);

-- Venues by name, city, country and place: `location` and the distance filter find venues here
-- first, then their events through (venue_id, starts_at).
CREATE TABLE search_venues (
  venue_id         text PRIMARY KEY,
  version          bigint NOT NULL CHECK (version >= 0),
  location_vector  tsvector NOT NULL,
  -- point(x = longitude, y = latitude), NULL when the venue has no coordinates.
  geo              point
);
CREATE INDEX search_venues_location_vector ON search_venues USING gin (location_vector);
CREATE INDEX search_venues_geo ON search_venues USING gist (geo);

-- The texts are normalized by the indexer's transform (lower case, accents folded, punctuation to
-- spaces), so documents and queries agree on words. Name and performers weigh most (A), then venue,
-- city and country (B), then the description (C). One definition for the indexer and the reindex.
CREATE FUNCTION search_document_vector(primary_text text, venue_text text, description_text text)
RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT setweight(to_tsvector('simple'::regconfig, primary_text), 'A')
      || setweight(to_tsvector('simple'::regconfig, venue_text), 'B')
      || setweight(to_tsvector('simple'::regconfig, description_text), 'C')
$$;

-- Every word the index has seen (for typo tolerance: a query word that is not here is replaced by
-- the nearest words by trigram distance and edit distance). Append-only: a word that is no longer in
-- any document only costs an alternative that matches nothing.
CREATE TABLE search_terms (
  term  text COLLATE "C" PRIMARY KEY CHECK (length(term) BETWEEN 1 AND 64)
);
CREATE INDEX search_terms_trigram ON search_terms USING gist (term gist_trgm_ops);
