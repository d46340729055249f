// Search results and event details are cached in Redis, dropped when the index moves, and with Redis
// gone the answers come straight from the index. Uses its own redis-server (killed by PID), never
// the shared one.
import { expect } from "chai";
import { spawn, type ChildProcess } from "node:child_process";
import net from "node:net";
import { Redis } from "ioredis";
import { startSystem, dropDatabase, type TestSystem } from "../../support/system.ts";
import { CatalogBuilder, eventually, randomWord, search, searchIds } from "../../support/search.ts";

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn(
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
    {
      stdio: "ignore",
    },
  );
  await eventually(async () => {
    const probe = new Redis({ port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    probe.on("error", () => {});
    try {
      await probe.connect();
      expect(await probe.ping()).to.equal("PONG");
    } finally {
      probe.disconnect();
    }
  });
  return child;
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGKILL");
  await exited;
}

describe("search and event caches", function () {
  this.timeout(60_000);
  let redisPort: number;
  let redisServer: ChildProcess;
  let redis: Redis;
  let system: TestSystem;
  let catalog: CatalogBuilder;

  before(async () => {
    redisPort = await freePort();
    redisServer = await startRedis(redisPort);
    redis = new Redis({ port: redisPort, maxRetriesPerRequest: 1, retryStrategy: () => 200 });
    redis.on("error", () => {});
    system = await startSystem({ env: { REDIS_URL: `redis://127.0.0.1:${redisPort}` } });
    catalog = new CatalogBuilder(system);
  });
  after(async () => {
    await system?.stop();
    if (system) await dropDatabase(system.databaseUrl);
    redis?.disconnect();
    if (redisServer) await stop(redisServer);
  });

  const keys = (pattern: string) => redis.keys(`${system.config.redisKeyPrefix}${pattern}`);

  it("caches search answers and event details, and drops them when the catalog changes", async () => {
    const before = randomWord();
    const after = randomWord();
    const venueId = await catalog.venue({ name: "Cache Hall", city: "Dublin", country: "Ireland" });
    const eventId = await catalog.event({ name: `${before} live`, venueId });
    await eventually(async () => expect(await searchIds(system, { term: before })).to.deep.equal([eventId]));
    await eventually(async () => expect(await keys("search:*")).to.have.length.greaterThan(0));
    expect((await system.request("GET", `/events/${eventId}`)).body.event.name).to.equal(`${before} live`);
    await eventually(async () => expect(await keys(`catalog:event:${eventId}`)).to.have.length(1));

    await catalog.patchEvent(eventId, { name: `${after} live` });
    // The catalog drops its own entry at once; the search answer follows the index.
    expect((await system.request("GET", `/events/${eventId}`)).body.event.name).to.equal(`${after} live`);
    await eventually(async () => {
      expect(await searchIds(system, { term: after })).to.deep.equal([eventId]);
      expect(await searchIds(system, { term: before })).to.deep.equal([]);
    });
  });

  it("answers straight from the index while Redis is down, and caches again when it is back", async () => {
    const marker = randomWord();
    const venueId = await catalog.venue({ name: "Outage Hall", city: "Cork", country: "Ireland" });
    const first = await catalog.event({ name: `${marker} first`, venueId });
    await eventually(async () => expect(await searchIds(system, { term: marker })).to.deep.equal([first]));

    // Redis hanging (stopped, connection open): cache reads are abandoned after a short timeout.
    redisServer.kill("SIGSTOP");
    try {
      const hanging = await search(system, { term: marker, limit: "7" });
      expect(hanging.status).to.equal(200);
      expect(hanging.body.results.map((r: any) => r.id)).to.deep.equal([first]);
    } finally {
      redisServer.kill("SIGCONT");
    }

    // Redis gone.
    await stop(redisServer);
    const answer = await search(system, { term: marker });
    expect(answer.status).to.equal(200);
    expect(answer.body.results.map((r: any) => r.id)).to.deep.equal([first]);
    expect((await system.request("GET", `/events/${first}`)).status).to.equal(200);
    // Changes keep flowing into the index and out of search while the cache is gone.
    const second = await catalog.event({ name: `${marker} second`, venueId });
    await eventually(async () =>
      expect(await searchIds(system, { term: marker })).to.have.members([first, second]),
    );
    const health = await system.request("GET", "/health/ready");
    expect(health.body.checks.redis).to.equal("degraded");

    redisServer = await startRedis(redisPort);
    await eventually(async () => {
      await searchIds(system, { term: marker });
      expect(await keys("search:*")).to.have.length.greaterThan(0);
    }, 15_000);
  });
});
