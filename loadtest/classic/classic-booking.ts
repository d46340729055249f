// The classic design Marquee is compared with, built as well as that design allows: a Redis
// `SET NX EX` hold lock per seat (one pipelined round trip), then ONE Postgres transaction per request
// (a single conditional UPDATE that takes every seat or none), on a pool sized for the machine.
// No actor, no batching: every request pays its own round trips and its own commit.
import os from "node:os";
import type { Redis } from "ioredis";
import { createPool, type Database } from "../../platform/database.ts";

export interface ClassicBooking {
  reserve(userId: string, eventId: string, ordinals: number[]): Promise<boolean>;
  release(userId: string, eventId: string, ordinals: number[]): Promise<number>;
  close(): Promise<void>;
}

export const classicPoolSize = () => Math.max(4, os.availableParallelism() * 4);

/** Creates the baseline's own seat table (status with holder and expiry, like most schemas). */
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
  const lockKey = (eventId: string, ordinal: number) => `classic:hold:${eventId}:${ordinal}`;

  async function unlock(eventId: string, ordinals: number[]): Promise<void> {
    if (ordinals.length > 0) await redis.del(...ordinals.map((ordinal) => lockKey(eventId, ordinal)));
  }

  return {
    async reserve(userId, eventId, ordinals) {
      // Step 1: the hold lock in Redis, every seat in one pipelined round trip.
      const pipeline = redis.pipeline();
      for (const ordinal of ordinals)
        pipeline.set(lockKey(eventId, ordinal), userId, "EX", holdTtlSeconds, "NX");
      const results = (await pipeline.exec()) ?? [];
      const locked = ordinals.filter((_, index) => results[index]?.[1] === "OK");
      if (locked.length !== ordinals.length) {
        await unlock(eventId, locked);
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
        await unlock(eventId, ordinals);
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
      await unlock(eventId, ordinals);
      return rowCount ?? 0;
    },

    async close() {
      await db.end();
    },
  };
}
