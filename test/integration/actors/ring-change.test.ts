// A ring change on one host: another host took the event behind this one's back (a higher epoch) and
// changed its seats. Commands were always fenced; after the change (ringChanged) or for a read the
// sender's ring does not route here (verify), this host's actor must not answer from its old memory.
import { expect } from "chai";
import { startSystem, dropDatabase } from "../../support/system.ts";
import { createEventFixture } from "../../support/catalog.ts";
import { findDatabaseViolations, queryDatabase } from "../../support/invariants.ts";
import { startTestHost, type TestHost } from "../../support/actor-hosts.ts";
import { createFaultyDatabase } from "../../support/faulty-database.ts";
import type { Reply, SeatMapSnapshot } from "../../../actors/booking/protocol.ts";

const statuses = (reply: Reply): number[] => {
  expect(reply.ok, JSON.stringify(reply)).to.equal(true);
  return [...(reply as { value: SeatMapSnapshot }).value.statuses];
};

const errorCode = (reply: Reply): string | undefined => (reply.ok ? undefined : reply.error.code);

describe("actors: a ring change re-checks each actor's epoch before it answers", function () {
  this.timeout(60_000);
  let databaseUrl: string;
  let eventId: string;
  let otherEventId: string;
  /** The event's epoch once A activated it (the system that made the fixture may have, before). */
  let first: number;
  const fatal: Error[] = [];
  let a: TestHost;
  let b: TestHost;
  before(async () => {
    const system = await startSystem();
    eventId = (await createEventFixture(system, { seats: 4 })).eventId;
    otherEventId = (await createEventFixture(system, { seats: 4 })).eventId;
    await system.stop(); // its own actors are out of the way; the database stays
    databaseUrl = system.databaseUrl;
    a = startTestHost("host-a", databaseUrl, eventId, fatal);
    b = startTestHost("host-b", databaseUrl, eventId, fatal);
  });
  after(async () => {
    await a?.stop();
    await b?.stop();
    await dropDatabase(databaseUrl);
  });

  const seatMap = (host: TestHost, verify?: boolean, event = eventId) =>
    host.request({ kind: "seatMap", eventId: event, ...(verify ? { verify } : {}) });
  const epochOf = async (event: string) =>
    (await queryDatabase(databaseUrl, "SELECT epoch FROM event_actors WHERE event_id = $1", [event]))[0]
      .epoch;

  it("drops an actor another host took, answers the current seats after, and keeps the others", async () => {
    // A holds seat 0 of the event, and is the owner of another event (with a hold: never passivated).
    expect((await a.send({ type: "reserve", userId: "u1", ordinals: [0], holdId: "" })).ok).to.equal(true);
    const other = await a.request({
      kind: "command",
      eventId: otherEventId,
      command: { type: "reserve", userId: "u1", ordinals: [3], holdId: "" },
    });
    expect(other.ok).to.equal(true);
    first = await epochOf(eventId);
    const otherEpoch = await epochOf(otherEventId);
    // B takes the event: releases seat 0, holds seat 1.
    expect((await b.send({ type: "release", userId: "u1", ordinals: [0] })).ok).to.equal(true);
    expect((await b.send({ type: "reserve", userId: "u2", ordinals: [1], holdId: "" })).ok).to.equal(true);
    expect(await epochOf(eventId)).to.equal(first + 1);

    // Without a ring change nothing tells A: a read is answered from its memory (why the check exists).
    expect(statuses(await seatMap(a))).to.deep.equal([1, 0, 0, 0]);
    expect(a.host.activeActors).to.equal(2);

    // The ring changes: A checks both actors' epochs at once and drops the one B took, idle as it is.
    a.host.ringChanged();
    const dropped = await seatMap(a);
    expect(errorCode(dropped)).to.equal("STALE_OWNER");
    expect(a.host.activeActors).to.equal(1);
    // Sent again (as the engine's seatMap action does), A activates from PostgreSQL: B's seats.
    expect(statuses(await seatMap(a))).to.deep.equal([0, 1, 0, 0]);
    expect(await epochOf(eventId)).to.equal(first + 2);
    // The actor B never touched kept its epoch and answers at once.
    const kept = await seatMap(a, false, otherEventId);
    expect(statuses(kept)).to.deep.equal([0, 0, 0, 1]);
    expect(await epochOf(otherEventId)).to.equal(otherEpoch);
    expect(fatal).to.deep.equal([]);
  });

  it("re-checks the epoch for a read its sender's ring sends elsewhere (verify)", async () => {
    // B takes the event again (its own actor was fenced out: sent again, as runCommand does) and
    // releases seat 1; A's actor still remembers it held.
    const fenced = await b.send({ type: "release", userId: "u2", ordinals: [1] });
    expect(errorCode(fenced)).to.equal("STALE_OWNER");
    expect((await b.send({ type: "release", userId: "u2", ordinals: [1] })).ok).to.equal(true);
    expect(await epochOf(eventId)).to.equal(first + 3);
    expect(errorCode(await seatMap(a, true))).to.equal("STALE_OWNER");
    expect(statuses(await seatMap(a, true))).to.deep.equal([0, 0, 0, 0]);
    // A current actor passes the check and answers from memory, keeping its epoch.
    expect(statuses(await seatMap(a, true))).to.deep.equal([0, 0, 0, 0]);
    a.host.ringChanged();
    expect(statuses(await seatMap(a))).to.deep.equal([0, 0, 0, 0]);
    expect(await epochOf(eventId)).to.equal(first + 4);
    expect(fatal).to.deep.equal([]);
    expect(await findDatabaseViolations(databaseUrl)).to.deep.equal([]);
  });

  it("drops an actor whose check failed (the database unreachable) and reloads it at its next request", async () => {
    const faulty = createFaultyDatabase(databaseUrl);
    const c = startTestHost("host-c", databaseUrl, otherEventId, fatal, faulty.db);
    try {
      expect(statuses(await seatMap(c, false, otherEventId))).to.deep.equal([0, 0, 0, 1]);
      faulty.arm({ kind: "transient", when: "before", statement: 1 });
      c.host.ringChanged();
      const failed = await seatMap(c, false, otherEventId);
      expect(errorCode(failed)).to.equal("UNAVAILABLE");
      expect(faulty.disarm()?.text).to.match(/^SELECT a\.event_id/);
      expect(c.host.activeActors).to.equal(0);
      expect(statuses(await seatMap(c, false, otherEventId))).to.deep.equal([0, 0, 0, 1]);
      expect(fatal).to.deep.equal([]);
    } finally {
      await c.stop();
    }
  });
});
