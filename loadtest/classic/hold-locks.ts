// The classic design's hold lock: a Redis `SET NX EX` key per seat, every seat of a request in one
// pipelined round trip. Used by the classic engine and by the in-process baseline of bench:booking.
import type { RedisClient } from "../../platform/redis.ts";

// The event id is the hash tag: a request's locks (one event) share a Redis Cluster slot, so its one
// pipeline and its one DEL stay legal there.
const lockKey = (eventId: string, ordinal: number) => `classic:hold:{${eventId}}:${ordinal}`;

export interface LockAttempt {
  /** Seats whose lock this attempt set. */
  locked: number[];
  /** Seats whose lock was already there (held by `userId` itself too, unless `ownLocksCount`). */
  refused: number[];
}

export class HoldLocks {
  constructor(
    private readonly redis: RedisClient,
    private readonly ttlSeconds: number,
  ) {}

  /**
   * Sets the seats' locks for `userId`. With `ownLocksCount`, a lock the user already holds is no
   * refusal (the pipeline then also reads each lock's holder).
   */
  async lock(
    eventId: string,
    userId: string,
    ordinals: number[],
    ownLocksCount = false,
  ): Promise<LockAttempt> {
    const pipeline = this.redis.pipeline();
    for (const ordinal of ordinals)
      pipeline.set(lockKey(eventId, ordinal), userId, "EX", this.ttlSeconds, "NX");
    if (ownLocksCount) for (const ordinal of ordinals) pipeline.get(lockKey(eventId, ordinal));
    const results = ((await pipeline.exec()) ?? []) as [Error | null, unknown][];
    const set = (index: number) => results[index]?.[1] === "OK";
    const own = (index: number) => ownLocksCount && results[ordinals.length + index]?.[1] === userId;
    return {
      locked: ordinals.filter((_, index) => set(index)),
      refused: ordinals.filter((_, index) => !set(index) && !own(index)),
    };
  }

  async unlock(eventId: string, ordinals: number[]): Promise<void> {
    if (ordinals.length > 0) await this.redis.del(...ordinals.map((ordinal) => lockKey(eventId, ordinal)));
  }
}
