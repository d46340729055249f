// The Postgres index's search as one statement: filters on the documents, the place filters on the
// venues (found first), the full-text query, and the page with its count; then its answer as a page.
import { searchRankedCandidatesMax, searchTotalCountMax } from "../domain/limits.ts";
import type { SearchPage, SearchResult } from "../domain/search-result.ts";
import {
  locationQueryText,
  termQueryText,
  venueWordsQueryText,
  type WordAlternatives,
} from "./postgres-query-text.ts";
import { documentsTable, venuesTable } from "./postgres-tables.ts";
import { boundingBoxes, earthRadiusKm, type GeoFilter, type SearchQuery } from "./search-query.ts";

/** Builds SQL text with numbered parameters. */
class Parameters {
  readonly values: unknown[] = [];
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

export interface SearchStatement {
  text: string;
  values: unknown[];
}

/** The page's rows (CTEs), how to count the matches, and the page's order. */
interface PagePlan {
  ctes: string[];
  count: string;
  order: string;
}

/**
 * The statement for a query. `words`: what the word list says about the term's words followed by
 * the location's words (PostgresIndex.alternativesFor), or null without a term.
 */
export function searchStatement(query: SearchQuery, words: WordAlternatives[] | null): SearchStatement {
  const parameters = new Parameters();
  const common: string[] = [];
  const conditions: string[] = [`d.starts_at >= ${parameters.add(query.startsFrom)}`];
  if (query.startsBefore) conditions.push(`d.starts_at < ${parameters.add(query.startsBefore)}`);
  if (query.type !== null) conditions.push(`d.type = ${parameters.add(query.type)}`);
  const venues = venueFilter(query, parameters);
  if (venues) {
    common.push(venues);
    conditions.push("d.venue_id = ANY ((SELECT ids FROM v)::text[])");
  }
  const termQuery = words ? parameters.add(fullTextQuery(query, words)) : null;
  if (termQuery) conditions.push(`d.search_vector @@ to_tsquery('simple'::regconfig, ${termQuery})`);
  const where = conditions.join(" AND ");
  const limit = parameters.add(query.limit);
  const offset = parameters.add(query.offset);
  const { ctes, count, order } = termQuery
    ? rankedPage(query, where, termQuery, { limit, offset }, parameters)
    : soonestPage(where, { limit, offset }, parameters);
  const text = `WITH ${[...common, ...ctes].join(",\n")}
      SELECT (${count})::int AS total,
             coalesce((SELECT json_agg(m.result ORDER BY ${order})
                       FROM page JOIN ${documentsTable} m ON m.event_id = page.event_id), '[]'::json) AS results`;
  return { text, values: parameters.values };
}

/** The statement's one row as a page (the count stops just past searchTotalCountMax). */
export function toSearchPage(row: { total: number; results: unknown }): SearchPage {
  const counted = row.total;
  return {
    total: Math.min(counted, searchTotalCountMax),
    totalExact: counted <= searchTotalCountMax,
    results: row.results as SearchResult[],
  };
}

/**
 * Place filters are venue properties: venues are found first (a small table), then their events
 * through (venue_id, starts_at), which also carries type and event_id (index-only scans).
 */
function venueFilter(query: SearchQuery, parameters: Parameters): string | null {
  const venueConditions: string[] = [];
  if (query.locationWords.length > 0 && query.words.length === 0) {
    // (With a term, the location joins the full-text query instead: see fullTextQuery.)
    venueConditions.push(
      `location_vector @@ to_tsquery('simple'::regconfig, ${parameters.add(locationQueryText(query.locationWords))})`,
    );
  }
  if (query.geo) venueConditions.push(...geoConditions(query.geo, parameters));
  if (venueConditions.length === 0) return null;
  return `v AS MATERIALIZED (SELECT coalesce(array_agg(venue_id), '{}') AS ids FROM ${venuesTable}
           WHERE ${venueConditions.join(" AND ")})`;
}

/** Bounding boxes (the GiST index), then the exact distance. */
function geoConditions(geo: GeoFilter, parameters: Parameters): string[] {
  const boxes = boundingBoxes(geo).map(
    (box) =>
      `geo <@ box(point(${parameters.add(box.minLng)}, ${parameters.add(box.minLat)}), point(${parameters.add(
        box.maxLng,
      )}, ${parameters.add(box.maxLat)}))`,
  );
  // Exact distance (geo[1] = latitude, geo[0] = longitude).
  const lat = parameters.add(geo.lat);
  const lng = parameters.add(geo.lng);
  return [
    boxes.length === 1 ? boxes[0] : `(${boxes.join(" OR ")})`,
    `2 * ${earthRadiusKm} * asin(least(1, sqrt(
           power(sin(radians(geo[1] - ${lat}::float8) / 2), 2)
           + cos(radians(${lat}::float8)) * cos(radians(geo[1])) * power(sin(radians(geo[0] - ${lng}::float8) / 2), 2))))
         <= ${parameters.add(geo.radiusKm)}::float8`,
  ];
}

/**
 * The term's words, and the location's as venue words: the venue, city and country are the
 * documents' B-weighted words, so with a term the location is matched by the same GIN index, which
 * intersects posting lists far more cheaply than combining two bitmaps of tens of thousands of rows.
 */
function fullTextQuery(query: SearchQuery, words: WordAlternatives[]): string {
  const place = words.slice(query.words.length);
  const location = place.length > 0 ? ` & ${venueWordsQueryText(place)}` : "";
  return termQueryText(words.slice(0, query.words.length)) + location;
}

/**
 * Best match first, then soonest, among the first matches in starts_at order (bounded, see
 * limits.ts). The window takes them in the order of the table, which the reindex writes in
 * starts_at order: the bitmap scan stops after `window` rows instead of sorting every match of
 * a common word (rows written since the last reindex may sit out of order; a window holding
 * every match, the usual case, is exact). One scan also counts (up to the window).
 */
function rankedPage(
  query: SearchQuery,
  where: string,
  termQuery: string,
  { limit, offset }: { limit: string; offset: string },
  parameters: Parameters,
): PagePlan {
  const window = Math.max(searchRankedCandidatesMax, query.offset + query.limit);
  const rank = `round(ts_rank(w.search_vector, to_tsquery('simple'::regconfig, ${termQuery}))::numeric, 4)`;
  return {
    ctes: [
      `w AS MATERIALIZED (SELECT d.event_id, d.starts_at, d.search_vector FROM ${documentsTable} d
                            WHERE ${where} LIMIT ${parameters.add(window + 1)})`,
      `page AS (SELECT w.event_id, w.starts_at, ${rank} AS rank FROM w
                  ORDER BY rank DESC, w.starts_at, w.event_id OFFSET ${offset} LIMIT ${limit})`,
    ],
    count: "SELECT count(*) FROM w",
    order: "page.rank DESC, page.starts_at, page.event_id",
  };
}

/** Without a term: soonest first; the count stops just past searchTotalCountMax. */
function soonestPage(
  where: string,
  { limit, offset }: { limit: string; offset: string },
  parameters: Parameters,
): PagePlan {
  return {
    ctes: [
      `page AS (SELECT d.event_id, d.starts_at FROM ${documentsTable} d WHERE ${where}
                  ORDER BY d.starts_at, d.event_id OFFSET ${offset} LIMIT ${limit})`,
    ],
    count: `SELECT count(*) FROM (SELECT 1 FROM ${documentsTable} d WHERE ${where}
               LIMIT ${parameters.add(searchTotalCountMax + 1)}) AS counted`,
    order: "page.starts_at, page.event_id",
  };
}
