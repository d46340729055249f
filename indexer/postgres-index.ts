// The Postgres search index: the denormalized table `search_documents` (migrations/0100_search.sql)
// with a weighted tsvector (GIN), a location tsvector (GIN), a point (GiST) and btree indexes on
// starts_at and type; typo tolerance from the `search_terms` word list (trigram GiST + edit distance).
// Only the indexer writes here.
import { pipeline } from "node:stream/promises";
import { Readable } from "node:stream";
import { from as copyFrom } from "pg-copy-streams";
import type pg from "pg";
import { transaction, type Database } from "../platform/database.ts";
import {
  searchRankedCandidatesMax,
  searchTotalCountMax,
  searchTypoAlternativesMax,
  searchTypoCandidatesMax,
  searchWordCacheMax,
} from "../domain/limits.ts";
import {
  toSearchResult,
  type SearchDocument,
  type SearchPage,
  type SearchResult,
} from "./search-document.ts";
import type { IndexRebuild, IndexWrite, SearchIndex } from "./search-index.ts";
import {
  boundingBoxes,
  closestWords,
  earthRadiusKm,
  editsAllowed,
  prefixLengthMin,
  type SearchQuery,
} from "./search-query.ts";

const documentsTable = "search_documents";
const venuesTable = "search_venues";
const termsTable = "search_terms";
/** Lexemes longer than this are not kept in the word list (its CHECK constraint). */
const termLengthMax = 64;

/**
 * A document as the writers hand it to Postgres (JSON rows for the indexer, CSV for the reindex);
 * SQL turns it into the table's columns (documentColumnsFrom), so both paths build identical rows.
 */
const stagedColumns = [
  "event_id",
  "version",
  "starts_at",
  "type",
  "venue_id",
  "lat",
  "lng",
  "primary_text",
  "venue_text",
  "description_text",
  "result",
] as const;
const stagedRecordType = `event_id text, version bigint, starts_at timestamptz, type text, venue_id text,
  lat double precision, lng double precision, primary_text text, venue_text text, description_text text, result json`;

const documentColumns = "event_id, version, starts_at, type, venue_id, search_vector, result";
const documentColumnsFrom = (row: string) => `${row}.event_id, ${row}.version, ${row}.starts_at, ${row}.type,
  ${row}.venue_id, search_document_vector(${row}.primary_text, ${row}.venue_text, ${row}.description_text), ${row}.result`;
const venueColumns = "venue_id, version, location_vector, geo";
const venueColumnsFrom = (row: string) => `${row}.venue_id, ${row}.version,
  to_tsvector('simple'::regconfig, ${row}.venue_text),
  CASE WHEN ${row}.lat IS NULL OR ${row}.lng IS NULL THEN NULL ELSE point(${row}.lng, ${row}.lat) END`;

function stagedRow(document: SearchDocument) {
  return {
    event_id: document.id,
    version: document.version,
    starts_at: document.startsAt,
    type: document.type,
    venue_id: document.venue.id,
    lat: document.venue.lat,
    lng: document.venue.lng,
    primary_text: document.primaryText,
    venue_text: document.venueText,
    description_text: document.descriptionText,
    result: toSearchResult(document),
  };
}

