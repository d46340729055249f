// The Elasticsearch search index (SEARCH_BACKEND=elasticsearch, ELASTICSEARCH_URL): an explicit
// mapping with accent-folding analyzers, edge n-grams for prefixes and a geo_point; reads and writes
// go through an alias, so a reindex builds a new index and swaps the alias in one atomic action.
// Writes are bulk requests with external versions (`external_gte`): an older version never wins.
import { Client, errors, type estypes } from "@elastic/elasticsearch";
import { elasticsearchRequestTimeoutMs, searchTotalCountMax } from "../domain/limits.ts";
import type { SearchPage, SearchResult } from "../domain/search-result.ts";
import type { SearchDocument } from "./search-document.ts";
import type { IndexRebuild, IndexWrite, SearchIndex } from "./search-index.ts";
import type { SearchQuery } from "./search-query.ts";

export function elasticsearchClient(url: string): Client {
  return new Client({ node: url, requestTimeout: elasticsearchRequestTimeoutMs, maxRetries: 1 });
}

const textWithPrefix: estypes.MappingTextProperty = {
  type: "text",
  analyzer: "folding",
  fields: { prefix: { type: "text", analyzer: "prefix_index", search_analyzer: "folding" } },
};

/** Settings and mappings of every concrete index behind the alias. */
export function indexDefinition(): {
  settings: estypes.IndicesIndexSettings;
  mappings: estypes.MappingTypeMapping;
} {
  return {
    settings: {
      number_of_shards: 1,
      analysis: {
        filter: { prefix_edges: { type: "edge_ngram", min_gram: 3, max_gram: 20 } },
        analyzer: {
          // "Zürich" and "zurich" are one word; so are "TAYLOR" and "taylor".
          folding: { type: "custom", tokenizer: "standard", filter: ["lowercase", "asciifolding"] },
          // Indexes "taylor" also as "tay", "tayl", ...: prefix matching from 3 letters, like the Postgres index.
          prefix_index: {
            type: "custom",
            tokenizer: "standard",
            filter: ["lowercase", "asciifolding", "prefix_edges"],
          },
        },
      },
    },
    mappings: {
      dynamic: "strict",
      properties: {
        id: { type: "keyword" },
        version: { type: "long" },
        name: { ...textWithPrefix, copy_to: ["all_text"] },
        description: { type: "text", analyzer: "folding", copy_to: ["all_text"] },
        type: { type: "keyword" },
        startsAt: { type: "date" },
        venue: {
          properties: {
            id: { type: "keyword" },
            name: { ...textWithPrefix, copy_to: ["all_text", "location_text"] },
            city: { ...textWithPrefix, copy_to: ["all_text", "location_text"] },
            country: { ...textWithPrefix, copy_to: ["all_text", "location_text"] },
            timeZone: { type: "keyword", index: false },
          },
        },
        performers: { ...textWithPrefix, copy_to: ["all_text"] },
        currency: { type: "keyword", index: false },
        priceFromCents: { type: "long", index: false },
        location: { type: "geo_point" },
        // Every searchable word of the event, for "all words must match somewhere".
        all_text: textWithPrefix,
        // Venue name, city and country, for the `location` filter.
        location_text: textWithPrefix,
      },
    },
  };
}

/** The stored document (the normalized *_text fields are the Postgres adapter's; analyzers do it here). */
export function toElasticsearchDocument(document: SearchDocument) {
  const { lat, lng } = document.venue;
  return {
    id: document.id,
    version: document.version,
    name: document.name,
    description: document.description,
    type: document.type,
    startsAt: document.startsAt,
    venue: {
      id: document.venue.id,
      name: document.venue.name,
      city: document.venue.city,
      country: document.venue.country,
      timeZone: document.venue.timeZone,
    },
    performers: document.performers,
    currency: document.currency,
    ...(document.priceFromCents !== null ? { priceFromCents: document.priceFromCents } : {}),
    ...(lat !== null && lng !== null ? { location: { lat, lon: lng } } : {}),
  };
}

