// Redis: every command has a timeout and the client never queues without bound while Redis is down,
// so callers can degrade (bypass caches, refuse waiting-room joins) instead of hanging.
import { Redis } from "ioredis";
import { redisCommandTimeoutMs } from "../domain/limits.ts";

export function createRedis(redisUrl: string, keyPrefix: string): Redis {
  const redis = new Redis(redisUrl, {
    keyPrefix,
    commandTimeout: redisCommandTimeoutMs,
    connectTimeout: 2_000,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    lazyConnect: false,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
  });
  redis.on("error", () => {}); // reported through `redis.status`; callers degrade
  return redis;
}

export const redisIsUp = (redis: Redis): boolean => redis.status === "ready";
