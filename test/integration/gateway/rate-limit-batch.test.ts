import { expect } from "chai";
import type { Redis } from "ioredis";
import { ManualClock } from "../../../domain/clock.ts";
import { RateLimiter } from "../../../gateway/rate-limit.ts";
import { createRedis } from "../../../platform/redis.ts";
import { uniqueName } from "../../support/system.ts";

const redisUrl = process.env.REDIS_URL || "redis://127.0.0.1:6379";

describe("rate limit checks batched into one Redis pipeline", () => {
  let redis: Redis;
  let pipelines: number;

  beforeEach(async () => {
    redis = createRedis(redisUrl, `${uniqueName("rl")}:`);
    await new Promise((resolve) => redis.once("ready", resolve));
    pipelines = 0;
    const pipeline = redis.pipeline.bind(redis);
    redis.pipeline = ((...args: Parameters<Redis["pipeline"]>) => {
      pipelines += 1;
      return pipeline(...args);
    }) as Redis["pipeline"];
  });

  afterEach(() => redis.disconnect());

  it("sends the checks of one turn together and still counts each exactly, in order", async () => {
    const limiter = new RateLimiter({ redis, clock: new ManualClock(), limit: 30, windowMs: 10_000 });
    const keys = Array.from({ length: 50 }, (_, index) => (index % 2 === 0 ? "busy" : `client-${index}`));
    const decisions = await Promise.all(keys.map((key) => limiter.hit(key)));
    expect(pipelines).to.equal(1);
    const busy = decisions.filter((_, index) => keys[index] === "busy");
    expect(busy.map((decision) => decision.remaining)).to.deep.equal(
      Array.from({ length: 25 }, (_, index) => 29 - index),
    );
    expect(decisions.every((decision) => decision.allowed && decision.store === "redis")).to.equal(true);
    // Past the limit in a later batch: refused, nothing counted.
    const more = await Promise.all(Array.from({ length: 10 }, () => limiter.hit("busy")));
    expect(pipelines).to.equal(2);
    expect(more.map((decision) => decision.allowed)).to.deep.equal([
      ...Array(5).fill(true),
      ...Array(5).fill(false),
    ]);
    expect(
      Number(await redis.get("ratelimit:{busy}:" + Math.floor(new ManualClock().now() / 10_000))),
    ).to.equal(30);
  });

  it("sends a check alone in its turn as a plain command, counted the same", async () => {
    const limiter = new RateLimiter({ redis, clock: new ManualClock(), limit: 2, windowMs: 10_000 });
    const decisions = [await limiter.hit("solo"), await limiter.hit("solo"), await limiter.hit("solo")];
    expect(pipelines).to.equal(0);
    expect(decisions.map((decision) => [decision.allowed, decision.remaining, decision.store])).to.deep.equal(
      [
        [true, 1, "redis"],
        [true, 0, "redis"],
        [false, 0, "redis"],
      ],
    );
  });

  it("counts in memory when the pipeline fails (Redis lost mid-call)", async () => {
    const limiter = new RateLimiter({ redis, clock: new ManualClock(), limit: 2, windowMs: 10_000 });
    redis.pipeline = (() => ({
      marqueeRateLimitHit() {},
      exec: () => Promise.reject(new Error("Connection is closed.")),
    })) as unknown as Redis["pipeline"];
    const decisions = await Promise.all([limiter.hit("a"), limiter.hit("a"), limiter.hit("a")]);
    expect(decisions.map((decision) => [decision.allowed, decision.store])).to.deep.equal([
      [true, "memory"],
      [true, "memory"],
      [false, "memory"],
    ]);
  });
});
