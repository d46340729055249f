// The transactional outbox (migrations/0100_search.sql) and the indexer's position in it.
// Outbox positions are drawn at commit under a single-writer lock, so they are in commit order, the
// committed outbox is always a gap-free prefix by position, and "every row up to my position" is exact.
import type pg from "pg";

type Queryable = Pick<pg.ClientBase, "query">;

/** Taken at commit by the outbox numbering trigger (see the migration); named here for reference only. */
export const outboxCaptureLockKey = 7_346_224_100;
/** Held for its lifetime by the one active indexer of a database (session advisory lock). */
export const indexerLeaderLockKey = 7_346_224_101;
/** Held around each index write: by the indexer for one pass, by a reindex for its whole run. */
export const indexWriterLockKey = 7_346_224_102;
/** NOTIFY channel the capture function signals on commit. */
export const outboxChannel = "marquee_search_outbox";

export interface OutboxChange {
  /** Commit order. */
  position: number;
  entity: "event" | "venue" | "performer";
  entityId: string;
  capturedAt: Date;
}

export async function readPosition(db: Queryable): Promise<number> {
  const { rows } = await db.query("SELECT position FROM search_indexer_state WHERE name = 'search'");
  if (rows.length !== 1) throw new Error("search_indexer_state row missing");
  return rows[0].position;
}

export async function readChanges(db: Queryable, after: number, limit: number): Promise<OutboxChange[]> {
  const { rows } = await db.query(
    `SELECT position, entity, entity_id, captured_at FROM search_outbox
     WHERE position > $1 ORDER BY position LIMIT $2`,
    [after, limit],
  );
  return rows.map((row) => ({
    position: row.position,
    entity: row.entity,
    entityId: row.entity_id,
    capturedAt: new Date(row.captured_at),
  }));
}

/** The last committed position (or `fallback` when the outbox is empty): everything visible is at or below it. */
export async function lastChangePosition(db: Queryable, fallback: number): Promise<number> {
  const { rows } = await db.query("SELECT max(position) AS position FROM search_outbox");
  return rows[0].position ?? fallback;
}

/**
 * Moves the position from `from` to `to` and forgets the rows up to it, in one transaction. Returns
 * false (and changes nothing) when the position is no longer `from`: someone else (a reindex) moved it.
 */
export async function advancePosition(client: pg.ClientBase, from: number, to: number): Promise<boolean> {
  if (!(to >= from)) throw new Error(`position must not move back (${from} -> ${to})`);
  try {
    // Inside the try: a BEGIN whose answer was lost may have opened a transaction; ROLLBACK ends it.
    await client.query("BEGIN");
    const updated = await client.query(
      "UPDATE search_indexer_state SET position = $2, updated_at = now() WHERE name = 'search' AND position = $1",
      [from, to],
    );
    if (updated.rowCount !== 1) {
      await client.query("ROLLBACK");
      return false;
    }
    await client.query("DELETE FROM search_outbox WHERE position <= $1", [to]);
    await client.query("COMMIT");
    return true;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  }
}

/** Sets the position unconditionally (after a reindex, which held the writer lock). */
export async function resetPosition(client: pg.ClientBase, to: number): Promise<void> {
  try {
    await client.query("BEGIN");
    await client.query(
      "UPDATE search_indexer_state SET position = $1, updated_at = now() WHERE name = 'search'",
      [to],
    );
    await client.query("DELETE FROM search_outbox WHERE position <= $1", [to]);
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  }
}

/** Seconds since the oldest change not yet in the index was captured (0 when none is waiting). */
export async function pendingAgeSeconds(db: Queryable, position: number): Promise<number> {
  const { rows } = await db.query(
    `SELECT greatest(0, extract(epoch FROM clock_timestamp() - captured_at))::float8 AS age
     FROM search_outbox WHERE position > $1 ORDER BY position LIMIT 1`,
    [position],
  );
  return rows[0]?.age ?? 0;
}
