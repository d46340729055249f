import { expect } from "chai";
import { dropDatabase, startSystem, uniqueName, type TestSystem } from "../../support/system.ts";
import { freePort, startTcpRelay } from "../../support/processes.ts";

describe("health and metrics", () => {
  const systems: TestSystem[] = [];
  afterEach(async () => {
    for (const system of systems.splice(0)) {
      await system.stop();
      await dropDatabase(system.databaseUrl);
    }
  });

  it("answers live, ready and Prometheus metrics on the gateway", async () => {
    const system = await startSystem();
    systems.push(system);
    const live = await system.request("GET", "/health/live");
    expect(live.status).to.equal(200);
    expect(live.body).to.deep.equal({ status: "ok" });
    const ready = await system.request("GET", "/health/ready");
    expect(ready.status).to.equal(200);
    expect(ready.body.status).to.equal("ok");
    expect(ready.body.checks).to.include({ postgres: "up", redis: "up" });

    await system.request("GET", "/events/ev_unknown"); // some traffic to count
    const metrics = await system.request("GET", "/metrics");
    expect(metrics.status).to.equal(200);
    expect(metrics.headers.get("content-type")).to.match(/^text\/plain; version=0\.0\.4/);
    const text = metrics.body as string;
    expect(text).to.match(/^# HELP \w+ /m);
    expect(text).to.match(/^# TYPE \w+ (counter|gauge|histogram|summary)$/m);
    // Every sample line is `name{labels} value` with a number.
    const samples = text.split("\n").filter((line) => line && !line.startsWith("#"));
    expect(samples.length).to.be.greaterThan(10);
    for (const line of samples) expect(line).to.match(/^[a-zA-Z_:][\w:]*(\{.*\})? -?[\d.e+-]+|NaN$/);
    expect(text).to.match(/^moleculer_request_total\{.*action="catalog\.getEvent".*\} \d+/m);
  });

  it("reports 503 with the failing part named when Postgres becomes unreachable", async function () {
    this.timeout(60_000);
    const relay = await startTcpRelay(5432);
    const name = uniqueName("marquee_test");
    const system = await startSystem({
      databaseUrl: `postgres://postgres@127.0.0.1:${relay.port}/${name}`,
    });
    try {
      expect((await system.request("GET", "/health/ready")).status).to.equal(200);
      await relay.stop();
      const ready = await system.request("GET", "/health/ready");
      expect(ready.status).to.equal(503);
      expect(ready.body.status).to.equal("down");
      expect(ready.body.checks.postgres).to.equal("down");
      expect(JSON.stringify(ready.body)).to.not.match(/127\.0\.0\.1|ECONNREFUSED|5432/);
      // Liveness is about the process, not its dependencies.
      expect((await system.request("GET", "/health/live")).status).to.equal(200);
      // A request that needs the database fails cleanly: no host, port or driver text in the answer.
      const read = await system.request("GET", "/events/ev_anything");
      expect(read.status).to.equal(503);
      expect(read.body.error.code).to.equal("UNAVAILABLE");
      expect(Number(read.headers.get("retry-after"))).to.be.at.least(1);
      expect(JSON.stringify(read.body)).to.not.match(/127\.0\.0\.1|ECONNREFUSED|5432|pg|at /);
    } finally {
      await system.stop();
      await dropDatabase(`postgres://postgres@127.0.0.1:5432/${name}`);
    }
  });

  it("serves health on HEALTH_PORT on a node without the gateway", async () => {
    const port = await freePort();
    const system = await startSystem({ env: { SERVICES: "catalog", HEALTH_PORT: String(port) } });
    systems.push(system);
    expect(system.node.broker.getLocalService("api")).to.equal(undefined);
    const live = await fetch(`http://127.0.0.1:${port}/health/live`);
    expect(live.status).to.equal(200);
    const ready = await fetch(`http://127.0.0.1:${port}/health/ready`);
    expect(ready.status).to.equal(200);
    const body = (await ready.json()) as any;
    expect(body.checks.postgres).to.equal("up");
    expect(body.services).to.include("catalog");
    expect((await fetch(`http://127.0.0.1:${port}/events/x`)).status).to.equal(404);
  });
});
