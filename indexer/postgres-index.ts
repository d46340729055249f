// The Postgres search index: the denormalized table `search_documents` (migrations/0100_search.sql)
// with a weighted tsvector (GIN), a location tsvector (GIN), a point (GiST) and btree indexes on
// starts_at and type; typo tolerance from the `search_terms` word list (trigram GiST + edit distance).
// Only the indexer writes here. The tables and their rows: postgres-tables.ts; the search statement:
// postgres-search.ts; the rebuild: postgres-rebuild.ts.
import { transaction, type Database } from "../platform/database.ts";
import { searchTypoAlternativesMax, searchTypoCandidatesMax, searchWordCacheMax } from "../domain/limits.ts";
import type { SearchPage } from "../domain/search-result.ts";
import type { IndexRebuild, IndexWrite, SearchIndex } from "./search-index.ts";
import { closestWords, editsAllowed, prefixLengthMin, type SearchQuery } from "./search-query.ts";
import { plainWord, type WordAlternatives } from "./postgres-query-text.ts";
import { searchStatement, toSearchPage } from "./postgres-search.ts";
import { beginPostgresRebuild, vacuumRebuiltTables } from "./postgres-rebuild.ts";
import { invariant } from "../domain/errors.ts";
import {
  documentColumns,
  documentColumnsFrom,
  documentsTable,
  stagedRecordType,
  stagedRow,
  termLengthMax,
  termsTable,
  venueColumns,
  venueColumnsFrom,
  venuesTable,
} from "./postgres-tables.ts";

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
      invariant(found, "search: no lookup result for a query word");
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
    // With a term, its words and the location's are looked up in the word list (typos, prefixes).
    const words =
      query.words.length > 0 ? await this.alternativesFor([...query.words, ...query.locationWords]) : null;
    const { text, values } = searchStatement(query, words);
    const { rows } = await this.db.query(text, values);
    return toSearchPage(rows[0]);
  }

  async count(): Promise<number> {
    const { rows } = await this.db.query(`SELECT count(*)::int AS n FROM ${documentsTable}`);
    return rows[0].n;
  }

  beginRebuild(): Promise<IndexRebuild> {
    return beginPostgresRebuild(this.db);
  }

  settle(): Promise<void> {
    return vacuumRebuiltTables(this.db);
  }

  async close(): Promise<void> {
    // The pool belongs to the caller.
  }
}
