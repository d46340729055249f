// Two nodes over NATS sharing Postgres and Redis: one of them runs the event's waiting-room actor
// (shard routing plus a Redis lease), and when it stops the other takes the waiting room over where it was.
import { expect } from "chai";
import { ManualClock } from "../../../domain/clock.ts";
import { startSystem, dropDatabase, uniqueName, type TestSystem } from "../../support/system.ts";
import { createEventFixture } from "../../support/catalog.ts";
import { eventually } from "../../support/eventually.ts";
import { testNatsUrl } from "../../support/clusters.ts";

const waitingRoomActors = (system: TestSystem): Map<string, { holdsLease: boolean }> =>
  (system.node.broker.getLocalService("waiting-room") as any).actors;

describe("waiting-room actor failover between nodes", function () {
  this.timeout(60_000);
  const clock = new ManualClock(Date.now());
  const env = {
    TRANSPORTER: testNatsUrl,
    NAMESPACE: uniqueName("ns"),
    REDIS_KEY_PREFIX: `${uniqueName("mq")}:`,
  };
  let first: TestSystem;
  let second: TestSystem;
  let stopped: TestSystem | null = null;

  before(async () => {
    first = await startSystem({ clock, env: { ...env, NODE_ID: uniqueName("node-a") } });
    second = await startSystem({
      clock,
      databaseUrl: first.databaseUrl,
      env: { ...env, NODE_ID: uniqueName("node-b") },
    });
    await eventually(async () => {
      const endpoints = (broker: any) =>
        broker.registry.getActionEndpoints("waiting-room.join")?.count() ?? 0;
      return endpoints(first.node.broker) === 2 && endpoints(second.node.broker) === 2 ? true : undefined;
    });
  });
  after(async () => {
    for (const system of [first, second]) if (system && system !== stopped) await system.stop();
    await dropDatabase(first.databaseUrl);
  });

  it("runs each waiting room on one node and moves it when that node stops", async () => {
    const { eventId } = await createEventFixture(first, {
      waitingRoom: { enabled: true, maxActiveShoppers: 1, admitPerMinute: 600 },
    });
    const status = async (via: TestSystem, userId: string) =>
      (await via.request("GET", `/events/${eventId}/queue`, { token: await via.token(userId) })).body;
    for (const userId of ["u1", "u2", "u3"]) {
      const joined = await first.request("POST", `/events/${eventId}/queue`, {
        token: await first.token(userId),
      });
      expect(joined.status).to.equal(200);
    }
    await eventually(async () => ((await status(second, "u1")).status === "admitted" ? true : undefined));
    const owners = [first, second].filter((system) => waitingRoomActors(system).get(eventId)?.holdsLease);
    expect(owners).to.have.length(1);
    const [owner] = owners;
    const survivor = owner === first ? second : first;
    expect(waitingRoomActors(survivor).has(eventId)).to.equal(false);

    await owner.stop();
    stopped = owner;
    await survivor.node.broker.broadcast("booking.holdsEnded", {
      eventId,
      userId: "u1",
      reason: "confirmed",
    });
    clock.advance(1_000);
    // The survivor finds the waiting room (discovery or the next poll) and carries on in order.
    await eventually(async () => ((await status(survivor, "u2")).status === "admitted" ? true : undefined));
    expect(await status(survivor, "u3")).to.deep.include({ status: "waiting", position: 1 });
    expect(waitingRoomActors(survivor).get(eventId)?.holdsLease).to.equal(true);
  });
});
