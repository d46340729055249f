// GET /events/search: the query string, validated strictly and turned into a SearchQuery that every
// index adapter understands. Pure: no I/O, the clock is a parameter.
//
// moleculer-web merges the query string into the action's params, and query values are strings (or
// arrays and objects when a client repeats a name or writes `a[b]=`), so the schema accepts strings
// only and the numbers are converted here by exact patterns: "0x10", "1e2", " 5" or "" never turn
// into numbers behind our back. An empty value means "not given" (HTML forms send every field).
import { validationError } from "../domain/errors.ts";
import {
  searchLimitDefault,
  searchLimitMax,
  searchLocationLengthMax,
  searchRadiusKmDefault,
  searchRadiusKmMax,
  searchResultWindowMax,
  searchTermLengthMax,
  searchTermWordsMax,
} from "../domain/limits.ts";
import { wordsOf } from "./search-document.ts";

const optionalString = (max: number, pattern?: RegExp) => ({
  type: "string",
  max,
  optional: true,
  ...(pattern ? { pattern } : {}),
});

const dayPattern = /^(\d{4}-\d{2}-\d{2})?$/;
const dayOrTimestampPattern = /^(\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?)?$/;
const unsignedIntegerPattern = /^(\d{1,9})?$/;
const decimalPattern = /^(-?\d{1,5}(\.\d{1,12})?)?$/;
/** The catalog's event type pattern: a value outside it can never match, so it is refused. */
const typePattern = /^([a-z][a-z0-9-]{0,49})?$/;

/** The action's params schema (fastest-validator): unknown parameters are refused with 400. */
export const searchParamsSchema = {
  term: optionalString(searchTermLengthMax),
  location: optionalString(searchLocationLengthMax),
  date: optionalString(10, dayPattern),
  from: optionalString(40, dayOrTimestampPattern),
  to: optionalString(40, dayOrTimestampPattern),
  type: optionalString(50, typePattern),
  limit: optionalString(9, unsignedIntegerPattern),
  offset: optionalString(9, unsignedIntegerPattern),
  lat: optionalString(20, decimalPattern),
  lng: optionalString(20, decimalPattern),
  radiusKm: optionalString(20, decimalPattern),
  $$strict: true,
};

export type SearchParams = Partial<Record<Exclude<keyof typeof searchParamsSchema, "$$strict">, string>>;

export interface GeoFilter {
  lat: number;
  lng: number;
  radiusKm: number;
}

export interface SearchQuery {
  /** Normalized words of `term`, all required. Empty with `term` given = nothing can match. */
  words: string[];
  /** Normalized words of `location`, all required, matched against venue, city and country. */
  locationWords: string[];
  /** True when a term or location was given but holds no searchable word: the answer is empty. */
  matchesNothing: boolean;
  type: string | null;
  /** startsAt >= startsFrom (inclusive). */
  startsFrom: Date;
  /** startsAt < startsBefore (exclusive), or no upper bound. */
  startsBefore: Date | null;
  geo: GeoFilter | null;
  limit: number;
  offset: number;
}

const millisecondsPerDay = 86_400_000;

function parseDay(field: string, text: string): Date {
  const date = new Date(`${text}T00:00:00.000Z`);
  // "2027-02-30" parses to March 2nd in some engines and NaN in others: require a round trip.
  if (Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== text)
    throw validationError(field, `${field} is not a valid date (YYYY-MM-DD)`);
  return date;
}

function parseDayOrTime(field: string, text: string): { at: Date; isDay: boolean } {
  if (text.length === 10) return { at: parseDay(field, text), isDay: true };
  const at = new Date(text);
  if (Number.isNaN(at.getTime())) throw validationError(field, `${field} is not a valid time`);
  parseDay(field, text.slice(0, 10)); // rejects a day that does not exist, e.g. 2027-02-30T10:00Z
  return { at, isDay: false };
}

function parseInteger(field: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < min || value > max)
    throw validationError(field, `${field} must be an integer from ${min} to ${max}`);
  return value;
}

function parseDecimal(field: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value < min || value > max)
    throw validationError(field, `${field} must be a number from ${min} to ${max}`);
  return value;
}

const given = (value: string | undefined): value is string => value !== undefined && value !== "";

