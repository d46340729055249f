import { expect } from "chai";
import { dropDatabase, startSystem, uniqueName, type TestSystem } from "../../support/system.ts";
import { startRedisServer } from "../../support/processes.ts";

async function performerCount(system: TestSystem): Promise<number> {
  const { rows } = await system.node.runtime.db.query("SELECT count(*)::int AS n FROM performers");
  return rows[0].n;
}

function expectRateLimited(answer: { status: number; body: any; headers: Headers }): void {
  expect(answer.status).to.equal(429);
  expect(Object.keys(answer.body)).to.deep.equal(["error"]);
  expect(answer.body.error.code).to.equal("RATE_LIMITED");
  expect(answer.body.error.message).to.be.a("string").and.not.equal("");
  const retryAfter = Number(answer.headers.get("retry-after"));
  expect(Number.isInteger(retryAfter) && retryAfter >= 1, `Retry-After ${retryAfter}`).to.equal(true);
}

describe("gateway rate limiting", () => {
  const systems: TestSystem[] = [];
  async function start(env: Record<string, string>, databaseUrl?: string): Promise<TestSystem> {
    const system = await startSystem({ env, databaseUrl });
    systems.push(system);
    return system;
  }
  afterEach(async () => {
    const databases = new Set(systems.map((system) => system.databaseUrl));
    for (const system of systems.splice(0)) await system.stop();
    for (const url of databases) await dropDatabase(url);
  });

  it("answers 429 RATE_LIMITED with Retry-After past the limit and writes nothing", async () => {
    const system = await start({ RATE_LIMIT_PER_WINDOW: "6", RATE_LIMIT_WINDOW_MS: "60000" });
    const admin = await system.token("admin-1", "admin"); // 1st request (anonymous)
    for (let index = 0; index < 6; index += 1) {
      const answer = await system.request("POST", "/admin/performers", {
        token: admin,
        body: { name: `Performer ${index}` },
      });
      expect(answer.status).to.equal(201);
      expect(answer.headers.get("ratelimit-limit")).to.equal("6");
      expect(answer.headers.get("ratelimit-remaining")).to.equal(String(5 - index));
    }
    const refused = await system.request("POST", "/admin/performers", {
      token: admin,
      body: { name: "One too many" },
    });
    expectRateLimited(refused);
    // The sliding estimate spreads the previous window's requests evenly over it: a burst made early
    // in a window is out of reach at most 1/limit of a window after that window ends (60 + 10 s).
    expect(Number(refused.headers.get("retry-after"))).to.be.within(1, 70);
    expect(await performerCount(system)).to.equal(6);

    // Keyed by user: another user, and anonymous callers (by address), have their own budgets.
    const otherAdmin = await system.token("admin-2", "admin");
    const other = await system.request("POST", "/admin/performers", {
      token: otherAdmin,
      body: { name: "Someone else" },
    });
    expect(other.status).to.equal(201);
    expect(await performerCount(system)).to.equal(7);

    // Probes and metrics are never throttled.
    for (const path of ["/health/live", "/health/ready", "/metrics"]) {
      expect((await system.request("GET", path, { token: admin })).status, path).to.equal(200);
    }
  });

  it("stops a single client's burst of thousands of requests with the default limits", async () => {
    // An empty value means "use the default" (the test harness raises the limit otherwise).
    const system = await start({ RATE_LIMIT_PER_WINDOW: "", RATE_LIMIT_WINDOW_MS: "" });
    const { rateLimitPerWindow, rateLimitWindowMs } = system.config;
    const total = 3_000;
    const concurrency = 50;
    const statuses: number[] = [];
    const startedAt = Date.now();
    for (let sent = 0; sent < total; sent += concurrency) {
      const batch = await Promise.all(
        Array.from({ length: concurrency }, () => fetch(`${system.baseUrl}/events/ev_missing`)),
      );
      for (const response of batch) {
        statuses.push(response.status);
        await response.arrayBuffer();
      }
    }
    const elapsedMs = Date.now() - startedAt;
    const limited = statuses.filter((status) => status === 429).length;
    const served = statuses.filter((status) => status === 404).length;
    console.log(
      `      burst: ${total} requests in ${elapsedMs} ms, ${served} served, ${limited} refused with 429 ` +
        `(default limit ${rateLimitPerWindow} per ${rateLimitWindowMs} ms)`,
    );
    expect(served + limited).to.equal(total);
    const windowsTouched = Math.ceil(elapsedMs / rateLimitWindowMs) + 1;
    expect(served).to.be.at.most(rateLimitPerWindow * windowsTouched);
    expect(limited).to.be.at.least(total - rateLimitPerWindow * windowsTouched);
    expect(limited).to.be.greaterThan(0);
  });

  it("never trusts X-Forwarded-For from a peer that is not the configured proxy", async () => {
    const system = await start({ RATE_LIMIT_PER_WINDOW: "3", RATE_LIMIT_WINDOW_MS: "60000" });
    const statuses: number[] = [];
    for (let index = 0; index < 5; index += 1) {
      const answer = await system.request("GET", "/events/ev_missing", {
        headers: { "x-forwarded-for": `203.0.113.${index}` },
      });
      statuses.push(answer.status);
    }
    expect(statuses).to.deep.equal([404, 404, 404, 429, 429]);
  });

  it("keys by the X-Forwarded-For client when the peer is the trusted proxy", async () => {
    const system = await start({
      RATE_LIMIT_PER_WINDOW: "2",
      RATE_LIMIT_WINDOW_MS: "60000",
      TRUSTED_PROXY: "127.0.0.1",
    });
    const from = (address: string) =>
      system.request("GET", "/events/ev_missing", { headers: { "x-forwarded-for": address } });
    // The rightmost entry is what the trusted proxy saw; what the client wrote on the left is ignored.
    expect((await from("198.51.100.7, 203.0.113.1")).status).to.equal(404);
    expect((await from("10.9.9.9, 203.0.113.1")).status).to.equal(404);
    expect((await from("203.0.113.1")).status).to.equal(429);
    expect((await from("203.0.113.2")).status).to.equal(404);
    // Addresses in one IPv6 /64 share a budget.
    expect((await from("2001:db8:1:2::1")).status).to.equal(404);
    expect((await from("2001:db8:1:2:ffff::9")).status).to.equal(404);
    expect((await from("2001:db8:1:2::3")).status).to.equal(429);
  });

  it("shares the count between gateway nodes through Redis", async () => {
    const env = {
      RATE_LIMIT_PER_WINDOW: "4",
      RATE_LIMIT_WINDOW_MS: "60000",
      REDIS_KEY_PREFIX: `${uniqueName("mq")}:`,
    };
    const first = await start(env);
    const second = await start(env, first.databaseUrl);
    const statuses: number[] = [];
    for (const system of [first, second, first, second, first, second]) {
      statuses.push((await system.request("GET", "/events/ev_missing")).status);
    }
    expect(statuses).to.deep.equal([404, 404, 404, 404, 429, 429]);
  });

  it("keeps limiting in memory while Redis is down", async () => {
    const redis = await startRedisServer();
    try {
      const system = await start({
        RATE_LIMIT_PER_WINDOW: "3",
        RATE_LIMIT_WINDOW_MS: "60000",
        REDIS_URL: redis.url,
      });
      for (let index = 0; index < 3; index += 1) {
        expect((await system.request("GET", "/events/ev_missing")).status).to.equal(404);
      }
      expect((await system.request("GET", "/events/ev_missing")).status).to.equal(429);
      await redis.stop();
      // The node notices the lost connection and counts locally from zero.
      const deadline = Date.now() + 5_000;
      while (system.node.runtime.redis.status === "ready" && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const statuses: number[] = [];
      for (let index = 0; index < 5; index += 1) {
        statuses.push((await system.request("GET", "/events/ev_missing")).status);
      }
      expect(statuses).to.deep.equal([404, 404, 404, 429, 429]);
      const ready = await system.request("GET", "/health/ready");
      expect(ready.status).to.equal(200);
      expect(ready.body.status).to.equal("degraded");
    } finally {
      await redis.stop();
    }
  });
});