/** Builds SQL text with numbered parameters. */
class Parameters {
  readonly values: unknown[] = [];
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/** A tsquery word: only letters and digits reach here (normalizeText), so quoting is safe. */
const plainWord = /^[\p{L}\p{N}]+$/u;

function tsWord(word: string, prefix: boolean): string {
  if (!plainWord.test(word)) throw new Error("a query word must be letters and digits only");
  return `'${word}'${prefix ? ":*" : ""}`;
}

export interface WordAlternatives {
  word: string;
  /** The word itself is indexed. */
  exact: boolean;
  /** Some indexed word starts with it (3 letters or more). */
  prefix: boolean;
  /** For an unknown word: the nearest indexed words within the allowed edits. */
  alternatives: string[];
}

/**
 * Every query word must match: a known word as itself ("live" does not also find "liverpool", and a
 * whole-word lookup is far cheaper than a prefix scan), a word that only begins indexed words as a
 * prefix ("tay" finds "taylor"), an unknown word as one of its near words ("swfit" finds "swift").
 */
export function termQueryText(words: WordAlternatives[]): string {
  return words
    .map(({ word, exact, prefix, alternatives }) => {
      if (exact) return tsWord(word, false);
      if (prefix && word.length >= prefixLengthMin) return tsWord(word, true);
      // The word itself stays an option: it may have entered the index since it was looked up.
      const options = [word, ...alternatives].map((option) => tsWord(option, false));
      return options.length === 1 ? options[0] : `(${options.join(" | ")})`;
    })
    .join(" & ");
}

/** Location words must all match venue name, city or country; a word of 3+ letters may be a prefix. */
export const locationQueryText = (words: string[]): string =>
  words.map((word) => tsWord(word, word.length >= prefixLengthMin)).join(" & ");

/**
 * Location words among a document's venue words (its B-weighted part): a known word whole, else as
 * a prefix (no typo tolerance for places).
 */
export const venueWordsQueryText = (words: WordAlternatives[]): string =>
  words
    .map(({ word, exact, prefix }) => {
      const asPrefix = !exact && prefix && word.length >= prefixLengthMin;
      return `${tsWord(word, asPrefix)}${asPrefix ? "" : ":"}B`;
    })
    .join(" & ");

export class PostgresIndex implements SearchIndex {
  readonly backend = "postgres" as const;

  /** What the word list says about recent query words (bounded; cleared when the index moves). */
  private readonly words = new Map<string, WordAlternatives>();

  constructor(private readonly db: Database) {}

  async prepare(): Promise<void> {
    // The tables come from migrations/0100_search.sql; check they are there.
    const { rows } = await this.db.query("SELECT to_regclass($1) AS documents, to_regclass($2) AS terms", [
      documentsTable,
      termsTable,
    ]);
    if (!rows[0].documents || !rows[0].terms) throw new Error("search tables missing: run the migrations");
  }

  async write(batch: IndexWrite): Promise<void> {
    if (batch.upserts.length === 0 && batch.removals.length === 0) return;
    await transaction(this.db, async (client) => {
      if (batch.upserts.length > 0) {
        // One statement: documents, their venues and their words, each upsert guarded by version.
        await client.query(
          `WITH r AS (SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(${stagedRecordType})),
           documents AS (
             INSERT INTO ${documentsTable} (${documentColumns}) SELECT ${documentColumnsFrom("r")} FROM r
             ON CONFLICT (event_id) DO UPDATE SET version = EXCLUDED.version, starts_at = EXCLUDED.starts_at,
               type = EXCLUDED.type, venue_id = EXCLUDED.venue_id, search_vector = EXCLUDED.search_vector, result = EXCLUDED.result
             WHERE ${documentsTable}.version <= EXCLUDED.version
             RETURNING search_vector),
           venues AS (
             INSERT INTO ${venuesTable} (${venueColumns})
             SELECT DISTINCT ON (r.venue_id) ${venueColumnsFrom("r")} FROM r ORDER BY r.venue_id, r.version DESC
             ON CONFLICT (venue_id) DO UPDATE SET version = EXCLUDED.version, location_vector = EXCLUDED.location_vector,
               geo = EXCLUDED.geo
             WHERE ${venuesTable}.version <= EXCLUDED.version)
           INSERT INTO ${termsTable} (term)
           SELECT DISTINCT u.lexeme FROM documents, unnest(documents.search_vector) AS u
           WHERE length(u.lexeme) <= ${termLengthMax}
           ON CONFLICT DO NOTHING`,
          [JSON.stringify(batch.upserts.map(stagedRow))],
        );
      }
      if (batch.removals.length > 0) {
        await client.query(`DELETE FROM ${documentsTable} WHERE event_id = ANY($1) AND version <= $2`, [
          batch.removals,
          batch.version,
        ]);
      }
    });
  }