/** The bulk body: versioned index and delete actions against the alias. */
export function bulkOperations(target: string, write: IndexWrite): unknown[] {
  const operations: unknown[] = [];
  for (const document of write.upserts) {
    operations.push({
      index: { _index: target, _id: document.id, version: document.version, version_type: "external_gte" },
    });
    operations.push(toElasticsearchDocument(document));
  }
  for (const eventId of write.removals) {
    operations.push({
      delete: { _index: target, _id: eventId, version: write.version, version_type: "external_gte" },
    });
  }
  return operations;
}

/** Every word must match (fuzzily, like Elasticsearch's AUTO: 1 edit from 3 letters, 2 from 6) or be a prefix. */
function wordsMatch(field: string, text: string, fuzzy: boolean) {
  return {
    bool: {
      should: [
        { match: { [field]: { query: text, operator: "and", ...(fuzzy ? { fuzziness: "AUTO" } : {}) } } },
        { match: { [`${field}.prefix`]: { query: text, operator: "and" } } },
      ],
      minimum_should_match: 1,
    },
  };
}

export const resultFields = [
  "id",
  "name",
  "type",
  "startsAt",
  "venue.name",
  "venue.city",
  "venue.country",
  "venue.timeZone",
  "performers",
  "currency",
  "priceFromCents",
];

/** The search request for a query (everything but the index). */
export function searchRequest(query: SearchQuery) {
  const filter: unknown[] = [];
  const range: Record<string, string> = { gte: query.startsFrom.toISOString() };
  if (query.startsBefore) range.lt = query.startsBefore.toISOString();
  filter.push({ range: { startsAt: range } });
  if (query.type !== null) filter.push({ term: { type: query.type } });
  if (query.locationWords.length > 0)
    filter.push(wordsMatch("location_text", query.locationWords.join(" "), false));
  if (query.geo) {
    filter.push({
      geo_distance: {
        distance: `${query.geo.radiusKm}km`,
        location: { lat: query.geo.lat, lon: query.geo.lng },
      },
    });
  }
  const hasTerm = query.words.length > 0;
  const term = query.words.join(" ");
  const bool: Record<string, unknown> = { filter };
  if (hasTerm) {
    bool.must = [wordsMatch("all_text", term, true)];
    // Ranking: the event's own name and performers weigh most, then the venue.
    bool.should = [
      {
        multi_match: { query: term, fields: ["name^3", "performers^3"], operator: "and", fuzziness: "AUTO" },
      },
      { multi_match: { query: term, fields: ["name^4", "performers^4"], type: "phrase" } },
      {
        multi_match: {
          query: term,
          fields: ["venue.name^2", "venue.city", "venue.country"],
          operator: "and",
        },
      },
    ];
  }
  return {
    query: { bool },
    sort: hasTerm
      ? [{ _score: { order: "desc" } }, { startsAt: { order: "asc" } }, { id: { order: "asc" } }]
      : [{ startsAt: { order: "asc" } }, { id: { order: "asc" } }],
    from: query.offset,
    size: query.limit,
    track_total_hits: searchTotalCountMax,
    _source: resultFields,
  };
}

function toResult(source: any): SearchResult {
  return {
    id: source.id,
    name: source.name,
    type: source.type,
    startsAt: source.startsAt,
    venue: {
      name: source.venue.name,
      city: source.venue.city,
      country: source.venue.country,
      ...(source.venue.timeZone ? { timeZone: source.venue.timeZone } : {}),
    },
    performers: source.performers ?? [],
    ...(source.currency ? { currency: source.currency } : {}),
    ...(typeof source.priceFromCents === "number" ? { priceFromCents: source.priceFromCents } : {}),
  };
}

const isIndexMissing = (error: unknown): boolean =>
  error instanceof errors.ResponseError && error.statusCode === 404;

/** Fails on any bulk item error except "a newer version is already there" and "already gone". */
function checkBulkResponse(response: any): void {
  if (!response.errors) return;
  const failures = (response.items as any[])
    .map((item) => Object.values(item)[0] as any)
    .filter(
      (result) =>
        result.error && result.status !== 409 && !(result.status === 404 && result.result === "not_found"),
    );
  if (failures.length > 0) {
    throw new Error(
      `Elasticsearch bulk write failed for ${failures.length} documents: ${failures[0].error?.type}`,
    );
  }
}

