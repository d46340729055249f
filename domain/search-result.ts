// The public answer of GET /events/search: what the API returns and the web UI reads. Pure types,
// shared by the indexer (which builds it) and the browser bundle (which shows it).

/** One hit as the contract shows it. */
export interface SearchResult {
  id: string;
  name: string;
  type: string;
  startsAt: string;
  /** `timeZone`: the venue's IANA zone, in which the page shows `startsAt`. */
  venue: { name: string; city: string; country: string; timeZone?: string };
  performers: string[];
  /** ISO 4217 code of the event's prices. */
  currency?: string;
  /** The lowest section price, in the currency's minor unit ("from £25.00"). */
  priceFromCents?: number;
  /** Seats neither booked nor held when the answer was made (answers are cached a few seconds). */
  seatsAvailable?: number;
}

export interface SearchPage {
  total: number;
  /** False when there are more matches than were counted (searchTotalCountMax): total is a lower bound. */
  totalExact: boolean;
  results: SearchResult[];
}
