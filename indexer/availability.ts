// Seats still to be had, added to a page of search results when it is made (not indexed: seat states
// change with every hold, far faster than the catalog; the answer is cached for a few seconds with
// the rest of the page). Counted from the record: tickets not booked and not under a live hold. The
// tickets not booked come from event_seat_counts (one row per event, kept by the tickets' triggers),
// not from counting a 50,000-seat event's tickets on every page; a missing row is counted the slow way.
import type { Database } from "../platform/database.ts";
import type { SearchPage } from "../domain/search-result.ts";

export async function withAvailability(db: Database, page: SearchPage): Promise<SearchPage> {
  if (page.results.length === 0) return page;
  const { rows } = await db.query(
    `SELECT e.id, greatest(0, coalesce(c.available,
         (SELECT count(*) FROM tickets t WHERE t.event_id = e.id AND t.status = 'available'))
       - (SELECT count(*) FROM holds h
          WHERE h.event_id = e.id AND (h.status = 'confirming' OR h.expires_at > now())))::int AS available
     FROM events e LEFT JOIN event_seat_counts c ON c.event_id = e.id WHERE e.id = ANY($1)`,
    [page.results.map((result) => result.id)],
  );
  const available = new Map<string, number>(rows.map((row) => [row.id, row.available]));
  return {
    ...page,
    results: page.results.map((result) =>
      available.has(result.id) ? { ...result, seatsAvailable: available.get(result.id)! } : result,
    ),
  };
}