export class ElasticsearchIndex implements SearchIndex {
  readonly backend = "elasticsearch" as const;

  constructor(
    private readonly client: Client,
    /** The alias searches and writes go through. */
    readonly alias: string,
  ) {}

  async prepare(): Promise<void> {
    if (await this.client.indices.existsAlias({ name: this.alias })) return;
    try {
      // A fixed first name: two nodes preparing at once create one index, not two behind the alias.
      await this.client.indices.create({
        index: `${this.alias}-initial`,
        ...indexDefinition(),
        aliases: { [this.alias]: {} },
      });
    } catch (error) {
      if (!(
        error instanceof errors.ResponseError &&
        error.body?.error?.type === "resource_already_exists_exception"
      ))
        throw error;
    }
  }

  async write(batch: IndexWrite): Promise<void> {
    if (batch.upserts.length === 0 && batch.removals.length === 0) return;
    const response = await this.client.bulk({
      operations: bulkOperations(this.alias, batch) as any,
      // The indexer moves its position (and drops caches) after this: make the write visible first.
      refresh: "wait_for",
    });
    checkBulkResponse(response);
  }

  async search(query: SearchQuery): Promise<SearchPage> {
    if (query.matchesNothing) return { total: 0, totalExact: true, results: [] };
    try {
      const response: any = await this.client.search({ index: this.alias, ...(searchRequest(query) as any) });
      const total = response.hits.total;
      return {
        total: Math.min(total.value, searchTotalCountMax),
        totalExact: total.relation === "eq",
        results: response.hits.hits.map((hit: any) => toResult(hit._source)),
      };
    } catch (error) {
      if (isIndexMissing(error)) return { total: 0, totalExact: true, results: [] };
      throw error;
    }
  }

  async count(): Promise<number> {
    try {
      return (await this.client.count({ index: this.alias })).count;
    } catch (error) {
      if (isIndexMissing(error)) return 0;
      throw error;
    }
  }

  async beginRebuild(): Promise<IndexRebuild> {
    const index = `${this.alias}-${Date.now()}`;
    const definition = indexDefinition();
    await this.client.indices.create({
      index,
      // No refreshes while loading: much faster bulk writes; restored before the swap.
      settings: { ...definition.settings, refresh_interval: "-1" },
      mappings: definition.mappings,
    });
    return new ElasticsearchRebuild(this.client, this.alias, index);
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}

class ElasticsearchRebuild implements IndexRebuild {
  private finished = false;

  constructor(
    private readonly client: Client,
    private readonly alias: string,
    private readonly index: string,
  ) {}

  async write(documents: SearchDocument[]): Promise<void> {
    if (this.finished) throw new Error("rebuild already finished");
    if (documents.length === 0) return;
    const response = await this.client.bulk({
      operations: bulkOperations(this.index, { upserts: documents, removals: [], version: 0 }) as any,
    });
    checkBulkResponse(response);
  }

  async commit(): Promise<void> {
    if (this.finished) throw new Error("rebuild already finished");
    try {
      await this.client.indices.putSettings({
        index: this.index,
        settings: { refresh_interval: null } as any,
      });
      await this.client.indices.refresh({ index: this.index });
      let previous: string[] = [];
      try {
        previous = Object.keys(await this.client.indices.getAlias({ name: this.alias }));
      } catch (error) {
        if (!isIndexMissing(error)) throw error;
      }
      // One atomic alias update: searches see the old index, then the new one, never neither.
      await this.client.indices.updateAliases({
        actions: [
          ...previous.map((index) => ({ remove: { index, alias: this.alias } })),
          { add: { index: this.index, alias: this.alias } },
        ],
      });
      this.finished = true;
      for (const index of previous) await this.client.indices.delete({ index }).catch(() => {});
    } catch (error) {
      await this.abort();
      throw error;
    }
  }

  async abort(): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    await this.client.indices.delete({ index: this.index }).catch(() => {});
  }
}
