// The public answer of GET /events/search: what the API returns and the web UI reads. Pure types,
// shared by the indexer (which builds it) and the browser bundle (which shows it).

/** One hit as the contract shows it. */
export interface SearchResult {
  id: string;
  name: string;
  type: string;
  startsAt: string;
  venue: { name: string; city: string; country: string };
  performers: string[];
}

export interface SearchPage {
  total: number;
  /** False when there are more matches than were counted (searchTotalCountMax): total is a lower bound. */
  totalExact: boolean;
  results: SearchResult[];
}
