// The search document: what the index holds for one event, built from catalog rows by one pure
// transform shared by every adapter, the incremental indexer and the reindex.
import type { SearchResult } from "../domain/search-result.ts";

/** One event as read from the catalog tables (indexer/source.ts). */
export interface SourceEvent {
  id: string;
  name: string;
  description: string;
  type: string;
  startsAt: Date;
  status: string;
  venueId: string;
  venueName: string;
  city: string;
  country: string;
  lat: number | null;
  lng: number | null;
  /** In the event's performer order. */
  performerNames: string[];
  /** ISO 4217: the currency of every price of the event. */
  currency: string;
  /** The venue's IANA time zone (event times are shown in it). */
  timeZone: string;
  /** The lowest section price, in the currency's minor unit (null: no sections). */
  priceFromCents: number | null;
}

export interface SearchDocument {
  id: string;
  /** The outbox position this document was built at: an older version never replaces a newer one. */
  version: number;
  name: string;
  description: string;
  type: string;
  /** ISO-8601 UTC. */
  startsAt: string;
  venue: {
    id: string;
    name: string;
    city: string;
    country: string;
    lat: number | null;
    lng: number | null;
    timeZone: string;
  };
  performers: string[];
  currency: string;
  priceFromCents: number | null;
  /** Normalized text (see normalizeText): event name and performers. */
  primaryText: string;
  /** Normalized venue name, city and country. */
  venueText: string;
  /** Normalized description. */
  descriptionText: string;
}

/**
 * Lower case, accents folded ("Zürich" -> "zurich"), everything but letters and digits turned into
 * single spaces. Documents and queries go through this same function, so they always agree on words.
 */
export function normalizeText(text: string): string {
  return text
    .normalize("NFKD")
    .replace(/\p{M}+/gu, "")
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim();
}

export const wordsOf = (text: string): string[] => {
  const normalized = normalizeText(text);
  return normalized === "" ? [] : normalized.split(" ");
};

/** The document for an event, or null when the event must not be found (soft-deleted). */
export function toSearchDocument(source: SourceEvent, version: number): SearchDocument | null {
  if (!Number.isSafeInteger(version) || version < 0) throw new Error(`invalid document version ${version}`);
  if (source.status !== "active") return null;
  return {
    id: source.id,
    version,
    name: source.name,
    description: source.description,
    type: source.type,
    startsAt: source.startsAt.toISOString(),
    venue: {
      id: source.venueId,
      name: source.venueName,
      city: source.city,
      country: source.country,
      lat: source.lat,
      lng: source.lng,
      timeZone: source.timeZone,
    },
    performers: source.performerNames,
    currency: source.currency,
    priceFromCents: source.priceFromCents,
    primaryText: normalizeText([source.name, ...source.performerNames].join(" ")),
    venueText: normalizeText(`${source.venueName} ${source.city} ${source.country}`),
    descriptionText: normalizeText(source.description),
  };
}

export function toSearchResult(document: SearchDocument): SearchResult {
  return {
    id: document.id,
    name: document.name,
    type: document.type,
    startsAt: document.startsAt,
    venue: {
      name: document.venue.name,
      city: document.venue.city,
      country: document.venue.country,
      // Documents indexed before venues had a zone lack it until indexed again.
      ...(document.venue.timeZone ? { timeZone: document.venue.timeZone } : {}),
    },
    performers: document.performers,
    // Documents indexed before events had a currency lack both until indexed again.
    ...(document.currency ? { currency: document.currency } : {}),
    ...(document.priceFromCents !== null && document.priceFromCents !== undefined
      ? { priceFromCents: document.priceFromCents }
      : {}),
  };
}
