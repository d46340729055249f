import { expect } from "chai";
import type { Redis } from "ioredis";
import { ManualClock } from "../../../domain/clock.ts";
import { rateLimitBatchMax } from "../../../domain/limits.ts";
import { RateLimiter } from "../../../gateway/rate-limit.ts";
import { createRedis } from "../../../platform/redis.ts";
import { uniqueName } from "../../support/system.ts";

const redisUrl = process.env.REDIS_URL || "redis://127.0.0.1:6379";

describe("rate limit checks batched into one Redis script call", () => {
  let redis: Redis;
  /** Calls of the batch script and of the one-check script. */
  let batches: number;
  let singles: number;

  beforeEach(async () => {
    redis = createRedis(redisUrl, `${uniqueName("rl")}:`);
    await new Promise((resolve) => redis.once("ready", resolve));
  });

  afterEach(() => redis.disconnect());

  /** A limiter whose script calls are counted. */
  function countedLimiter(limit: number): RateLimiter {
    const limiter = new RateLimiter({ redis, clock: new ManualClock(), limit, windowMs: 10_000 });
    const scripts = redis as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
    const batch = scripts.marqueeRateLimitHits.bind(redis);
    const single = scripts.marqueeRateLimitHit.bind(redis);
    batches = 0;
    singles = 0;
    scripts.marqueeRateLimitHits = (...args) => ((batches += 1), batch(...args));
    scripts.marqueeRateLimitHit = (...args) => ((singles += 1), single(...args));
    return limiter;
  }

  it("sends the checks of one turn together and still counts each exactly, in order", async () => {
    const limiter = countedLimiter(30);
    const keys = Array.from({ length: 50 }, (_, index) => (index % 2 === 0 ? "busy" : `client-${index}`));
    const decisions = await Promise.all(keys.map((key) => limiter.hit(key)));
    expect([batches, singles]).to.deep.equal([1, 0]);
    const busy = decisions.filter((_, index) => keys[index] === "busy");
    expect(busy.map((decision) => decision.remaining)).to.deep.equal(
      Array.from({ length: 25 }, (_, index) => 29 - index),
    );
    expect(decisions.every((decision) => decision.allowed && decision.store === "redis")).to.equal(true);
    // Past the limit in a later batch: refused, nothing counted.
    const more = await Promise.all(Array.from({ length: 10 }, () => limiter.hit("busy")));
    expect([batches, singles]).to.deep.equal([2, 0]);
    expect(more.map((decision) => decision.allowed)).to.deep.equal([
      ...Array(5).fill(true),
      ...Array(5).fill(false),
    ]);
    expect(
      Number(await redis.get("ratelimit:{busy}:" + Math.floor(new ManualClock().now() / 10_000))),
    ).to.equal(30);
  });

  it("sends a check alone in its turn by the one-check script, counted the same", async () => {
    const limiter = countedLimiter(2);
    const decisions = [await limiter.hit("solo"), await limiter.hit("solo"), await limiter.hit("solo")];
    expect([batches, singles]).to.deep.equal([0, 3]);
    expect(decisions.map((decision) => [decision.allowed, decision.remaining, decision.store])).to.deep.equal(
      [
        [true, 1, "redis"],
        [true, 0, "redis"],
        [false, 0, "redis"],
      ],
    );
  });

  it("splits a turn of more than rateLimitBatchMax checks into several calls, each counted", async () => {
    const limiter = countedLimiter(rateLimitBatchMax * 3);
    const checks = rateLimitBatchMax * 2 + 1;
    const decisions = await Promise.all(Array.from({ length: checks }, () => limiter.hit("crowd")));
    expect([batches, singles]).to.deep.equal([3, 0]);
    expect(decisions.map((decision) => decision.remaining)).to.deep.equal(
      Array.from({ length: checks }, (_, index) => rateLimitBatchMax * 3 - 1 - index),
    );
  });

  it("counts in memory when the batch call fails (Redis lost mid-call)", async () => {
    const limiter = countedLimiter(2);
    (redis as unknown as Record<string, unknown>).marqueeRateLimitHits = () =>
      Promise.reject(new Error("Connection is closed."));
    const decisions = await Promise.all([limiter.hit("a"), limiter.hit("a"), limiter.hit("a")]);
    expect(decisions.map((decision) => [decision.allowed, decision.store])).to.deep.equal([
      [true, "memory"],
      [true, "memory"],
      [false, "memory"],
    ]);
  });
});
