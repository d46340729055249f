// Redis: every command has a timeout and the client never queues without bound while Redis is down,
// so callers can degrade (bypass caches, refuse waiting-room joins) instead of hanging. One Redis
// server (REDIS_URL) or a Redis Cluster (REDIS_CLUSTER_NODES), behind the same client type.
import { Cluster, Redis } from "ioredis";
import type { HostPort } from "./config-reader.ts";
import {
  redisClusterRedirectionsMax,
  redisClusterRetryDelayMs,
  redisClusterSlotsRefreshTimeoutMs,
  redisCommandTimeoutMs,
} from "../domain/limits.ts";

/**
 * A client of one Redis server or of a Redis Cluster. Both take the same commands; on a cluster a
 * command (or Lua script) may only name keys of one hash slot, which is why every multi-key use puts
 * its keys under one hash tag `{...}` (actors/waiting-room/keys.ts, gateway/rate-limit.ts) and
 * commands that would span slots are sent one key at a time where `redis.isCluster`.
 */
export type RedisClient = Redis | Cluster;

/** Where Redis is: REDIS_CLUSTER_NODES wins over REDIS_URL when set. */
export interface RedisSettings {
  redisUrl: string;
  redisClusterNodes: HostPort[] | null;
}

const connectTimeoutMs = 2_000;
const reconnectDelay = (attempt: number) => Math.min(attempt * 200, 2_000);

export function createRedis(redisUrl: string, keyPrefix: string): Redis {
  const redis = new Redis(redisUrl, {
    keyPrefix,
    commandTimeout: redisCommandTimeoutMs,
    connectTimeout: connectTimeoutMs,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    lazyConnect: false,
    retryStrategy: reconnectDelay,
  });
  redis.on("error", () => {}); // reported through `redis.status`; callers degrade
  return redis;
}

/**
 * A Redis Cluster client from seed nodes (it learns every node and slot from CLUSTER SLOTS, and again
 * after a MOVED or a lost master). Lua scripts defined on it are sent per node, by SHA once the node's
 * connection has loaded them (ioredis's defineCommand), so a replica promoted with an empty script
 * cache is handled like a restarted server. A command's timeout starts at its first send and holds
 * across redirections; redirections are bounded (domain/limits.ts).
 */
export function createRedisCluster(nodes: HostPort[], keyPrefix: string): Cluster {
  const cluster = new Cluster(nodes, {
    keyPrefix,
    // Like the single client: no queue while the cluster is not ready (callers degrade at once).
    enableOfflineQueue: false,
    lazyConnect: false,
    clusterRetryStrategy: reconnectDelay,
    maxRedirections: redisClusterRedirectionsMax,
    retryDelayOnFailover: redisClusterRetryDelayMs,
    retryDelayOnClusterDown: redisClusterRetryDelayMs,
    retryDelayOnTryAgain: redisClusterRetryDelayMs,
    slotsRefreshTimeout: redisClusterSlotsRefreshTimeoutMs,
    redisOptions: {
      commandTimeout: redisCommandTimeoutMs,
      connectTimeout: connectTimeoutMs,
      maxRetriesPerRequest: 1,
    },
  });
  cluster.on("error", () => {}); // reported through `redis.status`; callers degrade
  cluster.on("node error", () => {});
  return cluster;
}

/** The client the settings name: the cluster's when REDIS_CLUSTER_NODES is set, else REDIS_URL's. */
export function createRedisClient(settings: RedisSettings, keyPrefix: string): RedisClient {
  return settings.redisClusterNodes
    ? createRedisCluster(settings.redisClusterNodes, keyPrefix)
    : createRedis(settings.redisUrl, keyPrefix);
}

export const redisIsUp = (redis: RedisClient): boolean => redis.status === "ready";
