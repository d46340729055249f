// What every service is built from: configuration, connections and a clock, created once per node
// and handed to service factories (no hidden globals, so tests can run several nodes in one process).
import type { Config } from "./config.ts";
import { createPool, type Database } from "./database.ts";
import { createRedisClient, type RedisClient } from "./redis.ts";
import { systemClock, type Clock } from "../domain/clock.ts";

export interface Runtime {
  config: Config;
  db: Database;
  /** One Redis server or a Redis Cluster (platform/redis.ts). */
  redis: RedisClient;
  clock: Clock;
}

export function createRuntime(config: Config, clock: Clock = systemClock): Runtime {
  return {
    config,
    db: createPool(config.databaseUrl, { max: 10, applicationName: `marquee-${config.services.join("+")}` }),
    redis: createRedisClient(config, config.redisKeyPrefix),
    clock,
  };
}

export async function closeRuntime(runtime: Runtime): Promise<void> {
  runtime.redis.disconnect();
  await runtime.db.end();
}
