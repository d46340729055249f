// The fence every event of a turn must pass: its actor's epoch is still the newest and the database
// still has the version the actor last committed. The UPDATE form moves the version on and locks
// the event's row to the end of the transaction (a new owner's activation waits for the commit).
import type { Database } from "../../../platform/database.ts";
import type { CommitResult, EventBatch } from "./batch.ts";

/** Fence and version bump; parameters $1..$4 (fenceValues), RETURNING the events that passed. */
export const fenceSql = `UPDATE event_actors a SET seat_version = x.to_version
  FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::bigint[]) AS x(event_id, epoch, from_version, to_version)
  WHERE a.event_id = x.event_id AND a.epoch = x.epoch AND a.seat_version = x.from_version
  RETURNING a.event_id`;

export const fenceValues = (batches: EventBatch[]): unknown[] => [
  batches.map((batch) => batch.eventId),
  batches.map((batch) => batch.epoch),
  batches.map((batch) => batch.fromVersion),
  batches.map((batch) => batch.toVersion),
];

/** The events of `batches` that did not pass their fence. */
export const staleEvents = (batches: EventBatch[], passed: Set<string>): string[] =>
  batches.filter((batch) => !passed.has(batch.eventId)).map((batch) => batch.eventId);

/**
 * A turn that wrote nothing still proves its actors current before answering: a read of the fences
 * (no transaction to flush). An actor that is no longer current answers nothing.
 */
export async function checkFences(db: Database, batches: EventBatch[]): Promise<CommitResult> {
  const { rows } = await db.query(
    `SELECT a.event_id FROM event_actors a
     JOIN unnest($1::text[], $2::bigint[], $3::bigint[]) AS x(event_id, epoch, version) ON x.event_id = a.event_id
     WHERE a.epoch = x.epoch AND a.seat_version = x.version`,
    fenceValues(batches).slice(0, 3),
  );
  return {
    stale: staleEvents(batches, new Set(rows.map((row) => row.event_id))),
    rows: 0,
    statements: 1,
  };
}
