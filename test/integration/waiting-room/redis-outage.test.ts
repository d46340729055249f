// Redis goes away under the waiting room: joining answers 503 OVERLOADED with Retry-After, admitted
// users keep their (Redis-free) admission, and when Redis is back the line carries on where it was.
// Uses a redis-server of its own (append-only file, so a restart keeps the data), stopped by its PID.
import { expect } from "chai";
import { ManualClock } from "../../../domain/clock.ts";
import { startSystem, dropDatabase, type TestSystem } from "../../support/system.ts";
import { createEventFixture } from "../../support/catalog.ts";
import { eventually } from "../../support/eventually.ts";
import { startRestartableRedisServer, type RestartableRedisServer } from "../../support/processes.ts";

describe("waiting room during a Redis outage", function () {
  this.timeout(60_000);
  let redisServer: RestartableRedisServer;
  let system: TestSystem;
  const clock = new ManualClock(Date.now());

  before(async () => {
    redisServer = await startRestartableRedisServer({ persistent: true });
    system = await startSystem({ clock, env: { REDIS_URL: redisServer.url } });
  });
  after(async () => {
    await system?.stop();
    if (system) await dropDatabase(system.databaseUrl);
    await redisServer?.destroy();
  });

  const call = async (method: "POST" | "GET", eventId: string, userId: string) =>
    system.request(method, `/events/${eventId}/queue`, { token: await system.token(userId) });
  const admittedBody = async (eventId: string, userId: string) =>
    eventually(async () => {
      const answer = await call("GET", eventId, userId);
      return answer.body?.status === "admitted" ? answer.body : undefined;
    });

  it("refuses joins with 503 + Retry-After, keeps admitted users in, and resumes afterwards", async () => {
    const { eventId, ticketIds } = await createEventFixture(system, {
      waitingRoom: { enabled: true, maxActiveShoppers: 1, admitPerMinute: 600 },
    });
    expect((await call("POST", eventId, "alice")).status).to.equal(200);
    const alice = await admittedBody(eventId, "alice");
    expect((await call("POST", eventId, "bob")).body).to.deep.include({ status: "waiting", position: 1 });

    await redisServer.stop();

    const refused = await call("POST", eventId, "carol");
    expect(refused.status).to.equal(503);
    expect(refused.body.error.code).to.equal("OVERLOADED");
    expect(Number(refused.headers.get("retry-after"))).to.be.greaterThan(0);
    expect((await call("GET", eventId, "bob")).status).to.equal(503);
    const ready = await system.request("GET", "/health/ready");
    expect(ready.body.checks.redis).to.equal("degraded");
    // The reserve path's check needs no Redis: alice's token still lets her book.
    const held = await system.request("POST", "/booking/reserve", {
      token: await system.token("alice"),
      body: { ticketId: ticketIds[0] },
      headers: { "x-admission-token": alice.admissionToken },
    });
    expect(held.status, JSON.stringify(held.body)).to.equal(200);
    const withoutToken = await system.request("POST", "/booking/reserve", {
      token: await system.token("bob"),
      body: { ticketId: ticketIds[1] },
    });
    expect(withoutToken.status).to.equal(403);

    await redisServer.start();

    const carol = await eventually(async () => {
      const answer = await call("POST", eventId, "carol");
      return answer.status === 200 ? answer.body : undefined;
    });
    expect(carol).to.deep.include({ status: "waiting", position: 2 }); // behind bob, as before
    expect(await admittedBody(eventId, "alice")).to.deep.equal(alice);
    // Alice lets her seat go; the actor (lease re-taken after the outage) lets bob in, carol stays next.
    const released = await system.request("POST", "/booking/release", {
      token: await system.token("alice"),
      body: { ticketIds: [ticketIds[0]] },
    });
    expect(released.status).to.equal(200);
    clock.advance(1_000);
    await admittedBody(eventId, "bob");
    expect((await call("GET", eventId, "carol")).body).to.deep.include({ status: "waiting", position: 1 });
  });
});
