// Reading an active event for an answer: the record (404 if none), and the event with its venue and
// performers (the non-seat part of GET /events/:id), cached in Redis.
import type { Database } from "../platform/database.ts";
import type { JsonCache } from "../platform/cache.ts";
import { notFound } from "../domain/errors.ts";
import { eventCacheTtlMs } from "../domain/limits.ts";
import { eventDetailsCacheKey } from "./event-cache.ts";
import { publicEvent } from "./public-event.ts";
import { findEvent, performerRecord, venueRecord, type EventRecord } from "./catalog.repository.ts";

export interface EventDetails {
  event: ReturnType<typeof publicEvent>;
  venue: ReturnType<typeof venueRecord>;
  performers: ReturnType<typeof performerRecord>[];
}

export async function requireEvent(db: Database, eventId: string): Promise<EventRecord> {
  const event = await findEvent(db, eventId);
  if (!event) throw notFound("Event");
  return event;
}

/** Event, venue and performers: from the cache, else from Postgres (then cached). */
export async function readEventDetails(
  db: Database,
  cache: JsonCache,
  eventId: string,
): Promise<EventDetails> {
  const cached = await cache.get<EventDetails>(eventDetailsCacheKey(eventId));
  if (cached) return cached;
  const event = await requireEvent(db, eventId);
  const [venue, performers] = await Promise.all([
    db.query("SELECT * FROM venues WHERE id = $1", [event.venueId]),
    db.query(
      `SELECT p.* FROM performers p JOIN event_performers ep ON ep.performer_id = p.id
       WHERE ep.event_id = $1 ORDER BY ep.position`,
      [event.id],
    ),
  ]);
  const details: EventDetails = {
    event: publicEvent(event),
    venue: venueRecord(venue.rows[0]),
    performers: performers.rows.map(performerRecord),
  };
  void cache.set(eventDetailsCacheKey(eventId), details, eventCacheTtlMs);
  return details;
}
