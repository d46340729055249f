// Two nodes over NATS sharing one database: an event is served by exactly one node (Shard strategy +
// fencing epoch); when that node stops, the other takes over with a higher epoch and loses nothing.
import { expect } from "chai";
import { eventually } from "../../support/eventually.ts";
import {
  dropDatabase,
  freshDatabaseUrl,
  startSystem,
  uniqueName,
  type TestSystem,
} from "../../support/system.ts";
import { createEventFixture } from "../../support/catalog.ts";
import { findDatabaseViolations, queryDatabase } from "../../support/invariants.ts";
import { testNatsUrl } from "../../support/clusters.ts";

async function waitFor(
  what: string,
  probe: () => boolean | Promise<boolean>,
  timeoutMs = 15_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const bookingEndpoints = (system: TestSystem): number =>
  (system.node.broker.registry as any)
    .getActionEndpoints("booking.execute")
    ?.endpoints.filter((e: any) => e.isAvailable).length ?? 0;

describe("booking: two nodes over NATS", function () {
  this.timeout(90_000);
  let databaseUrl: string;
  const systems: TestSystem[] = [];
  before(async () => {
    databaseUrl = await freshDatabaseUrl();
    const namespace = uniqueName("ns");
    for (const nodeId of ["node-one", "node-two"]) {
      systems.push(
        await startSystem({
          databaseUrl,
          env: { TRANSPORTER: testNatsUrl, NAMESPACE: namespace, NODE_ID: nodeId, WORKER_POOL_SIZE: "1" },
        }),
      );
    }
    await waitFor("both nodes to see both booking services", () =>
      systems.every((s) => bookingEndpoints(s) === 2),
    );
  });
  after(async () => {
    for (const system of systems) await system.stop().catch(() => {});
    await dropDatabase(databaseUrl);
  });

  it("serves an event from one node, and from the other with a higher epoch after it stops", async () => {
    const [one, two] = systems;
    const fixture = await createEventFixture(one, { seats: 30 });
    const tokens = await Promise.all(Array.from({ length: 10 }, (_, index) => one.token(`fan-${index}`)));
    // Requests arrive through both gateways.
    for (let index = 0; index < 10; index++) {
      const gateway = index % 2 === 0 ? one : two;
      const answer = await gateway.request("POST", "/booking/reserve", {
        token: tokens[index],
        body: { ticketId: fixture.ticketIds[index] },
      });
      expect(answer.status, JSON.stringify(answer.body)).to.equal(200);
    }
    const owner = async () =>
      (
        await queryDatabase(databaseUrl, "SELECT owner, epoch FROM event_actors WHERE event_id = $1", [
          fixture.eventId,
        ])
      )[0];
    const before = await owner();
    expect(before.owner).to.match(/^node-(one|two)\/w0$/);
    // More traffic through both gateways: still the same owner and epoch (no ping-pong).
    await Promise.all(
      tokens.map((token, index) =>
        (index % 2 === 0 ? two : one).request("POST", "/booking/release", {
          token,
          body: { ticketId: fixture.ticketIds[index] },
        }),
      ),
    );
    await Promise.all(
      tokens.map((token, index) =>
        (index % 2 === 0 ? one : two).request("POST", "/booking/reserve", {
          token,
          body: { ticketIds: [fixture.ticketIds[index], fixture.ticketIds[index + 10]] },
        }),
      ),
    );
    expect(await owner()).to.deep.equal(before);
    // Each gateway's map follows the actor's deltas (over NATS for the other node): both show the 20 holds.
    const reservedCount = (map: any) => map.body.tickets.filter((t: any) => t.status === "reserved").length;
    const { mapOne, mapTwo } = await eventually(async () => {
      const maps = {
        mapOne: await one.request("GET", `/events/${fixture.eventId}/tickets`),
        mapTwo: await two.request("GET", `/events/${fixture.eventId}/tickets`),
      };
      return reservedCount(maps.mapOne) === 20 && reservedCount(maps.mapTwo) === 20 ? maps : undefined;
    });
    expect(mapOne.body).to.deep.equal(mapTwo.body);

    // The owning node stops; the other takes the event over from Postgres.
    const ownerIndex = before.owner.startsWith("node-one") ? 0 : 1;
    const survivor = systems[1 - ownerIndex];
    await systems[ownerIndex].stop();
    await waitFor("the survivor to see one booking service", () => bookingEndpoints(survivor) === 1);
    const map = await survivor.request("GET", `/events/${fixture.eventId}/tickets`);
    expect(map.status).to.equal(200);
    expect(map.body.tickets.filter((t: any) => t.status === "reserved")).to.have.length(20);
    expect(map.body.version).to.equal(mapOne.body.version);
    // A hold taken on the stopped node is still its holder's: she confirms on the survivor, whose
    // actor took the event over (at the ring change, for its live holds: lapse-sweep.ts; a seat-map
    // read of the catalog would not, it never reaches the actor).
    const confirm = await survivor.request("POST", "/booking/confirm", {
      token: tokens[0],
      body: { ticketIds: [fixture.ticketIds[0], fixture.ticketIds[10]], paymentDetails: { token: "tok_ok" } },
      headers: { "Idempotency-Key": "fan-0-key-0001" },
    });
    expect(confirm.status, JSON.stringify(confirm.body)).to.equal(201);
    const after = await owner();
    expect(after.owner).to.equal(`${survivor.node.broker.nodeID}/w0`);
    expect(after.epoch).to.be.greaterThan(before.epoch);
    const stolen = await survivor.request("POST", "/booking/reserve", {
      token: tokens[1],
      body: { ticketId: fixture.ticketIds[2] },
    });
    expect(stolen.status).to.equal(409);
    expect(await findDatabaseViolations(databaseUrl)).to.deep.equal([]);
  });
});
