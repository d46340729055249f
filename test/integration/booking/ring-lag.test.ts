// A node that has not heard yet of the ring change that moved an event away: another owner (here a
// test host, which no node's ring knows of) took the event and changed its seats, and a seat-map read
// reaches the old node, whose ring still routes the event to itself. Commands were always fenced; the
// read must not be answered from the old actor's memory either (actor-engine.ts verifies every read).
import { expect } from "chai";
import { startTestHost, type TestHost } from "../../support/actor-hosts.ts";
import { createEventFixture } from "../../support/catalog.ts";
import { findDatabaseViolations, queryDatabase } from "../../support/invariants.ts";
import { dropDatabase, startSystem, type TestSystem } from "../../support/system.ts";

describe("booking: a seat-map read on a node whose ring lags", function () {
  this.timeout(60_000);
  let system: TestSystem;
  let other: TestHost | null = null;
  const fatal: Error[] = [];
  before(async () => {
    system = await startSystem({ env: { NODE_ID: "lag-a" } });
  });
  after(async () => {
    await other?.stop();
    await system?.stop();
    if (system) await dropDatabase(system.databaseUrl);
  });

  const seatMap = async (eventId: string): Promise<{ version: number; statuses: number[] }> => {
    const map = (await system.node.broker.call("booking.seatMap", { eventId })) as {
      version: number;
      statuses: string;
    };
    return { version: map.version, statuses: [...Buffer.from(map.statuses, "base64")] };
  };
  const actorOf = async (eventId: string) =>
    (
      await queryDatabase(
        system.databaseUrl,
        "SELECT owner, epoch, seat_version FROM event_actors WHERE event_id = $1",
        [eventId],
      )
    )[0];

  it("is answered from the record, not from the memory of an actor another owner fenced out", async () => {
    const { eventId, ticketIds } = await createEventFixture(system, { seats: 4 });
    const holder = await system.token("lag-holder");
    const held = await system.request("POST", "/booking/reserve", {
      token: holder,
      body: { ticketId: ticketIds[0] },
    });
    expect(held.status, JSON.stringify(held.body)).to.equal(200);
    expect((await seatMap(eventId)).statuses).to.deep.equal([1, 0, 0, 0]);
    const before = await actorOf(eventId);
    expect(before.owner).to.equal("lag-a/w0");

    // Another owner takes the event (a higher epoch) and releases the seat; this node hears nothing.
    other = startTestHost("lag-other", system.databaseUrl, eventId, fatal);
    const released = await other.send({ type: "release", userId: "lag-holder", ordinals: [0] });
    expect(released.ok, JSON.stringify(released)).to.equal(true);
    const taken = await actorOf(eventId);
    expect(taken).to.deep.include({ owner: "lag-other", epoch: before.epoch + 1 });

    // The read proves the old actor's epoch first: it is dropped and the event loaded from the record.
    const map = await seatMap(eventId);
    expect(map).to.deep.equal({ version: taken.seat_version, statuses: [0, 0, 0, 0] });
    expect(await actorOf(eventId)).to.deep.include({ owner: "lag-a/w0", epoch: before.epoch + 2 });
    // A current actor passes the check and answers from memory (no new epoch).
    expect((await seatMap(eventId)).statuses).to.deep.equal([0, 0, 0, 0]);
    expect((await actorOf(eventId)).epoch).to.equal(before.epoch + 2);
    // Commands stay fenced: the other owner's next one is refused as stale, this node's goes through.
    const fenced = await other.send({ type: "reserve", userId: "lag-other-user", ordinals: [1], holdId: "" });
    expect(fenced.ok ? undefined : fenced.error.code).to.equal("STALE_OWNER");
    const again = await system.request("POST", "/booking/reserve", {
      token: holder,
      body: { ticketId: ticketIds[0] },
    });
    expect(again.status, JSON.stringify(again.body)).to.equal(200);
    expect((await seatMap(eventId)).statuses).to.deep.equal([1, 0, 0, 0]);
    expect(fatal).to.deep.equal([]);
    expect(await findDatabaseViolations(system.databaseUrl)).to.deep.equal([]);
  });
});
