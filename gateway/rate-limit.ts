// Per-client rate limiting by sliding window: at most `limit` requests in any `windowMs`, estimated
// from two fixed windows (the previous one weighted by how much of it the last `windowMs` still
// covers, plus the current one), so a client cannot spend a whole limit at the end of one window and
// another at the start of the next. Only requests let through are counted. The counts live in
// Redis so that every gateway node shares them (one round trip: a Lua script reads both windows and
// counts the request if it fits); the checks of the requests that arrive together (in one turn of the
// event loop) go to Redis as one call of a script that checks each in turn (at most
// `rateLimitBatchMax` per call), one command for all of them. While Redis is
// down each node counts in memory instead, in a bounded table: the limit then holds per node, which
// still stops a single client's burst.
import type { Clock } from "../domain/clock.ts";
import { rateLimitBatchMax, rateLimitMemoryKeysMax } from "../domain/limits.ts";
import { redisIsUp, type RedisClient } from "../platform/redis.ts";

export interface RateLimitDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Milliseconds until the current fixed window ends. */
  resetMs: number;
  /** For `Retry-After` when not allowed: whole seconds, at least 1. */
  retryAfterSeconds: number;
  /** Where the count was kept: `redis`, or `memory` while Redis is unreachable. */
  store: "redis" | "memory";
}

export interface RateLimiterOptions {
  redis: RedisClient;
  clock: Clock;
  limit: number;
  windowMs: number;
  memoryKeysMax?: number;
}

/** Requests of one key in the window before the current one and in the current one. */
export interface WindowCounts {
  previous: number;
  current: number;
}

/** How much of the previous window the sliding window still covers, `elapsedMs` into the current. */
const previousWeight = (elapsedMs: number, windowMs: number) => (windowMs - elapsedMs) / windowMs;

/** Whether one more request fits: the sliding estimate with it is at most `limit`. */
export function fits(counts: WindowCounts, elapsedMs: number, windowMs: number, limit: number): boolean {
  return counts.previous * previousWeight(elapsedMs, windowMs) + counts.current + 1 <= limit;
}

/** How long until one more request fits (0 when it fits now). */
export function waitUntilFitsMs(
  counts: WindowCounts,
  elapsedMs: number,
  windowMs: number,
  limit: number,
): number {
  if (fits(counts, elapsedMs, windowMs, limit)) return 0;
  const { previous, current } = counts;
  // Later in this window, as the previous one slides out of reach.
  if (current + 1 <= limit && previous > 0) {
    const at = windowMs * (1 - (limit - current - 1) / previous);
    if (at < windowMs) return Math.max(0, Math.ceil(at - elapsedMs));
  }
  // In the next window, where this one's count is the previous one.
  const into = current > 0 ? Math.max(0, windowMs * (1 - (limit - 1) / current)) : 0;
  return Math.ceil(windowMs - elapsedMs + into);
}

// KEYS[1] = the client's previous window, KEYS[2] = its current window; ARGV = elapsed ms into the
// current window, window ms, limit. Counts the request only if it fits; returns {fits, previous, current}.
// The current window's key lives two windows, so it is there as the previous one.
const hitScript = `
local previous = tonumber(redis.call('GET', KEYS[1]) or '0')
local current = tonumber(redis.call('GET', KEYS[2]) or '0')
local elapsed, window, limit = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
if previous * (window - elapsed) / window + current + 1 > limit then
  return {0, previous, current}
end
current = redis.call('INCR', KEYS[2])
if current == 1 then redis.call('PEXPIRE', KEYS[2], window * 2) end
return {1, previous, current}
`;

// The same check for a batch, each in order as if sent one after another: KEYS = each check's two
// windows; ARGV[1] = window ms, ARGV[2] = limit, then each check's elapsed ms. Returns the three
// numbers of each check, one after another.
const hitsScript = `
local window, limit = tonumber(ARGV[1]), tonumber(ARGV[2])
local answers = {}
for check = 1, #KEYS / 2 do
  local previousKey, currentKey = KEYS[check * 2 - 1], KEYS[check * 2]
  local previous = tonumber(redis.call('GET', previousKey) or '0')
  local current = tonumber(redis.call('GET', currentKey) or '0')
  local elapsed = tonumber(ARGV[check + 2])
  local fits = 0
  if previous * (window - elapsed) / window + current + 1 <= limit then
    fits = 1
    current = redis.call('INCR', currentKey)
    if current == 1 then redis.call('PEXPIRE', currentKey, window * 2) end
  end
  answers[#answers + 1] = fits
  answers[#answers + 1] = previous
  answers[#answers + 1] = current
end
return answers
`;

type HitArguments = [
  previousKey: string,
  currentKey: string,
  elapsedMs: number,
  windowMs: number,
  limit: number,
];

type RedisWithHit = RedisClient & {
  marqueeRateLimitHit(...args: HitArguments): Promise<[number, number, number]>;
  /** numberOfKeys, the keys, then window ms, limit and each check's elapsed ms. */
  marqueeRateLimitHits(...args: (string | number)[]): Promise<number[]>;
};

/** A check waiting for the next pipeline: its arguments and where its answer goes. */
interface PendingHit {
  args: HitArguments;
  settle(counts: [number, number, number] | null): void;
}

/** The same two windows in memory; at most `keysMax` keys, those idle longest forgotten first. */
export class MemoryWindowCounter {
  // Map keeps insertion order; a key is re-inserted when it is counted in a new window, so the first
  // entries are those whose last window is the oldest.
  private readonly windows = new Map<string, { index: number; previous: number; current: number }>();

