// The dispatcher's SQL: claim due deliveries (several nodes at once: FOR UPDATE SKIP LOCKED), record
// each attempt's outcome, sweep what is past its retention. Times are the database's (one clock for
// every node).
import type { Database } from "../platform/database.ts";
import { webhookSweepBatchMax, webhooksMax } from "../domain/limits.ts";

export interface Receiver {
  id: string;
  url: string;
  secret: string;
}

/** A webhook as stored: its secret sealed, or (a row from before migration 0370) in the clear. */
export interface StoredReceiver {
  id: string;
  url: string;
  secret: string | null;
  sealed_secret: string | null;
}

export interface ClaimedDelivery {
  webhookId: string;
  eventId: string;
  /** Attempts so far, this one included: the outcome is recorded only while it is still this. */
  attempts: number;
  type: string;
  data: unknown;
  createdAt: Date;
}

export type Outcome = "delivered" | "retry" | "failed";

export async function listReceivers(db: Database): Promise<StoredReceiver[]> {
  const { rows } = await db.query(
    "SELECT id, url, secret, sealed_secret FROM webhooks ORDER BY id LIMIT $1",
    [webhooksMax],
  );
  return rows;
}

/**
 * Claims up to `slots[i]` due deliveries of webhook `webhookIds[i]`, oldest due first, skipping rows
 * another node is claiming; each is leased for `leaseMs` (its next attempt moves past the lease, so
 * the delivery comes back if this node dies) and counts one more attempt.
 */
export async function claimDue(
  db: Database,
  webhookIds: string[],
  slots: number[],
  leaseMs: number,
): Promise<ClaimedDelivery[]> {
  if (webhookIds.length === 0) return [];
  const { rows } = await db.query(
    `WITH wanted AS (
       SELECT * FROM unnest($1::text[], $2::int[]) AS w(webhook_id, slots) WHERE slots > 0
     ), due AS (
       SELECT d.webhook_id, d.event_id FROM wanted w CROSS JOIN LATERAL (
         SELECT webhook_id, event_id FROM webhook_deliveries
         WHERE webhook_id = w.webhook_id AND status = 'pending' AND next_attempt_at <= now()
         ORDER BY next_attempt_at LIMIT w.slots
         FOR UPDATE SKIP LOCKED) AS d
     )
     UPDATE webhook_deliveries d
     SET attempts = d.attempts + 1, next_attempt_at = now() + $3::int * interval '1 millisecond', updated_at = now()
     FROM due, webhook_events e
     WHERE d.webhook_id = due.webhook_id AND d.event_id = due.event_id AND e.id = d.event_id
     RETURNING d.webhook_id, d.event_id, d.attempts, e.type, e.data, e.created_at`,
    [webhookIds, slots, leaseMs],
  );
  return rows.map((row: any) => ({
    webhookId: row.webhook_id,
    eventId: row.event_id,
    attempts: row.attempts,
    type: row.type,
    data: row.data,
    createdAt: row.created_at,
  }));
}

export interface AttemptRecord {
  ok: boolean;
  statusCode: number | null;
  error: string | null;
  /** Seconds until the next attempt, when this one failed and the delivery is still in its window. */
  retryDelaySeconds: number;
  /** Failed attempts are retried until the delivery is this old. */
  retryWindowSeconds: number;
}

/**
 * Records an attempt's outcome, unless the delivery moved on meanwhile (its lease ran out and another
 * node attempted it again): null then.
 */
export async function recordAttempt(
  db: Database,
  delivery: ClaimedDelivery,
  record: AttemptRecord,
): Promise<Outcome | null> {
  const { rows } = await db.query(
    `UPDATE webhook_deliveries SET
       status = CASE WHEN $4 THEN 'delivered'
                     WHEN now() >= created_at + $8::float8 * interval '1 second' THEN 'failed'
                     ELSE 'pending' END,
       next_attempt_at = CASE WHEN $4 OR now() >= created_at + $8::float8 * interval '1 second' THEN NULL
                              ELSE now() + $7::float8 * interval '1 second' END,
       last_status_code = $5, last_error = $6, updated_at = now()
     WHERE webhook_id = $1 AND event_id = $2 AND attempts = $3 AND status = 'pending'
     RETURNING status`,
    [
      delivery.webhookId,
      delivery.eventId,
      delivery.attempts,
      record.ok,
      record.statusCode,
      record.error,
      record.retryDelaySeconds,
      record.retryWindowSeconds,
    ],
  );
  if (rows.length === 0) return null;
  return rows[0].status === "pending" ? "retry" : rows[0].status;
}

/**
 * Deletes a batch of what is past retention: finished deliveries, pending ones of deleted webhooks
 * (a capture racing the delete), and events old enough that no delivery of theirs can remain.
 */
export async function sweep(db: Database, retentionMs: number, retryWindowSeconds: number): Promise<number> {
  const finished = await db.query(
    `DELETE FROM webhook_deliveries WHERE (webhook_id, event_id) IN (
       SELECT webhook_id, event_id FROM webhook_deliveries
       WHERE status <> 'pending' AND updated_at < now() - $1::bigint * interval '1 millisecond' LIMIT $2)`,
    [retentionMs, webhookSweepBatchMax],
  );
  const orphans = await db.query(
    `DELETE FROM webhook_deliveries WHERE (webhook_id, event_id) IN (
       SELECT d.webhook_id, d.event_id FROM webhook_deliveries d
       WHERE d.status = 'pending' AND NOT EXISTS (SELECT 1 FROM webhooks w WHERE w.id = d.webhook_id) LIMIT $1)`,
    [webhookSweepBatchMax],
  );
  const events = await db.query(
    `DELETE FROM webhook_events WHERE id IN (
       SELECT id FROM webhook_events
       WHERE created_at < now() - ($1::bigint * interval '1 millisecond' + ($2::bigint + 7200) * interval '1 second')
       ORDER BY seq LIMIT $3)`,
    [retentionMs, retryWindowSeconds, webhookSweepBatchMax],
  );
  return (finished.rowCount ?? 0) + (orphans.rowCount ?? 0) + (events.rowCount ?? 0);
}

/** Seconds since the oldest due delivery became due (0 when none is due): the backlog's age. */
export async function oldestDueSeconds(db: Database): Promise<number> {
  const { rows } = await db.query(
    `SELECT coalesce(extract(epoch FROM now() - min(next_attempt_at)), 0)::float8 AS age
     FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= now()`,
  );
  return Math.max(0, Number(rows[0].age));
}
