// The classic design as `npm run bench:booking` measures it in-process (no Moleculer, no service):
// the classic engine's Redis hold locks (hold-locks.ts, one pipelined round trip), then ONE Postgres
// transaction per request (a single conditional UPDATE that takes every seat or none), on a pool
// sized for the machine. No actor, no batching: every request pays its own round trips and commit.
// Its own lean seat table (status with holder and expiry, like most schemas) keeps the figure that of
// the design, not of Marquee's tables (the full engine on those is classic-engine.ts, in the rush).
import os from "node:os";
import type { Redis } from "ioredis";
import { createPool, type Database } from "../../platform/database.ts";
import { HoldLocks } from "./hold-locks.ts";

export interface ClassicBooking {
  reserve(userId: string, eventId: string, ordinals: number[]): Promise<boolean>;
  release(userId: string, eventId: string, ordinals: number[]): Promise<number>;
  close(): Promise<void>;
}

export const classicPoolSize = () => Math.max(4, os.availableParallelism() * 4);

/** Creates the baseline's own seat table. */
export async function prepareClassicSchema(db: Database): Promise<void> {
  await db.query(`CREATE TABLE IF NOT EXISTS classic_seats (
    event_id    text NOT NULL,
    ordinal     integer NOT NULL,
    status      text NOT NULL DEFAULT 'available' CHECK (status IN ('available', 'held', 'booked')),
    holder      text,
    expires_at  timestamptz,
    PRIMARY KEY (event_id, ordinal))`);
}

export async function seedClassicEvent(db: Database, eventId: string, seats: number): Promise<void> {
  await db.query(
    `INSERT INTO classic_seats (event_id, ordinal) SELECT $1, n FROM generate_series(0, $2 - 1) AS n
     ON CONFLICT DO NOTHING`,
    [eventId, seats],
  );
}

export function createClassicBooking(
  databaseUrl: string,
  redis: Redis,
  holdTtlSeconds = 600,
): ClassicBooking {
  const db = createPool(databaseUrl, { max: classicPoolSize(), applicationName: "marquee-classic-baseline" });
  const locks = new HoldLocks(redis, holdTtlSeconds);

  return {
    async reserve(userId, eventId, ordinals) {
      // Step 1: the hold lock in Redis, every seat in one pipelined round trip.
      const { locked } = await locks.lock(eventId, userId, ordinals);
      if (locked.length !== ordinals.length) {
        await locks.unlock(eventId, locked);
        return false;
      }
      // Step 2: the durable record, one transaction: all seats or none (FOR UPDATE on the targets).
      const { rowCount } = await db.query(
        `WITH target AS (
           SELECT ordinal FROM classic_seats
           WHERE event_id = $1 AND ordinal = ANY($2::int[])
             AND (status = 'available' OR (status = 'held' AND expires_at <= now()))
           FOR UPDATE)
         UPDATE classic_seats s SET status = 'held', holder = $3, expires_at = now() + make_interval(secs => $4)
         FROM target WHERE s.event_id = $1 AND s.ordinal = target.ordinal
           AND (SELECT count(*) FROM target) = cardinality($2::int[])`,
        [eventId, ordinals, userId, holdTtlSeconds],
      );
      if (rowCount !== ordinals.length) {
        await locks.unlock(eventId, ordinals);
        return false;
      }
      return true;
    },

    async release(userId, eventId, ordinals) {
      const { rowCount } = await db.query(
        `UPDATE classic_seats SET status = 'available', holder = NULL, expires_at = NULL
         WHERE event_id = $1 AND ordinal = ANY($2::int[]) AND status = 'held' AND holder = $3`,
        [eventId, ordinals, userId],
      );
      await locks.unlock(eventId, ordinals);
      return rowCount ?? 0;
    },

    async close() {
      await db.end();
    },
  };
}
