// Seats still to be had, added to a page of search results when it is made (not indexed: seat states
// change with every hold, far faster than the catalog; the answer is cached for a few seconds with
// the rest of the page). Counted from the record: tickets not booked and not under a live hold. The
// tickets not booked come from event_seat_counts (one row per event, kept by the tickets' triggers),
// not from counting a 50,000-seat event's tickets on every page; a missing row is counted the slow way.
//
// The slow way is a statement of its own, sent only for the events without a row. Inside the page's
// statement (a coalesce fallback, never run) its plan still cost a scan of every tickets partition
// per result, and at 1M tickets that estimate passed PostgreSQL's JIT thresholds: each search then
// compiled ~130 functions (~600 ms of CPU) for a statement that runs in under 1 ms (issue 20).
import type { Database } from "../platform/database.ts";
import type { SearchPage } from "../domain/search-result.ts";

interface SeatCounts {
  /** Tickets not booked, from event_seat_counts; null without a row. */
  notBooked: number | null;
  /** Live holds (confirming, or not expired). */
  held: number;
}

export async function withAvailability(db: Database, page: SearchPage): Promise<SearchPage> {
  if (page.results.length === 0) return page;
  const { rows } = await db.query(
    `SELECT e.id, c.available AS not_booked,
       (SELECT count(*) FROM holds h
        WHERE h.event_id = e.id AND (h.status = 'confirming' OR h.expires_at > now()))::int AS held
     FROM events e LEFT JOIN event_seat_counts c ON c.event_id = e.id WHERE e.id = ANY($1)`,
    [page.results.map((result) => result.id)],
  );
  const counts = new Map<string, SeatCounts>(
    rows.map((row) => [row.id, { notBooked: row.not_booked, held: row.held }]),
  );
  await countMissing(db, counts);
  return {
    ...page,
    results: page.results.map((result) => {
      const count = counts.get(result.id);
      return count ? { ...result, seatsAvailable: Math.max(0, (count.notBooked ?? 0) - count.held) } : result;
    }),
  };
}

/** Counts the available tickets of the events without an event_seat_counts row (only their partitions). */
async function countMissing(db: Database, counts: Map<string, SeatCounts>): Promise<void> {
  const missing = [...counts].filter(([, count]) => count.notBooked === null).map(([id]) => id);
  if (missing.length === 0) return;
  const { rows } = await db.query(
    `SELECT event_id, count(*)::int AS available FROM tickets
     WHERE event_id = ANY($1) AND status = 'available' GROUP BY event_id`,
    [missing],
  );
  const counted = new Map<string, number>(rows.map((row) => [row.event_id, row.available]));
  for (const id of missing) counts.get(id)!.notBooked = counted.get(id) ?? 0;
}