  /**
   * Forgets what it learned about query words (the search service calls this whenever the index
   * moved, so a word that just entered the index is looked up again).
   */
  indexChanged(): void {
    this.words.clear();
  }

  /** For each query word: is it indexed (or the start of indexed words), and if not, which words are near. */
  async alternativesFor(words: string[]): Promise<WordAlternatives[]> {
    // Answered from what is known now plus what is looked up: the cache may be cleared (the index
    // moved) or evicted by another query while the lookup is awaited.
    const known = new Map<string, WordAlternatives>();
    for (const word of words) {
      const cached = this.words.get(word);
      if (cached) known.set(word, cached);
    }
    const unknown = [...new Set(words.filter((word) => !known.has(word)))];
    if (unknown.length > 0) {
      for (const found of await this.lookUpWords(unknown)) {
        known.set(found.word, found);
        if (this.words.size >= searchWordCacheMax) this.words.delete(this.words.keys().next().value!);
        this.words.set(found.word, found);
      }
    }
    return words.map((word) => {
      const found = known.get(word);
      if (!found) throw new Error(`search: no lookup result for a query word`);
      return found;
    });
  }

  private async lookUpWords(words: string[]): Promise<WordAlternatives[]> {
    // One round trip: exact and prefix probes on the btree, and for unknown words the nearest words
    // by trigram distance (GiST, KNN) plus exact lookups of the word's adjacent transpositions (which
    // trigrams rank poorly: "swfit" shares few trigrams with "swift").
    const { rows } = await this.db.query(
      `SELECT w.word, k.exact, k.prefix,
         CASE WHEN k.exact OR k.prefix THEN '{}'::text[] ELSE ARRAY(
           SELECT t.term FROM ${termsTable} t ORDER BY t.term <-> w.word LIMIT $2) || ARRAY(
           SELECT t.term FROM ${termsTable} t WHERE t.term IN (
             SELECT substr(w.word, 1, i - 1) || substr(w.word, i + 1, 1) || substr(w.word, i, 1) || substr(w.word, i + 2)
             FROM generate_series(1, length(w.word) - 1) AS i))
         END AS candidates
       FROM unnest($1::text[]) WITH ORDINALITY AS w(word, position)
       CROSS JOIN LATERAL (SELECT
         EXISTS (SELECT 1 FROM ${termsTable} t WHERE t.term = w.word) AS exact,
         length(w.word) >= ${prefixLengthMin} AND EXISTS (SELECT 1 FROM ${termsTable} t
           WHERE t.term > w.word COLLATE "C" AND t.term < (w.word || chr(1114111)) COLLATE "C") AS prefix) AS k
       ORDER BY w.position`,
      [words, searchTypoCandidatesMax],
    );
    return rows.map((row) => ({
      word: row.word,
      exact: row.exact,
      prefix: row.prefix,
      alternatives:
        row.exact || row.prefix || editsAllowed(row.word) === 0
          ? []
          : closestWords(
              row.word,
              // Only plain words can stand in a tsquery (an indexed "rock-n-roll" cannot).
              (row.candidates as string[]).filter((candidate) => plainWord.test(candidate)),
              searchTypoAlternativesMax,
            ),
    }));
  }