  constructor(
    private readonly windowMs: number,
    private readonly keysMax: number,
  ) {
    if (!(keysMax >= 1)) throw new Error("keysMax must be >= 1");
  }

  get size(): number {
    return this.windows.size;
  }

  /** The counts of `key` at `now` (after counting this request when it fits). */
  hit(key: string, now: number, limit: number): WindowCounts & { fits: boolean } {
    const index = Math.floor(now / this.windowMs);
    let window = this.windows.get(key);
    if (window === undefined || window.index !== index) {
      const previous = window?.index === index - 1 ? window.current : 0;
      this.windows.delete(key);
      window = { index, previous, current: 0 };
      this.windows.set(key, window);
      this.evict(index);
    }
    const counted = fits(window, now - index * this.windowMs, this.windowMs, limit);
    if (counted) window.current += 1;
    return { fits: counted, previous: window.previous, current: window.current };
  }

  private evict(index: number): void {
    for (const [key, window] of this.windows) {
      if (this.windows.size <= this.keysMax && window.index >= index - 1) break;
      // Out of reach of the sliding window, or over the bound: forgetting the oldest lets that one
      // client start afresh, which is the price of bounded memory under a flood of distinct clients.
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
  /** Checks for Redis gathered in this turn of the event loop, sent together by `flush`. */
  private pending: PendingHit[] = [];

  constructor(options: RateLimiterOptions) {
    if (!(options.limit >= 1) || !(options.windowMs >= 1)) throw new Error("rate limit must be positive");
    this.limit = options.limit;
    this.windowMs = options.windowMs;
    this.clock = options.clock;
    this.memory = new MemoryWindowCounter(options.windowMs, options.memoryKeysMax ?? rateLimitMemoryKeysMax);
    const redis = options.redis as RedisWithHit;
    if (typeof redis.marqueeRateLimitHit !== "function") {
      redis.defineCommand("marqueeRateLimitHit", { numberOfKeys: 2, lua: hitScript });
      redis.defineCommand("marqueeRateLimitHits", { lua: hitsScript });
    }
    this.redis = redis;
  }

  /** Counts one request of `key` if it may go on, and says whether it may. */
  async hit(key: string): Promise<RateLimitDecision> {
    const now = this.clock.now();
    const index = Math.floor(now / this.windowMs);
    const elapsedMs = now - index * this.windowMs;
    if (redisIsUp(this.redis)) {
      // One hash tag: both windows of a key on the same Redis Cluster slot.
      const counted = await this.inBatch([
        `ratelimit:{${key}}:${index - 1}`,
        `ratelimit:{${key}}:${index}`,
        elapsedMs,
        this.windowMs,
        this.limit,
      ]);
      if (counted !== null) {
        const [allowed, previous, current] = counted;
        return this.decide(Number(allowed) === 1, { previous, current }, elapsedMs, "redis");
      }
      // Redis failed mid-call (timeout, connection lost): fall through to the local count.
    }
    const counts = this.memory.hit(key, now, this.limit);
    return this.decide(counts.fits, counts, elapsedMs, "memory");
  }

  /** Redis's answer to one check, sent with the others of this turn; null when Redis failed. */
  private inBatch(args: HitArguments): Promise<[number, number, number] | null> {
    return new Promise((settle) => {
      // After the I/O callbacks of this turn (setImmediate): every request read in it is in the batch.
      if (this.pending.push({ args, settle }) === 1) setImmediate(() => this.flush());
    });
  }

  private flush(): void {
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 1 || this.redis.isCluster) {
      // Alone in its turn: the one-check script. On a Redis Cluster the clients' keys sit in
      // different slots, which one script may not span: each check goes by itself to its slot's node
      // (still one write each, without waiting for the others).
      for (const { args, settle } of batch)
        this.redis.marqueeRateLimitHit(...args).then(settle, () => settle(null));
      return;
    }
    for (let start = 0; start < batch.length; start += rateLimitBatchMax)
      this.sendBatch(batch.slice(start, start + rateLimitBatchMax));
  }

  /** Up to `rateLimitBatchMax` checks (one window size and limit: this limiter's) in one script call. */
  private sendBatch(batch: PendingHit[]): void {
    const keys: string[] = [];
    const elapsed: number[] = [];
    for (const { args } of batch) {
      keys.push(args[0], args[1]);
      elapsed.push(args[2]);
    }
    this.redis.marqueeRateLimitHits(keys.length, ...keys, this.windowMs, this.limit, ...elapsed).then(
      (answers) =>
        batch.forEach(({ settle }, index) => {
          const at = index * 3;
          settle(at + 2 < answers.length ? [answers[at], answers[at + 1], answers[at + 2]] : null);
        }),
      () => batch.forEach(({ settle }) => settle(null)),
    );
  }

  private decide(
    allowed: boolean,
    counts: WindowCounts,
    elapsedMs: number,
    store: "redis" | "memory",
  ): RateLimitDecision {
    const used = counts.previous * previousWeight(elapsedMs, this.windowMs) + counts.current;
    const waitMs = allowed ? 0 : waitUntilFitsMs(counts, elapsedMs, this.windowMs, this.limit);
    return {
      allowed,
      limit: this.limit,
      remaining: Math.max(0, Math.floor(this.limit - used)),
      resetMs: this.windowMs - elapsedMs,
      retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)),
      store,
    };
  }
}
