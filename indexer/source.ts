// Reads what search documents are built from: events with their venue and performer names, always
// the current committed state (so replaying a change, or applying changes out of order within a
// batch, builds the same documents).
import type pg from "pg";
import type { SourceEvent } from "./search-document.ts";

type Queryable = Pick<pg.ClientBase, "query">;

const sourceSelect = `
  SELECT e.id, e.name, e.description, e.type, e.starts_at, e.status, e.currency,
         (SELECT min((s->>'priceCents')::bigint) FROM jsonb_array_elements(e.sections) AS s) AS price_from_cents,
         v.id AS venue_id, v.name AS venue_name, v.city, v.country, v.lat, v.lng, v.time_zone,
         coalesce(pn.names, '{}') AS performer_names
  FROM events e
  JOIN venues v ON v.id = e.venue_id
  LEFT JOIN LATERAL (
    SELECT array_agg(p.name ORDER BY ep.position) AS names
    FROM event_performers ep JOIN performers p ON p.id = ep.performer_id
    WHERE ep.event_id = e.id) AS pn ON true`;

export function toSourceEvent(row: any): SourceEvent {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    type: row.type,
    startsAt: new Date(row.starts_at),
    status: row.status,
    venueId: row.venue_id,
    venueName: row.venue_name,
    city: row.city,
    country: row.country,
    lat: row.lat,
    lng: row.lng,
    performerNames: row.performer_names,
    currency: row.currency,
    timeZone: row.time_zone,
    priceFromCents: row.price_from_cents === null ? null : Number(row.price_from_cents),
  };
}

/** The events with these ids; ids of events that no longer exist are simply absent. */
export async function loadSourceEvents(db: Queryable, eventIds: string[]): Promise<SourceEvent[]> {
  if (eventIds.length === 0) return [];
  const { rows } = await db.query(`${sourceSelect} WHERE e.id = ANY($1)`, [eventIds]);
  return rows.map(toSourceEvent);
}

/**
 * Ids of the events of these venues and performers, page by page (keyset on the id), so a venue
 * with half a million events is expanded in bounded memory.
 */
export async function* eventIdsOf(
  db: Queryable,
  venueIds: string[],
  performerIds: string[],
  pageSize: number,
): AsyncGenerator<string[]> {
  if (venueIds.length === 0 && performerIds.length === 0) return;
  let after = "";
  for (;;) {
    const { rows } = await db.query(
      `SELECT id FROM (
         SELECT e.id FROM events e WHERE e.venue_id = ANY($1) AND e.id > $3
         UNION
         SELECT ep.event_id FROM event_performers ep WHERE ep.performer_id = ANY($2) AND ep.event_id > $3
       ) AS affected ORDER BY id LIMIT $4`,
      [venueIds, performerIds, after, pageSize],
    );
    if (rows.length === 0) return;
    yield rows.map((row) => row.id);
    if (rows.length < pageSize) return;
    after = rows[rows.length - 1].id;
  }
}

/**
 * Every active event, in id order, page by page. Run it inside one REPEATABLE READ transaction so
 * all pages come from one snapshot (the reindex does).
 */
export async function* allSourceEvents(db: Queryable, pageSize: number): AsyncGenerator<SourceEvent[]> {
  let after = "";
  for (;;) {
    const { rows } = await db.query(
      `${sourceSelect} WHERE e.status = 'active' AND e.id > $1 ORDER BY e.id LIMIT $2`,
      [after, pageSize],
    );
    if (rows.length === 0) return;
    yield rows.map(toSourceEvent);
    if (rows.length < pageSize) return;
    after = rows[rows.length - 1].id;
  }
}