  async search(query: SearchQuery): Promise<SearchPage> {
    if (query.matchesNothing) return { total: 0, totalExact: true, results: [] };
    const parameters = new Parameters();
    const common: string[] = [];
    const conditions: string[] = [`d.starts_at >= ${parameters.add(query.startsFrom)}`];
    if (query.startsBefore) conditions.push(`d.starts_at < ${parameters.add(query.startsBefore)}`);
    if (query.type !== null) conditions.push(`d.type = ${parameters.add(query.type)}`);
    // Place filters are venue properties: venues are found first (a small table), then their events
    // through (venue_id, starts_at), which also carries type and event_id (index-only scans).
    const venueConditions: string[] = [];
    if (query.locationWords.length > 0 && query.words.length === 0) {
      // (With a term, the location joins the full-text query instead: see below.)
      venueConditions.push(
        `location_vector @@ to_tsquery('simple'::regconfig, ${parameters.add(locationQueryText(query.locationWords))})`,
      );
    }
    if (query.geo) {
      const boxes = boundingBoxes(query.geo).map(
        (box) =>
          `geo <@ box(point(${parameters.add(box.minLng)}, ${parameters.add(box.minLat)}), point(${parameters.add(
            box.maxLng,
          )}, ${parameters.add(box.maxLat)}))`,
      );
      venueConditions.push(boxes.length === 1 ? boxes[0] : `(${boxes.join(" OR ")})`);
      // Exact distance (geo[1] = latitude, geo[0] = longitude).
      const lat = parameters.add(query.geo.lat);
      const lng = parameters.add(query.geo.lng);
      venueConditions.push(
        `2 * ${earthRadiusKm} * asin(least(1, sqrt(
           power(sin(radians(geo[1] - ${lat}::float8) / 2), 2)
           + cos(radians(${lat}::float8)) * cos(radians(geo[1])) * power(sin(radians(geo[0] - ${lng}::float8) / 2), 2))))
         <= ${parameters.add(query.geo.radiusKm)}::float8`,
      );
    }
    if (venueConditions.length > 0) {
      common.push(
        `v AS MATERIALIZED (SELECT coalesce(array_agg(venue_id), '{}') AS ids FROM ${venuesTable}
           WHERE ${venueConditions.join(" AND ")})`,
      );
      conditions.push("d.venue_id = ANY ((SELECT ids FROM v)::text[])");
    }
    let termQuery: string | null = null;
    if (query.words.length > 0) {
      const words = await this.alternativesFor([...query.words, ...query.locationWords]);
      // The venue, city and country are the documents' B-weighted words: with a term, the location
      // is matched by the same GIN index, which intersects posting lists far more cheaply than
      // combining two bitmaps of tens of thousands of rows.
      const place = words.slice(query.words.length);
      const location = place.length > 0 ? ` & ${venueWordsQueryText(place)}` : "";
      termQuery = parameters.add(termQueryText(words.slice(0, query.words.length)) + location);
      conditions.push(`d.search_vector @@ to_tsquery('simple'::regconfig, ${termQuery})`);
    }
    const where = conditions.join(" AND ");
    const limit = parameters.add(query.limit);
    const offset = parameters.add(query.offset);
    let ctes: string[];
    let count: string;
    let order: string;
    if (termQuery) {
      // Best match first, then soonest, among the first matches in starts_at order (bounded, see
      // limits.ts). The window takes them in the order of the table, which the reindex writes in
      // starts_at order: the bitmap scan stops after `window` rows instead of sorting every match of
      // a common word (rows written since the last reindex may sit out of order; a window holding
      // every match, the usual case, is exact). One scan also counts (up to the window).
      const window = Math.max(searchRankedCandidatesMax, query.offset + query.limit);
      const rank = `round(ts_rank(w.search_vector, to_tsquery('simple'::regconfig, ${termQuery}))::numeric, 4)`;
      ctes = [
        `w AS MATERIALIZED (SELECT d.event_id, d.starts_at, d.search_vector FROM ${documentsTable} d
                            WHERE ${where} LIMIT ${parameters.add(window + 1)})`,
        `page AS (SELECT w.event_id, w.starts_at, ${rank} AS rank FROM w
                  ORDER BY rank DESC, w.starts_at, w.event_id OFFSET ${offset} LIMIT ${limit})`,
      ];
      count = "SELECT count(*) FROM w";
      order = "page.rank DESC, page.starts_at, page.event_id";
    } else {
      ctes = [
        `page AS (SELECT d.event_id, d.starts_at FROM ${documentsTable} d WHERE ${where}
                  ORDER BY d.starts_at, d.event_id OFFSET ${offset} LIMIT ${limit})`,
      ];
      count = `SELECT count(*) FROM (SELECT 1 FROM ${documentsTable} d WHERE ${where}
               LIMIT ${parameters.add(searchTotalCountMax + 1)}) AS counted`;
      order = "page.starts_at, page.event_id";
    }
    const sql = `WITH ${[...common, ...ctes].join(",\n")}
      SELECT (${count})::int AS total,
             coalesce((SELECT json_agg(m.result ORDER BY ${order})
                       FROM page JOIN ${documentsTable} m ON m.event_id = page.event_id), '[]'::json) AS results`;
    const { rows } = await this.db.query(sql, parameters.values);
    const counted: number = rows[0].total;
    return {
      total: Math.min(counted, searchTotalCountMax),
      totalExact: counted <= searchTotalCountMax,
      results: rows[0].results as SearchResult[],
    };
  }

