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
} from "../domain/limits.ts";
import type { SearchDocument, SearchPage, SearchResult } from "./search-document.ts";
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
const termsTable = "search_terms";
/** Lexemes longer than this are not kept in the word list (its CHECK constraint). */
const termLengthMax = 64;

const documentColumns = [
  "event_id",
  "version",
  "name",
  "type",
  "starts_at",
  "venue_name",
  "city",
  "country",
  "lat",
  "lng",
  "performer_names",
  "primary_text",
  "venue_text",
  "description_text",
] as const;

function documentRow(document: SearchDocument) {
  return {
    event_id: document.id,
    version: document.version,
    name: document.name,
    type: document.type,
    starts_at: document.startsAt,
    venue_name: document.venue.name,
    city: document.venue.city,
    country: document.venue.country,
    lat: document.venue.lat,
    lng: document.venue.lng,
    performer_names: document.performers,
    primary_text: document.primaryText,
    venue_text: document.venueText,
    description_text: document.descriptionText,
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
function tsWord(word: string, prefix: boolean): string {
  if (!/^[\p{L}\p{N}]+$/u.test(word)) throw new Error("a query word must be letters and digits only");
  return `'${word}'${prefix ? ":*" : ""}`;
}

export interface WordAlternatives {
  word: string;
  /** The word itself is indexed (or, from 3 letters on, some indexed word starts with it). */
  known: boolean;
  /** For an unknown word: the nearest indexed words within the allowed edits. */
  alternatives: string[];
}

/** `(a:* ) & (b | c)`: every query word must match, as itself (prefix) or as one of its near words. */
export function termQueryText(words: WordAlternatives[]): string {
  return words
    .map(({ word, known, alternatives }) => {
      const options =
        known || alternatives.length === 0 ? [tsWord(word, word.length >= prefixLengthMin)] : [];
      for (const alternative of alternatives) options.push(tsWord(alternative, false));
      return options.length === 1 ? options[0] : `(${options.join(" | ")})`;
    })
    .join(" & ");
}

/** Location words must all match venue name, city or country; a word of 3+ letters may be a prefix. */
export const locationQueryText = (words: string[]): string =>
  words.map((word) => tsWord(word, word.length >= prefixLengthMin)).join(" & ");

const resultJson = `json_build_object(
  'id', m.event_id, 'name', m.name, 'type', m.type,
  'startsAt', to_char(m.starts_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
  'venue', json_build_object('name', m.venue_name, 'city', m.city, 'country', m.country),
  'performers', to_json(m.performer_names))`;

export class PostgresIndex implements SearchIndex {
  readonly backend = "postgres" as const;

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
        const columns = documentColumns.join(", ");
        const assignments = documentColumns
          .filter((column) => column !== "event_id")
          .map((column) => `${column} = EXCLUDED.${column}`)
          .join(", ");
        await client.query(
          `INSERT INTO ${documentsTable} (${columns})
           SELECT ${columns} FROM jsonb_to_recordset($1::jsonb) AS r(
             event_id text, version bigint, name text, type text, starts_at timestamptz, venue_name text,
             city text, country text, lat double precision, lng double precision, performer_names text[],
             primary_text text, venue_text text, description_text text)
           ON CONFLICT (event_id) DO UPDATE SET ${assignments}
           WHERE ${documentsTable}.version <= EXCLUDED.version`,
          [JSON.stringify(batch.upserts.map(documentRow))],
        );
        await client.query(
          `INSERT INTO ${termsTable} (term)
           SELECT DISTINCT u.lexeme FROM ${documentsTable} d, unnest(d.search_vector) AS u
           WHERE d.event_id = ANY($1) AND length(u.lexeme) <= ${termLengthMax}
           ON CONFLICT DO NOTHING`,
          [batch.upserts.map((document) => document.id)],
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

  /** For each query word: is it indexed, and if not, which indexed words are near it. */
  async alternativesFor(words: string[]): Promise<WordAlternatives[]> {
    // One round trip: a prefix probe on the btree, and for unknown words the nearest words by
    // trigram distance (GiST, KNN) plus exact lookups of the word's adjacent transpositions (which
    // trigrams rank poorly: "swfit" shares few trigrams with "swift").
    const { rows } = await this.db.query(
      `SELECT w.word, k.known,
         CASE WHEN k.known THEN '{}'::text[] ELSE ARRAY(
           SELECT t.term FROM ${termsTable} t ORDER BY t.term <-> w.word LIMIT $2) || ARRAY(
           SELECT t.term FROM ${termsTable} t WHERE t.term IN (
             SELECT substr(w.word, 1, i - 1) || substr(w.word, i + 1, 1) || substr(w.word, i, 1) || substr(w.word, i + 2)
             FROM generate_series(1, length(w.word) - 1) AS i))
         END AS candidates
       FROM unnest($1::text[]) WITH ORDINALITY AS w(word, position)
       CROSS JOIN LATERAL (SELECT EXISTS (
         SELECT 1 FROM ${termsTable} t
         WHERE t.term = w.word OR (length(w.word) >= ${prefixLengthMin}
           AND t.term >= w.word COLLATE "C" AND t.term < (w.word || chr(1114111)) COLLATE "C")) AS known) AS k
       ORDER BY w.position`,
      [words, searchTypoCandidatesMax],
    );
    return rows.map((row) => ({
      word: row.word,
      known: row.known,
      alternatives:
        row.known || editsAllowed(row.word) === 0
          ? []
          : closestWords(row.word, row.candidates as string[], searchTypoAlternativesMax),
    }));
  }

  async search(query: SearchQuery): Promise<SearchPage> {
    if (query.matchesNothing) return { total: 0, totalExact: true, results: [] };
    const parameters = new Parameters();
    const conditions: string[] = [`d.starts_at >= ${parameters.add(query.startsFrom)}`];
    if (query.startsBefore) conditions.push(`d.starts_at < ${parameters.add(query.startsBefore)}`);
    if (query.type !== null) conditions.push(`d.type = ${parameters.add(query.type)}`);
    if (query.locationWords.length > 0) {
      conditions.push(
        `d.location_vector @@ to_tsquery('simple'::regconfig, ${parameters.add(locationQueryText(query.locationWords))})`,
      );
    }
    if (query.geo) {
      const boxes = boundingBoxes(query.geo).map(
        (box) =>
          `d.geo <@ box(point(${parameters.add(box.minLng)}, ${parameters.add(box.minLat)}), point(${parameters.add(
            box.maxLng,
          )}, ${parameters.add(box.maxLat)}))`,
      );
      conditions.push(boxes.length === 1 ? boxes[0] : `(${boxes.join(" OR ")})`);
      const lat = parameters.add(query.geo.lat);
      const lng = parameters.add(query.geo.lng);
      conditions.push(
        `2 * ${earthRadiusKm} * asin(least(1, sqrt(
           power(sin(radians(d.lat - ${lat}::float8) / 2), 2)
           + cos(radians(${lat}::float8)) * cos(radians(d.lat)) * power(sin(radians(d.lng - ${lng}::float8) / 2), 2))))
         <= ${parameters.add(query.geo.radiusKm)}::float8`,
      );
    }
    let termQuery: string | null = null;
    if (query.words.length > 0) {
      const words = await this.alternativesFor(query.words);
      termQuery = parameters.add(termQueryText(words));
      conditions.push(`d.search_vector @@ to_tsquery('simple'::regconfig, ${termQuery})`);
    }
    const where = conditions.join(" AND ");
    const count = `SELECT count(*) FROM (SELECT 1 FROM ${documentsTable} d WHERE ${where}
                   LIMIT ${parameters.add(searchTotalCountMax + 1)}) AS counted`;
    const columns =
      "d.event_id, d.name, d.type, d.starts_at, d.venue_name, d.city, d.country, d.performer_names";
    const limit = parameters.add(query.limit);
    const offset = parameters.add(query.offset);
    let sql: string;
    if (termQuery) {
      // Best match first, then soonest: rank the soonest matches (bounded, see limits.ts), page through them.
      const window = parameters.add(Math.max(searchRankedCandidatesMax, query.offset + query.limit));
      const rank = `round(ts_rank(m.search_vector, to_tsquery('simple'::regconfig, ${termQuery}))::numeric, 4)`;
      sql = `WITH m AS (
               SELECT ${columns}, d.search_vector FROM ${documentsTable} d WHERE ${where}
               ORDER BY d.starts_at, d.event_id LIMIT ${window}),
             page AS (
               SELECT m.*, ${rank} AS rank FROM m ORDER BY rank DESC, m.starts_at, m.event_id
               OFFSET ${offset} LIMIT ${limit})
             SELECT (${count})::int AS total,
                    coalesce((SELECT json_agg(${resultJson} ORDER BY m.rank DESC, m.starts_at, m.event_id)
                              FROM page m), '[]'::json) AS results`;
    } else {
      sql = `WITH page AS (
               SELECT ${columns} FROM ${documentsTable} d WHERE ${where}
               ORDER BY d.starts_at, d.event_id OFFSET ${offset} LIMIT ${limit})
             SELECT (${count})::int AS total,
                    coalesce((SELECT json_agg(${resultJson} ORDER BY m.starts_at, m.event_id) FROM page m),
                             '[]'::json) AS results`;
    }
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
      for (const table of [documentsTable, termsTable]) {
        await client.query(`DROP TABLE IF EXISTS ${table}_next`);
        // Same columns, generated expressions and checks; indexes come after the load (much faster).
        await client.query(
          `CREATE TABLE ${table}_next (LIKE ${table} INCLUDING DEFAULTS INCLUDING GENERATED INCLUDING CONSTRAINTS)`,
        );
      }
    } catch (error) {
      await client.query("ROLLBACK").catch(() => {});
      client.release();
      throw error;
    }
    return new PostgresRebuild(client);
  }

  async close(): Promise<void> {
    // The pool belongs to the caller.
  }
}

// ---- Rebuild: COPY into a fresh table, index it, swap it in -------------------------------------------

const csvField = (value: string | number | null): string =>
  value === null ? "" : typeof value === "number" ? String(value) : `"${value.replace(/"/g, '""')}"`;

/** A Postgres array literal of text: {"a","b \"c\""}. */
const textArrayLiteral = (values: string[]): string =>
  `{${values.map((value) => `"${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`).join(",")}}`;

export function documentCsvLine(document: SearchDocument): string {
  const row = documentRow(document);
  return (
    [
      csvField(row.event_id),
      csvField(row.version),
      csvField(row.name),
      csvField(row.type),
      csvField(row.starts_at),
      csvField(row.venue_name),
      csvField(row.city),
      csvField(row.country),
      csvField(row.lat),
      csvField(row.lng),
      csvField(textArrayLiteral(row.performer_names)),
      csvField(row.primary_text),
      csvField(row.venue_text),
      csvField(row.description_text),
    ].join(",") + "\n"
  );
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

/** Index builds over a million rows take a while: the pool's client-side query timeout is lifted. */
const rebuildQueryTimeoutMs = 3_600_000;

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
      copyFrom(`COPY ${documentsTable}_next (${documentColumns.join(", ")}) FROM STDIN (FORMAT csv)`),
    );
    await pipeline(Readable.from([documents.map(documentCsvLine).join("")]), stream);
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
      const renames = await this.createIndexes(documentsTable);
      await this.run(
        `INSERT INTO ${termsTable}_next (term)
         SELECT DISTINCT u.lexeme FROM ${documentsTable}_next d, unnest(d.search_vector) AS u
         WHERE length(u.lexeme) <= ${termLengthMax}`,
      );
      renames.push(...(await this.createIndexes(termsTable)));
      await this.run(`ANALYZE ${documentsTable}_next`);
      await this.run(`ANALYZE ${termsTable}_next`);
      // The swap waits for running searches to finish, at most lock_timeout (then the rebuild fails).
      await this.run("SET LOCAL lock_timeout = '10s'");
      for (const table of [documentsTable, termsTable]) {
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
    this.client.release();
  }
}
