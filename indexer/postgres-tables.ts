// The Postgres index's tables (migrations/0100_search.sql) and how a document becomes their rows.
// The writers hand Postgres a staged row (JSON rows for the indexer, CSV for the reindex); SQL turns
// it into the table's columns (documentColumnsFrom), so both paths build identical rows.
import { toSearchResult, type SearchDocument } from "./search-document.ts";

export const documentsTable = "search_documents";
export const venuesTable = "search_venues";
export const termsTable = "search_terms";
/** Lexemes longer than this are not kept in the word list (its CHECK constraint). */
export const termLengthMax = 64;

export const stagedColumns = [
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
export const stagedRecordType = `event_id text, version bigint, starts_at timestamptz, type text, venue_id text,
  lat double precision, lng double precision, primary_text text, venue_text text, description_text text, result json`;

export const documentColumns = "event_id, version, starts_at, type, venue_id, search_vector, result";
export const documentColumnsFrom = (
  row: string,
) => `${row}.event_id, ${row}.version, ${row}.starts_at, ${row}.type,
  ${row}.venue_id, search_document_vector(${row}.primary_text, ${row}.venue_text, ${row}.description_text), ${row}.result`;
export const venueColumns = "venue_id, version, location_vector, geo";
export const venueColumnsFrom = (row: string) => `${row}.venue_id, ${row}.version,
  to_tsvector('simple'::regconfig, ${row}.venue_text),
  CASE WHEN ${row}.lat IS NULL OR ${row}.lng IS NULL THEN NULL ELSE point(${row}.lng, ${row}.lat) END`;

export function stagedRow(document: SearchDocument) {
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

const csvField = (value: string | number | object | null): string =>
  value === null
    ? ""
    : typeof value === "number"
      ? String(value)
      : `"${(typeof value === "string" ? value : JSON.stringify(value)).replace(/"/g, '""')}"`;

/** One line of the reindex's COPY (FORMAT csv), columns in stagedColumns order. */
export function stagedCsvLine(document: SearchDocument): string {
  const row = stagedRow(document);
  return stagedColumns.map((column) => csvField(row[column])).join(",") + "\n";
}