  async count(): Promise<number> {
    const { rows } = await this.db.query(`SELECT count(*)::int AS n FROM ${documentsTable}`);
    return rows[0].n;
  }

  async beginRebuild(): Promise<IndexRebuild> {
    const client = await this.db.connect();
    try {
      // The whole rebuild is one transaction: the new tables are invisible until the swap commits,
      // and a rebuild that dies half-way leaves nothing behind.
      await client.query("BEGIN");
      await client.query("SET LOCAL statement_timeout = 0");
      await client.query("SET LOCAL maintenance_work_mem = '256MB'");
      await client.query(`CREATE TEMP TABLE search_staging (${stagedRecordType}) ON COMMIT DROP`);
      for (const table of rebuiltTables) {
        await client.query(`DROP TABLE IF EXISTS ${table}_next`);
        // Same columns and checks; indexes come after the load (much faster).
        await client.query(
          `CREATE TABLE ${table}_next (LIKE ${table} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`,
        );
      }
    } catch (error) {
      await client.query("ROLLBACK").catch(() => {});
      client.release(error as Error);
      throw error;
    }
    return new PostgresRebuild(client);
  }

  /**
   * VACUUM sets the visibility map of the freshly loaded tables, so counts and ordered scans can be
   * answered from the indexes alone (autovacuum would get there too, later).
   */
  async settle(): Promise<void> {
    const client = await this.db.connect();
    try {
      // VACUUM cannot run in a transaction (so no SET LOCAL); RESET restores the pool's setting.
      await client.query("SET statement_timeout = 0");
      for (const table of rebuiltTables) {
        await client.query({
          text: `VACUUM (ANALYZE) ${table}`,
          query_timeout: rebuildQueryTimeoutMs,
        } as pg.QueryConfig);
      }
      await client.query("RESET statement_timeout");
      client.release();
    } catch (error) {
      client.release(error as Error);
      throw error;
    }
  }

  async close(): Promise<void> {
    // The pool belongs to the caller.
  }
}

// ---- Rebuild: COPY into staging, write the tables in starts_at order, index them, swap them in -----

const rebuiltTables = [documentsTable, venuesTable, termsTable];

/** Index builds over a million rows take a while: the pool's client-side query timeout is lifted. */
const rebuildQueryTimeoutMs = 3_600_000;

const csvField = (value: string | number | object | null): string =>
  value === null
    ? ""
    : typeof value === "number"
      ? String(value)
      : `"${(typeof value === "string" ? value : JSON.stringify(value)).replace(/"/g, '""')}"`;

export function stagedCsvLine(document: SearchDocument): string {
  const row = stagedRow(document);
  return stagedColumns.map((column) => csvField(row[column])).join(",") + "\n";
}

interface IndexDefinition {
  name: string;
  definition: string;
  primary: boolean;
}

async function indexDefinitions(client: pg.PoolClient, table: string): Promise<IndexDefinition[]> {
  const { rows } = await client.query(
    `SELECT i.relname AS name, pg_get_indexdef(x.indexrelid) AS definition, x.indisprimary AS primary
     FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
     WHERE x.indrelid = to_regclass($1) ORDER BY i.relname`,
    [table],
  );
  return rows;
}

class PostgresRebuild implements IndexRebuild {
  private finished = false;