/** The startsAt window: `date`, `from` and `to` narrow it; past events are left out unless asked for. */
function parseTimeWindow(
  params: SearchParams,
  nowMs: number,
): { startsFrom: Date; startsBefore: Date | null } {
  // Past events are left out unless the client asks for a window: `from`, or a `date`.
  let startsFrom: Date | null = null;
  let startsBefore: Date | null = null;
  if (given(params.date)) {
    startsFrom = parseDay("date", params.date);
    startsBefore = new Date(startsFrom.getTime() + millisecondsPerDay);
  }
  if (given(params.from)) {
    const from = parseDayOrTime("from", params.from).at;
    if (!startsFrom || from > startsFrom) startsFrom = from;
  }
  if (given(params.to)) {
    const to = parseDayOrTime("to", params.to);
    // A day means the whole day; a time is inclusive.
    const before = new Date(to.at.getTime() + (to.isDay ? millisecondsPerDay : 1));
    if (given(params.from) && before.getTime() <= parseDayOrTime("from", params.from).at.getTime())
      throw validationError("to", "to must not be before from");
    if (!startsBefore || before < startsBefore) startsBefore = before;
  }
  return { startsFrom: startsFrom ?? new Date(nowMs), startsBefore };
}

/** The distance filter: lat and lng together, radiusKm optional. */
function parseGeo(params: SearchParams): GeoFilter | null {
  if (!given(params.lat) && !given(params.lng) && !given(params.radiusKm)) return null;
  if (!given(params.lat) || !given(params.lng)) {
    throw validationError(given(params.lat) ? "lng" : "lat", "lat and lng go together (radiusKm needs both)");
  }
  const geo = {
    lat: parseDecimal("lat", params.lat, -90, 90),
    lng: parseDecimal("lng", params.lng, -180, 180),
    radiusKm: given(params.radiusKm)
      ? parseDecimal("radiusKm", params.radiusKm, 0, searchRadiusKmMax)
      : searchRadiusKmDefault,
  };
  if (geo.radiusKm <= 0) throw validationError("radiusKm", "radiusKm must be greater than 0");
  return geo;
}

/** Validates and converts the query string; throws VALIDATION_ERROR naming the field. */
export function parseSearchParams(params: SearchParams, nowMs: number): SearchQuery {
  for (const [field, value] of Object.entries(params)) {
    // The schema already refuses these; the assertion keeps a caller without the validator honest.
    if (value !== undefined && typeof value !== "string")
      throw validationError(field, `${field} must be a string`);
  }
  const words = given(params.term) ? wordsOf(params.term) : [];
  if (words.length > searchTermWordsMax)
    throw validationError("term", `term may have at most ${searchTermWordsMax} words`);
  const locationWords = given(params.location) ? wordsOf(params.location) : [];
  if (locationWords.length > searchTermWordsMax)
    throw validationError("location", `location may have at most ${searchTermWordsMax} words`);
  const matchesNothing =
    (given(params.term) && words.length === 0) || (given(params.location) && locationWords.length === 0);

  const limit = given(params.limit)
    ? parseInteger("limit", params.limit, 1, searchLimitMax)
    : searchLimitDefault;
  const offset = given(params.offset)
    ? parseInteger("offset", params.offset, 0, searchResultWindowMax - limit)
    : 0;

  const { startsFrom, startsBefore } = parseTimeWindow(params, nowMs);
  const geo = parseGeo(params);

  return {
    words,
    locationWords,
    matchesNothing,
    type: given(params.type) ? params.type : null,
    startsFrom,
    startsBefore,
    geo,
    limit,
    offset,
  };
}

/**
 * A stable text for the query, for cache keys. The default lower bound "now" is written as such
 * (not as a time), so a cached answer can be reused within its short TTL.
 */
export function canonicalQueryKey(params: SearchParams): string {
  const entries = Object.entries(params)
    .filter(([, value]) => given(value))
    .map(([field, value]) => [
      field,
      field === "term" || field === "location" ? wordsOf(value!).join(" ") : value,
    ]);
  entries.sort(([a], [b]) => (a! < b! ? -1 : 1));
  return JSON.stringify(entries);
}

// ---- Typo tolerance -------------------------------------------------------------------------------

/** Edits a query word may be away from an indexed word (Elasticsearch's fuzziness AUTO). */
export function editsAllowed(word: string): number {
  const length = [...word].length;
  if (length <= 2) return 0;
  if (length <= 5) return 1;
  return 2;
}

