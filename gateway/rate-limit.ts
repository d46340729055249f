// Per-client rate limiting: a fixed window of `windowMs` per key, `limit` requests in it.
// The count lives in Redis so that every gateway node shares it (one round trip: a Lua script does
// INCR and sets the expiry on the first hit). While Redis is down each node counts in memory instead,
// in a bounded table: the limit then holds per node, which still stops a single client's burst.
import type { Redis } from "ioredis";
import type { Clock } from "../domain/clock.ts";
import { rateLimitMemoryKeysMax } from "../domain/limits.ts";
import { redisIsUp } from "../platform/redis.ts";

export interface RateLimitDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Milliseconds until the window of this key ends. */
  resetMs: number;
  /** For `Retry-After` when not allowed: whole seconds, at least 1. */
  retryAfterSeconds: number;
  /** Where the count was kept: `redis`, or `memory` while Redis is unreachable. */
  store: "redis" | "memory";
}

export interface RateLimiterOptions {
  redis: Redis;
  clock: Clock;
  limit: number;
  windowMs: number;
  memoryKeysMax?: number;
}

// KEYS[1] = the client's counter, ARGV[1] = window in ms. Returns {count, milliseconds left}.
// The expiry is (re)set whenever the key has none, so a counter can never outlive its window forever.
const hitScript = `
local count = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {count, ttl}
`;

type RedisWithHit = Redis & {
  marqueeRateLimitHit(key: string, windowMs: number): Promise<[number, number]>;
};

/** Fixed windows in memory; at most `keysMax` keys, oldest window evicted first. */
export class MemoryWindowCounter {
  // Map keeps insertion order; a key is re-inserted when its window restarts, so the first entries
  // are always the windows that end soonest.
  private readonly windows = new Map<string, { count: number; endsAt: number }>();

  constructor(
    private readonly windowMs: number,
    private readonly keysMax: number,
  ) {
    if (!(keysMax >= 1)) throw new Error("keysMax must be >= 1");
  }

  get size(): number {
    return this.windows.size;
  }

  hit(key: string, now: number): { count: number; resetMs: number } {
    let window = this.windows.get(key);
    if (window === undefined || window.endsAt <= now) {
      this.windows.delete(key);
      window = { count: 0, endsAt: now + this.windowMs };
      this.windows.set(key, window);
      this.evict(now);
    }
    window.count += 1;
    return { count: window.count, resetMs: window.endsAt - now };
  }

  private evict(now: number): void {
    for (const [key, window] of this.windows) {
      if (this.windows.size <= this.keysMax && window.endsAt > now) break;
      // Expired, or over the bound: forgetting the oldest window lets that one client start afresh,
      // which is the price of bounded memory under a flood of distinct clients.
      this.windows.delete(key);
    }
  }
}

export class RateLimiter {
  readonly limit: number;
  readonly windowMs: number;
  private readonly redis: RedisWithHit;
  private readonly clock: Clock;
  private readonly memory: MemoryWindowCounter;

  constructor(options: RateLimiterOptions) {
    if (!(options.limit >= 1) || !(options.windowMs >= 1)) throw new Error("rate limit must be positive");
    this.limit = options.limit;
    this.windowMs = options.windowMs;
    this.clock = options.clock;
    this.memory = new MemoryWindowCounter(options.windowMs, options.memoryKeysMax ?? rateLimitMemoryKeysMax);
    const redis = options.redis as RedisWithHit;
    if (typeof redis.marqueeRateLimitHit !== "function") {
      redis.defineCommand("marqueeRateLimitHit", { numberOfKeys: 1, lua: hitScript });
    }
    this.redis = redis;
  }

  /** Counts one request of `key` and says whether it may go on. */
  async hit(key: string): Promise<RateLimitDecision> {
    if (redisIsUp(this.redis)) {
      try {
        const [count, ttlMs] = await this.redis.marqueeRateLimitHit(`ratelimit:${key}`, this.windowMs);
        return this.decide(Number(count), Number(ttlMs), "redis");
      } catch {
        // Redis failed mid-call (timeout, connection lost): fall through to the local count.
      }
    }
    const { count, resetMs } = this.memory.hit(key, this.clock.now());
    return this.decide(count, resetMs, "memory");
  }

  private decide(count: number, resetMs: number, store: "redis" | "memory"): RateLimitDecision {
    const boundedResetMs = Math.min(Math.max(resetMs, 0), this.windowMs);
    return {
      allowed: count <= this.limit,
      limit: this.limit,
      remaining: Math.max(0, this.limit - count),
      resetMs: boundedResetMs,
      retryAfterSeconds: Math.max(1, Math.ceil(boundedResetMs / 1000)),
      store,
    };
  }
}