  constructor(private readonly client: pg.PoolClient) {}

  private run(text: string) {
    return this.client.query({ text, query_timeout: rebuildQueryTimeoutMs } as pg.QueryConfig);
  }

  async write(documents: SearchDocument[]): Promise<void> {
    if (this.finished) throw new Error("rebuild already finished");
    if (documents.length === 0) return;
    const stream = this.client.query(
      copyFrom(`COPY search_staging (${stagedColumns.join(", ")}) FROM STDIN (FORMAT csv)`),
    );
    await pipeline(Readable.from([documents.map(stagedCsvLine).join("")]), stream);
  }

  /** Indexes like the live table's (the migration stays the one definition), named `<table>_next_*`. */
  private async createIndexes(table: string): Promise<string[]> {
    const renames: string[] = [];
    for (const index of await indexDefinitions(this.client, table)) {
      if (!index.name.startsWith(table)) throw new Error(`index ${index.name} is not named after ${table}`);
      const nextName = `${table}_next${index.name.slice(table.length)}`;
      const match = /^CREATE (UNIQUE )?INDEX \S+ ON (ONLY )?\S+ USING (.*)$/.exec(index.definition);
      if (!match) throw new Error(`unexpected index definition: ${index.definition}`);
      await this.run(`CREATE ${match[1] ?? ""}INDEX ${nextName} ON ${table}_next USING ${match[3]}`);
      if (index.primary)
        await this.run(
          `ALTER TABLE ${table}_next ADD CONSTRAINT ${nextName} PRIMARY KEY USING INDEX ${nextName}`,
        );
      renames.push(`ALTER INDEX ${nextName} RENAME TO ${index.name}`);
    }
    return renames;
  }

  async commit(): Promise<void> {
    if (this.finished) throw new Error("rebuild already finished");
    try {
      // Rows on disk in starts_at order: the soonest matches of a query sit on the first pages.
      await this.run(
        `INSERT INTO ${documentsTable}_next (${documentColumns})
         SELECT ${documentColumnsFrom("s")} FROM search_staging s ORDER BY s.starts_at, s.event_id`,
      );
      await this.run(
        `INSERT INTO ${venuesTable}_next (${venueColumns})
         SELECT DISTINCT ON (s.venue_id) ${venueColumnsFrom("s")} FROM search_staging s ORDER BY s.venue_id, s.version DESC`,
      );
      await this.run(
        `INSERT INTO ${termsTable}_next (term)
         SELECT DISTINCT u.lexeme FROM ${documentsTable}_next d, unnest(d.search_vector) AS u
         WHERE length(u.lexeme) <= ${termLengthMax}`,
      );
      const renames: string[] = [];
      for (const table of rebuiltTables) {
        renames.push(...(await this.createIndexes(table)));
        await this.run(`ANALYZE ${table}_next`);
      }
      // The swap waits for running searches to finish, at most lock_timeout (then the rebuild fails).
      await this.run("SET LOCAL lock_timeout = '10s'");
      for (const table of rebuiltTables) {
        await this.run(`DROP TABLE ${table}`);
        await this.run(`ALTER TABLE ${table}_next RENAME TO ${table}`);
      }
      for (const rename of renames) await this.run(rename);
      await this.run("COMMIT");
    } catch (error) {
      await this.abort();
      throw error;
    }
    this.finished = true;
    this.client.release();
  }

  async abort(): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    await this.client.query("ROLLBACK").catch(() => {});
    this.client.release(true); // destroyed: whatever state the failure left is gone with it
  }
}
