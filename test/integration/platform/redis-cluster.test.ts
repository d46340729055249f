// Marquee on a Redis Cluster (issue 20), three local masters started here: every multi-key command and
// Lua script keeps its keys in one hash slot (a cluster refuses anything else with CROSSSLOT), the
// waiting room's scripts run on events spread over every master, the rate limiter's batches of many
// clients are counted in Redis (not in the memory fallback), the cache deletes entries of many events,
// and a node started with REDIS_CLUSTER_NODES serves the waiting room from the cluster.
import { expect } from "chai";
import type { Cluster } from "ioredis";
import { ManualClock } from "../../../domain/clock.ts";
import { waitingRoomKeys, type WaitingRoomKeys } from "../../../actors/waiting-room/keys.ts";
import { waitingRoomScripts } from "../../../actors/waiting-room/scripts.ts";
import { RateLimiter } from "../../../gateway/rate-limit.ts";
import { createJsonCache } from "../../../platform/cache.ts";
import { createRedisCluster } from "../../../platform/redis.ts";
import { startRedisCluster, type RedisClusterProcesses } from "../../support/clusters.ts";
import { createEventFixture } from "../../support/catalog.ts";
import { dropDatabase, startSystem, uniqueName, type TestSystem } from "../../support/system.ts";

describe("Marquee on a Redis Cluster (three masters)", function () {
  this.timeout(60_000);
  let processes: RedisClusterProcesses;
  let redis: Cluster;
  const prefix = `${uniqueName("mqcluster")}:`;

  before(async () => {
    processes = await startRedisCluster({ masters: 3 });
    redis = createRedisCluster(
      processes.nodes.map((node) => ({ host: "127.0.0.1", port: node.port })),
      prefix,
    );
    if (redis.status !== "ready") await new Promise((resolve) => redis.once("ready", resolve));
  });
  after(async () => {
    redis?.disconnect();
    await processes?.stop();
  });

  /** The hash slot of a key as the cluster computes it (with the client's prefix). */
  const slotOf = async (key: string) => Number(await redis.call("CLUSTER", "KEYSLOT", prefix + key));
  /** Event ids that spread over every master (ids of every shape the API accepts). */
  const eventIds = Array.from({ length: 24 }, (_, index) =>
    index % 3 === 0 ? `ev_${index}` : index % 3 === 1 ? `EV-${index}.x_y` : `e${"9".repeat(index)}`,
  );

  it("keeps every key of one event's waiting room in one slot, and events on every master", async () => {
    const masters = new Set<number>();
    for (const eventId of eventIds) {
      const keys = Object.values(waitingRoomKeys(eventId));
      const slots = new Set(await Promise.all(keys.map(slotOf)));
      expect([...slots], eventId).to.have.length(1);
      masters.add(await processes.masterOf(prefix + keys[0]));
    }
    expect(masters.size).to.equal(3);
  });

  it("runs every waiting-room script on every master without CROSSSLOT", async () => {
    const scripts = waitingRoomScripts(redis);
    const now = Date.now();
    for (const eventId of eventIds) {
      const keys: WaitingRoomKeys = waitingRoomKeys(eventId);
      const lease = await scripts.acquire(keys, "node-a", 5_000);
      expect(lease.acquired).to.equal(true);
      const joined = await scripts.join(keys, now - 1, 100, [
        { userId: "u1", nowMs: now, lotteryScore: "0.5" },
        { userId: "u2", nowMs: now, lotteryScore: "0.25" },
      ]);
      expect(joined.places).to.deep.equal([
        { kind: "waiting", rank: 0 },
        { kind: "waiting", rank: 1 },
      ]);
      const admitted = await scripts.admit(keys, {
        leaseValue: lease.value,
        leaseTtlMs: 5_000,
        nowMs: now,
        onSaleAtMs: now - 1,
        maxActiveShoppers: 1,
        admitPerMinute: 60,
        burst: 5,
        batchMax: 10,
        expiresAtMs: now + 60_000,
        windowSeconds: 10,
      });
      expect(admitted).to.deep.include({ fenced: false, admitted: ["u1"], waitingCount: 1 });
      const status = await scripts.status(keys, [{ userId: "u1", nowMs: now }]);
      expect(status.places).to.deep.equal([{ kind: "admitted", expiresAtMs: now + 60_000 }]);
      await scripts.spend(keys, "u1", now + 60_000);
      expect((await scripts.status(keys, [{ userId: "u1", nowMs: now }])).places).to.deep.equal([
        { kind: "none" },
      ]);
      expect(await scripts.drop(keys, lease.value)).to.equal(true);
      expect(await scripts.release(keys, lease.value)).to.equal(false); // dropped with the rest
    }
  });

  it("counts a batch of many clients' rate-limit checks in Redis, each on its own slot", async () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter({ redis, clock, limit: 3, windowMs: 10_000 });
    const clients = Array.from({ length: 40 }, (_, index) => `client-${index}`);
    // Keys with braces of their own still keep both windows of a client together.
    clients.push("user:{odd", "user:odd}", "{}", "a{b}c");
    const keys = [...clients, ...clients, ...clients, ...clients]; // the 4th of each is one too many
    const decisions = await Promise.all(keys.map((key) => limiter.hit(key)));
    expect(decisions.every((decision) => decision.store === "redis")).to.equal(true);
    expect(decisions.map((decision) => decision.allowed)).to.deep.equal([
      ...Array(clients.length * 3).fill(true),
      ...Array(clients.length).fill(false),
    ]);
    const index = Math.floor(clock.now() / 10_000);
    const spread = new Set(
      await Promise.all(
        clients.map((client) => processes.masterOf(`${prefix}ratelimit:{${client}}:${index}`)),
      ),
    );
    expect(spread.size).to.equal(3);
  });

  it("deletes cached entries of many events at once (keys on different slots)", async () => {
    const cache = createJsonCache(redis, 1_000);
    const keys = eventIds.map((eventId) => `catalog:event:${eventId}`);
    for (const key of keys) await cache.set(key, { key }, 60_000);
    expect(await cache.get(keys[5])).to.deep.equal({ key: keys[5] });
    await cache.delete(keys);
    expect(await Promise.all(keys.map((key) => redis.exists(key)))).to.deep.equal(keys.map(() => 0));
  });

  describe("a node started with REDIS_CLUSTER_NODES", () => {
    let system: TestSystem;
    before(async () => {
      system = await startSystem({ env: { REDIS_CLUSTER_NODES: processes.seeds, REDIS_KEY_PREFIX: prefix } });
    });
    after(async () => {
      if (!system) return;
      await system.stop();
      await dropDatabase(system.databaseUrl);
    });
    const join = async (eventId: string, user: string) =>
      system.request("POST", `/events/${eventId}/queue`, { token: await system.token(user) });

    it("serves the waiting room from the cluster", async () => {
      expect(system.node.runtime.redis.isCluster).to.equal(true);
      const ready = await system.request("GET", "/health/ready");
      expect(ready.body.checks.redis).to.equal("up");
      const { eventId } = await createEventFixture(system, {
        waitingRoom: { enabled: true, maxActiveShoppers: 1, admitPerMinute: 60 },
      });
      const joins = [await join(eventId, "alice"), await join(eventId, "bob")];
      expect(joins.map((answer) => answer.status)).to.deep.equal([200, 200]);
      expect(await redis.zscore(waitingRoomKeys(eventId).waiting, "bob")).to.not.equal(null);
    });

    // Last: it kills a master (no replica here), so its slots stay unserved.
    it("degrades only what lives on a dead master's slots, each call failing within its bounds", async () => {
      const masterOfEvent = (eventId: string) =>
        processes.masterOf(prefix + waitingRoomKeys(eventId).waiting);
      const events: { eventId: string; master: number }[] = [];
      while (new Set(events.map((event) => event.master)).size < 2) {
        const { eventId } = await createEventFixture(system, { waitingRoom: { enabled: true } });
        events.push({ eventId, master: await masterOfEvent(eventId) });
      }
      const doomed = events[0];
      const spared = events.find((event) => event.master !== doomed.master)!;
      expect((await join(doomed.eventId, "early")).status).to.equal(200);

      await processes.kill(doomed.master);
      // A command on the dead master's slots fails (a timeout or bounded redirections); it never hangs.
      const outcome = await Promise.race([
        redis.zcard(waitingRoomKeys(doomed.eventId).waiting).then(
          () => "answered",
          () => "failed",
        ),
        new Promise((resolve) => setTimeout(() => resolve("hung"), 15_000)),
      ]);
      expect(outcome).to.equal("failed");
      const refused = await join(doomed.eventId, "late");
      expect(refused.status).to.equal(503);
      expect(refused.body.error.code).to.equal("OVERLOADED");
      expect(Number(refused.headers.get("retry-after"))).to.be.greaterThan(0);
      expect((await join(spared.eventId, "elsewhere")).status).to.equal(200);
      // Event details read past the cache and are answered.
      expect((await system.request("GET", `/events/${doomed.eventId}`)).status).to.equal(200);
    });
  });
});
