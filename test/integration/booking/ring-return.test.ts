// Ownership that leaves a node and comes back: an event's actor on node A, node B joins and the ring
// gives B the event (B activates it with a higher epoch and changes seats), then B leaves and the
// ring gives the event back to A. A's old actor must not answer from the memory it had before B:
// the seat map A serves and A's answers to buyers must be the current state.
import { expect } from "chai";
import type { ServiceBroker } from "moleculer";
import { createEventFixture, type EventFixture } from "../../support/catalog.ts";
import { eventually } from "../../support/eventually.ts";
import { findDatabaseViolations, queryDatabase } from "../../support/invariants.ts";
import {
  dropDatabase,
  freshDatabaseUrl,
  startSystem,
  uniqueName,
  type TestSystem,
} from "../../support/system.ts";
import { bookingNodes, ownerOf } from "../../support/ring.ts";
import { testNatsUrl } from "../../support/clusters.ts";

/** Events activated on A before B joins: the ring gives each to B with probability about 1/2. */
const eventsBeforeJoin = 16;

/** The live seat map of the event's actor (booking.seatMap): 0 available, 1 reserved, 2 booked. */
async function statuses(broker: ServiceBroker, eventId: string): Promise<number[]> {
  const map = (await broker.call("booking.seatMap", { eventId })) as { statuses: string };
  return [...Buffer.from(map.statuses, "base64")];
}

describe("booking: an event whose ownership returns to its old node", function () {
  this.timeout(120_000);
  let databaseUrl: string;
  let namespace: string;
  let a: TestSystem;
  let b: TestSystem | null = null;
  before(async () => {
    databaseUrl = await freshDatabaseUrl();
    namespace = uniqueName("ns");
  });
  after(async () => {
    await b?.stop().catch(() => {});
    await a?.stop().catch(() => {});
    await dropDatabase(databaseUrl);
  });

  const start = (nodeId: string) =>
    startSystem({
      databaseUrl,
      env: { TRANSPORTER: testNatsUrl, NAMESPACE: namespace, NODE_ID: nodeId, WORKER_POOL_SIZE: "1" },
    });

  it("serves the state B left, not A's memory from before B", async () => {
    a = await start("ring-a");
    const holder = await a.token("ring-holder");
    // Every event active on A with a live hold on seat 0 (so its actor is never passivated).
    const fixtures: EventFixture[] = [];
    for (let index = 0; index < eventsBeforeJoin; index++) {
      const fixture = await createEventFixture(a, { seats: 4 });
      const held = await a.request("POST", "/booking/reserve", {
        token: holder,
        body: { ticketId: fixture.ticketIds[0] },
      });
      expect(held.status, JSON.stringify(held.body)).to.equal(200);
      fixtures.push(fixture);
    }
    expect(await statuses(a.node.broker, fixtures[0].eventId)).to.deep.equal([1, 0, 0, 0]);

    b = await start("ring-b");
    await eventually(async () =>
      [a, b!].every((system) => bookingNodes(system.node.broker).length === 2) ? true : undefined,
    );
    const moved = fixtures.find((fixture) => ownerOf(a.node.broker, fixture.eventId) === "ring-b");
    expect(moved, "no event moved to B").to.not.equal(undefined);
    const stayed = fixtures.find((fixture) => ownerOf(a.node.broker, fixture.eventId) === "ring-a");
    expect(stayed, "no event stayed on A").to.not.equal(undefined);
    const { eventId, ticketIds } = moved!;

    // On B: the holder releases seat 0, another buyer holds seat 1.
    const released = await b.request("POST", "/booking/release", {
      token: holder,
      body: { ticketId: ticketIds[0] },
    });
    expect(released.status, JSON.stringify(released.body)).to.equal(200);
    const other = await b.token("ring-other");
    const taken = await b.request("POST", "/booking/reserve", {
      token: other,
      body: { ticketId: ticketIds[1] },
    });
    expect(taken.status, JSON.stringify(taken.body)).to.equal(200);
    const [actor] = await queryDatabase(databaseUrl, "SELECT owner FROM event_actors WHERE event_id = $1", [
      eventId,
    ]);
    expect(actor.owner).to.equal("ring-b/w0");

    // B leaves: the ring gives the event back to A.
    await b.stop();
    b = null;
    await eventually(async () => (bookingNodes(a.node.broker).length === 1 ? true : undefined));

    // A's seat map is the current one: seat 0 free again, seat 1 held on B.
    expect(await statuses(a.node.broker, eventId)).to.deep.equal([0, 1, 0, 0]);
    // A buyer on A gets the seat released on B, and not the one held there.
    const buyer = await a.token("ring-buyer");
    const freed = await a.request("POST", "/booking/reserve", {
      token: buyer,
      body: { ticketId: ticketIds[0] },
    });
    expect(freed.status, JSON.stringify(freed.body)).to.equal(200);
    const held = await a.request("POST", "/booking/reserve", {
      token: buyer,
      body: { ticketId: ticketIds[1] },
    });
    expect(held.status, JSON.stringify(held.body)).to.equal(409);
    expect(await statuses(a.node.broker, eventId)).to.deep.equal([1, 1, 0, 0]);
    // An event the ring never moved is still A's, served without a reload (both ring changes passed
    // its actor's epoch check).
    expect(await statuses(a.node.broker, stayed!.eventId)).to.deep.equal([1, 0, 0, 0]);
    const [kept] = await queryDatabase(
      databaseUrl,
      "SELECT owner, epoch FROM event_actors WHERE event_id = $1",
      [stayed!.eventId],
    );
    expect(kept).to.deep.equal({ owner: "ring-a/w0", epoch: 1 });
    expect(await findDatabaseViolations(databaseUrl)).to.deep.equal([]);
  });
});
