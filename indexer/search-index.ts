// The search index behind one interface. SEARCH_BACKEND picks the adapter: `postgres` (default: a
// denormalized table with full text and trigram indexes, indexer/postgres-index.ts) or
// `elasticsearch` (indexer/elasticsearch-index.ts). The indexer is the only writer.
import type { Config } from "../platform/config.ts";
import type { Database } from "../platform/database.ts";
import type { SearchPage } from "../domain/search-result.ts";
import type { SearchDocument } from "./search-document.ts";
import type { SearchQuery } from "./search-query.ts";

export interface IndexWrite {
  /** Documents to create or replace; each replaces the stored one only if not older (version). */
  upserts: SearchDocument[];
  /** Events that must no longer be found (deleted, or gone), removed unless a newer version exists. */
  removals: string[];
  /** The version of the removals (the indexer's position). */
  version: number;
}

/** A complete new index built next to the live one and swapped in at once (zero-downtime reindex). */
export interface IndexRebuild {
  write(documents: SearchDocument[]): Promise<void>;
  /** Makes the new index the live one and drops the old one. */
  commit(): Promise<void>;
  /** Drops the partial new index; the live one is untouched. */
  abort(): Promise<void>;
}

export interface SearchIndex {
  readonly backend: Config["searchBackend"];
  /** Creates what the index needs, if missing (idempotent). */
  prepare(): Promise<void>;
  /** Applies a batch; done (durable and visible to searches) when the promise resolves. */
  write(batch: IndexWrite): Promise<void>;
  search(query: SearchQuery): Promise<SearchPage>;
  beginRebuild(): Promise<IndexRebuild>;
  /** Told by the search service whenever the index moved (drop what was learned from it). */
  indexChanged?(): void;
  /** After a rebuild was swapped in: housekeeping that makes the fresh index fast (optional). */
  settle?(): Promise<void>;
  /** Number of documents (tests, reindex report). */
  count(): Promise<number>;
  close(): Promise<void>;
}

export interface SearchIndexOptions {
  /** Where the Postgres adapter reads and writes. */
  db: Database;
}

/** The adapter chosen by configuration. */
export async function createSearchIndex(config: Config, options: SearchIndexOptions): Promise<SearchIndex> {
  if (config.searchBackend === "elasticsearch") {
    if (!config.elasticsearchUrl) throw new Error("SEARCH_BACKEND=elasticsearch needs ELASTICSEARCH_URL");
    const { ElasticsearchIndex, elasticsearchClient } = await import("./elasticsearch-index.ts");
    return new ElasticsearchIndex(
      elasticsearchClient(config.elasticsearchUrl),
      elasticsearchAliasFor(config),
    );
  }
  const { PostgresIndex } = await import("./postgres-index.ts");
  return new PostgresIndex(options.db);
}

/** One alias per Moleculer namespace, so test runs (and tenants) never share an index. */
export const elasticsearchAliasFor = (config: Config): string =>
  `${config.namespace.toLowerCase().replace(/[^a-z0-9_-]/g, "-")}-events`;