/**
 * Optimal string alignment distance: insertions, deletions, substitutions and transpositions of
 * adjacent letters each cost 1 ("swfit" -> "swift" is 1). Stops early above `max`.
 */
export function editDistance(a: string, b: string, max = Number.POSITIVE_INFINITY): number {
  const x = [...a];
  const y = [...b];
  if (Math.abs(x.length - y.length) > max) return max + 1;
  let previousPrevious: number[] = [];
  let previous = Array.from({ length: y.length + 1 }, (_, index) => index);
  for (let i = 1; i <= x.length; i++) {
    const current = [i];
    let rowMinimum = i;
    for (let j = 1; j <= y.length; j++) {
      const cost = x[i - 1] === y[j - 1] ? 0 : 1;
      let value = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost);
      if (i > 1 && j > 1 && x[i - 1] === y[j - 2] && x[i - 2] === y[j - 1])
        value = Math.min(value, previousPrevious[j - 2] + 1);
      current.push(value);
      rowMinimum = Math.min(rowMinimum, value);
    }
    if (rowMinimum > max) return max + 1;
    previousPrevious = previous;
    previous = current;
  }
  return previous[y.length];
}

/** The candidates within the allowed edits, closest first (ties by the candidate's text), at most `max`. */
export function closestWords(word: string, candidates: Iterable<string>, max: number): string[] {
  const allowed = editsAllowed(word);
  if (allowed === 0) return [];
  const scored: { candidate: string; distance: number }[] = [];
  for (const candidate of new Set(candidates)) {
    if (candidate === word) continue;
    const distance = editDistance(word, candidate, allowed);
    if (distance <= allowed) scored.push({ candidate, distance });
  }
  scored.sort((a, b) => a.distance - b.distance || (a.candidate < b.candidate ? -1 : 1));
  return scored.slice(0, max).map((item) => item.candidate);
}

/** Prefix matching starts at 3 letters ("tay" finds "taylor"); shorter words match whole words only. */
export const prefixLengthMin = 3;

// ---- Geo ------------------------------------------------------------------------------------------

export const earthRadiusKm = 6371.0088;
const degrees = (radians: number) => (radians * 180) / Math.PI;
const radians = (degrees: number) => (degrees * Math.PI) / 180;
/** Boxes are widened a hair so rounding never cuts off a point on the circle; the exact filter follows. */
const boxMargin = 1.000_001;

/**
 * Bounding boxes (longitude/latitude degrees) that contain the circle, on a sphere (J. Matuschek's
 * method): two when the circle crosses the 180th meridian, all longitudes when it reaches a pole.
 */
export function boundingBoxes(
  geo: GeoFilter,
): { minLng: number; minLat: number; maxLng: number; maxLat: number }[] {
  const angular = (geo.radiusKm / earthRadiusKm) * boxMargin;
  const latitude = radians(geo.lat);
  const minLat = degrees(latitude - angular);
  const maxLat = degrees(latitude + angular);
  if (minLat <= -90 || maxLat >= 90 || angular >= Math.PI / 2) {
    return [{ minLng: -180, minLat: Math.max(-90, minLat), maxLng: 180, maxLat: Math.min(90, maxLat) }];
  }
  const longitudeDelta = degrees(Math.asin(Math.min(1, Math.sin(angular) / Math.cos(latitude))));
  const minLng = geo.lng - longitudeDelta;
  const maxLng = geo.lng + longitudeDelta;
  if (minLng < -180)
    return [
      { minLng: minLng + 360, minLat, maxLng: 180, maxLat },
      { minLng: -180, minLat, maxLng, maxLat },
    ];
  if (maxLng > 180)
    return [
      { minLng, minLat, maxLng: 180, maxLat },
      { minLng: -180, minLat, maxLng: maxLng - 360, maxLat },
    ];
  return [{ minLng, minLat, maxLng, maxLat }];
}

/** Great-circle distance (haversine), for tests and for adapters that filter in code. */
export function distanceKm(lat1: number, lng1: number, lat2: number, lng2: number): number {
  const a =
    Math.sin(radians(lat2 - lat1) / 2) ** 2 +
    Math.cos(radians(lat1)) * Math.cos(radians(lat2)) * Math.sin(radians(lng2 - lng1) / 2) ** 2;
  return 2 * earthRadiusKm * Math.asin(Math.min(1, Math.sqrt(a)));
}
