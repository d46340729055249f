// A JSON cache in Redis that never stands in the way: with Redis down (or slower than the read
// timeout) reads miss at once and writes and deletes are dropped, so callers answer from the
// source instead of failing or hanging. The client has no offline queue and a command timeout.
import { cacheReadTimeoutMs } from "../domain/limits.ts";
import { redisIsUp, type RedisClient } from "./redis.ts";

export interface JsonCache {
  get<T>(key: string): Promise<T | undefined>;
  set(key: string, value: unknown, ttlMs: number): Promise<void>;
  delete(keys: string[]): Promise<void>;
}

/** Keys deleted per DEL command. */
const deleteBatchMax = 500;

export function createJsonCache(redis: RedisClient, readTimeoutMs = cacheReadTimeoutMs): JsonCache {
  return {
    async get<T>(key: string): Promise<T | undefined> {
      if (!redisIsUp(redis)) return undefined;
      let timer: NodeJS.Timeout | undefined;
      try {
        const text = await Promise.race([
          redis.get(key),
          new Promise<null>((resolve) => {
            timer = setTimeout(() => resolve(null), readTimeoutMs);
          }),
        ]);
        return text === null ? undefined : (JSON.parse(text) as T);
      } catch {
        return undefined;
      } finally {
        clearTimeout(timer);
      }
    },
    async set(key: string, value: unknown, ttlMs: number): Promise<void> {
      if (!redisIsUp(redis)) return;
      await redis.set(key, JSON.stringify(value), "PX", Math.max(1, Math.round(ttlMs))).catch(() => {});
    },
    async delete(keys: string[]): Promise<void> {
      if (!redisIsUp(redis) || keys.length === 0) return;
      for (let start = 0; start < keys.length; start += deleteBatchMax) {
        const batch = keys.slice(start, start + deleteBatchMax);
        // On a cluster the keys (one event each) sit in different slots, where one DEL would be
        // refused (CROSSSLOT) and the stale entries would stay: one DEL per key there.
        if (redis.isCluster) await Promise.all(batch.map((key) => redis.del(key).catch(() => 0)));
        else await redis.del(...batch).catch(() => {});
      }
    },
  };
}
