// Holds whose actor is gone still lapse on every live seat map, without waiting for a command to wake
// their event (actors/booking/lapse-sweep.ts): when the node that held the event's epoch leaves, the
// node the ring gives the event to takes it up at once; when a node restarts under the same id, its
// old actors' holds are found overdue by the periodic sweep.
import { expect } from "chai";
import { createEventFixture, type EventFixture } from "../../support/catalog.ts";
import { eventually } from "../../support/eventually.ts";
import { findDatabaseViolations, queryDatabase } from "../../support/invariants.ts";
import { applyFrames, assertContinuous, connectSeatClient, type SeatClient } from "../../support/realtime.ts";
import {
  dropDatabase,
  freshDatabaseUrl,
  startSystem,
  uniqueName,
  type TestSystem,
} from "../../support/system.ts";
import { bookingNodes, ownerOf } from "../../support/ring.ts";
import { testNatsUrl } from "../../support/clusters.ts";

const actorOf = async (databaseUrl: string, eventId: string) =>
  (
    await queryDatabase(databaseUrl, "SELECT owner, epoch FROM event_actors WHERE event_id = $1", [eventId])
  )[0];

const holdCount = async (databaseUrl: string, eventId: string): Promise<number> =>
  (await queryDatabase(databaseUrl, "SELECT count(*)::int AS n FROM holds WHERE event_id = $1", [eventId]))[0]
    .n;

/** Resolves once the client's frames show `ticketId` with `status`. */
const seen = (client: SeatClient, ticketId: string, status: string, timeoutMs: number) =>
  client.until(() => applyFrames(client.frames()).get(ticketId) === status, timeoutMs);

describe("booking: holds whose actor left lapse on the live seat maps without a command", function () {
  this.timeout(120_000);
  let databaseUrl: string;
  const systems: TestSystem[] = [];
  const clients: SeatClient[] = [];
  beforeEach(async () => {
    databaseUrl = await freshDatabaseUrl();
  });
  afterEach(async () => {
    for (const client of clients.splice(0)) client.close();
    for (const system of systems.splice(0)) await system.stop().catch(() => {});
    await dropDatabase(databaseUrl);
  });

  const start = async (nodeId: string, env: Record<string, string>): Promise<TestSystem> => {
    const system = await startSystem({
      databaseUrl,
      env: { NODE_ID: nodeId, WORKER_POOL_SIZE: "1", ...env },
    });
    systems.push(system);
    return system;
  };
  const stop = async (system: TestSystem): Promise<void> => {
    systems.splice(systems.indexOf(system), 1);
    await system.stop();
  };

  it("the node the ring gives the event to publishes the lapse when the epoch's holder left", async () => {
    const ttlMs = 8_000;
    const namespace = uniqueName("ns");
    const env = { TRANSPORTER: testNatsUrl, NAMESPACE: namespace, HOLD_TTL_SECONDS: String(ttlMs / 1_000) };
    const a = await start("lapse-a", env);
    const aStartedAt = Date.now();
    const b = await start("lapse-b", env);
    await eventually(async () =>
      [a, b].every((system) => bookingNodes(system.node.broker).length === 2) ? true : undefined,
    );
    // One event the ring gives B, one it gives A (each fixture's seat-map read activates its actor).
    let onB: EventFixture | undefined;
    let onA: EventFixture | undefined;
    for (let made = 0; made < 16 && !(onA && onB); made++) {
      const fixture = await createEventFixture(a, { seats: 4 });
      if (ownerOf(a.node.broker, fixture.eventId) === "lapse-b") onB ??= fixture;
      else onA ??= fixture;
    }
    expect(onB && onA, "16 events and none on one of the nodes").to.not.equal(undefined);
    // A node trusts its ring to tell an owner that left only once it has been in it for a sweep period.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, aStartedAt + 5_500 - Date.now())));

    // A live seat map on A's gateway, then a hold on each event.
    const client = await connectSeatClient(a.baseUrl);
    clients.push(client);
    const { version } = (await client.subscribe(onB!.eventId)) as { version: number };
    const holder = await a.token("lapse-holder");
    for (const fixture of [onB!, onA!]) {
      const held = await a.request("POST", "/booking/reserve", {
        token: holder,
        body: { ticketId: fixture.ticketIds[0] },
      });
      expect(held.status, JSON.stringify(held.body)).to.equal(200);
    }
    const heldAt = Date.now();
    await seen(client, onB!.ticketIds[0], "reserved", 5_000);
    expect(await actorOf(databaseUrl, onB!.eventId)).to.deep.include({ owner: "lapse-b/w0" });
    const epochOnA = (await actorOf(databaseUrl, onA!.eventId)).epoch;

    // B leaves with the event's epoch, its hold still live.
    await stop(b);
    await eventually(async () => (bookingNodes(a.node.broker).length === 1 ? true : undefined));
    expect(await holdCount(databaseUrl, onB!.eventId), "the hold lapsed before B left").to.equal(1);

    // No command: the hold lapses on A's seat map at its time, not at the event's next activation.
    await seen(client, onB!.ticketIds[0], "available", ttlMs - (Date.now() - heldAt) + 3_000);
    expect(Date.now() - heldAt, "lapsed before its time").to.be.at.least(ttlMs - 1_000);
    assertContinuous(client.frames(), version);
    expect(await actorOf(databaseUrl, onB!.eventId)).to.deep.include({ owner: "lapse-a/w0" });
    expect(await holdCount(databaseUrl, onB!.eventId)).to.equal(0);
    // The event A held all along was not taken up again (its actor lapses its own holds).
    expect(await actorOf(databaseUrl, onA!.eventId)).to.deep.equal({ owner: "lapse-a/w0", epoch: epochOnA });
    expect(await findDatabaseViolations(databaseUrl)).to.deep.equal([]);
  });

  it("a node restarted under the same id lapses the holds its former actors left (the periodic sweep)", async () => {
    const env = { HOLD_TTL_SECONDS: "3" };
    const first = await start("lapse-solo", env);
    const fixture = await createEventFixture(first, { seats: 4 });
    const held = await first.request("POST", "/booking/reserve", {
      token: await first.token("solo-holder"),
      body: { ticketId: fixture.ticketIds[1] },
    });
    expect(held.status, JSON.stringify(held.body)).to.equal(200);
    const heldAt = Date.now();
    await stop(first);
    expect(await holdCount(databaseUrl, fixture.eventId), "the hold lapsed before the stop").to.equal(1);

    // The same node id again: its ring names it, so only the hold's lateness tells the actor is gone.
    const again = await start("lapse-solo", env);
    const client = await connectSeatClient(again.baseUrl);
    clients.push(client);
    const { version } = (await client.subscribe(fixture.eventId)) as { version: number };
    // Due at 3 s, overdue at 5 s, found by a sweep at most 5 s later.
    await seen(client, fixture.ticketIds[1], "available", 3_000 - (Date.now() - heldAt) + 11_000);
    assertContinuous(client.frames(), version);
    expect(await holdCount(databaseUrl, fixture.eventId)).to.equal(0);
    expect(await findDatabaseViolations(databaseUrl)).to.deep.equal([]);
  });
});
