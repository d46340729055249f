// One render per version, shared, off the actor's mailbox (issue 15): the catalog follows the actor's
// deltas, so however many readers arrive a version is rendered once per form, `booking.seatMap` is
// called at a cold start and after a gap only, and a reserve shows in the compact map within the
// coalescing window (SEAT_MAP_COALESCE_MS, 200 ms here).
import { expect } from "chai";
import { startSystem, dropDatabase, type TestSystem } from "../../support/system.ts";
import { createEventFixture, type EventFixture } from "../../support/catalog.ts";
import { seatsChangedEvent } from "../../../domain/messages.ts";
import type { SeatMapReader } from "../../../catalog/seat-map-reader.ts";

const windowMs = 200;

describe("seat-map snapshots: one render per version, reads off the actor's mailbox", () => {
  let system: TestSystem;
  let fixture: EventFixture;
  let reader: SeatMapReader;
  /** booking.seatMap calls (the actor's mailbox) made by this node since the start. */
  let actorReads = 0;
  before(async () => {
    system = await startSystem({ env: { SEAT_MAP_COALESCE_MS: String(windowMs) } });
    const broker = system.node.broker as any;
    const call = broker.call.bind(broker);
    broker.call = (action: string, ...rest: unknown[]) => {
      if (action === "booking.seatMap") actorReads++;
      return call(action, ...rest);
    };
    reader = (system.node.broker.getLocalService("catalog") as any).seatMaps;
    fixture = await createEventFixture(system, { seats: 2_000, rows: 20 });
  });
  after(async () => {
    await system.stop();
    await dropDatabase(system.databaseUrl);
  });

  const compact = () => system.request("GET", `/events/${fixture.eventId}/tickets?format=compact`);
  const full = () => system.request("GET", `/events/${fixture.eventId}/tickets`);
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it("many concurrent readers of a version cost one render per form, and no actor read", async () => {
    await sleep(windowMs); // the fixture's own read published a snapshot
    const renders = { ...reader.renderCounts };
    const actorReadsBefore = actorReads;
    const answers = await Promise.all([
      ...Array.from({ length: 150 }, compact),
      ...Array.from({ length: 30 }, full),
    ]);
    expect(answers.every((answer) => answer.status === 200)).to.equal(true);
    const versions = new Set(answers.map((answer) => answer.body.version));
    expect(versions.size).to.equal(1);
    expect(reader.renderCounts.compact - renders.compact).to.equal(1);
    // The fixture's read rendered this version's full list already.
    expect(reader.renderCounts.full - renders.full).to.be.at.most(1);
    expect(actorReads).to.equal(actorReadsBefore);
    const compactEtags = new Set(answers.slice(0, 150).map((answer) => answer.headers.get("etag")));
    expect(compactEtags.size).to.equal(1);
  });

  it("a reserve shows in the compact map within the window, rendered once for a crowd", async () => {
    const user = await system.token("snapshot-reader");
    const ticketId = `${fixture.eventId}.77`;
    const actorReadsBefore = actorReads;
    const reserved = await system.request("POST", "/booking/reserve", { token: user, body: { ticketId } });
    expect(reserved.status).to.equal(200);
    const startedAt = Date.now();
    let seen = await compact();
    while (seen.body.statuses[77] !== "R" && Date.now() - startedAt < 5 * windowMs) {
      await sleep(10);
      seen = await compact();
    }
    const visibleAfterMs = Date.now() - startedAt;
    expect(seen.body.statuses[77], `not visible after ${visibleAfterMs} ms`).to.equal("R");
    expect(visibleAfterMs).to.be.at.most(windowMs + 100);

    // A crowd reads the new version: one more compact render at most, every answer the same version.
    const renders = reader.renderCounts.compact;
    const crowd = await Promise.all(Array.from({ length: 100 }, compact));
    expect(new Set(crowd.map((answer) => answer.body.version)).size).to.equal(1);
    expect(reader.renderCounts.compact - renders).to.be.at.most(1);
    expect(actorReads).to.equal(actorReadsBefore);
    await system.request("POST", "/booking/release", { token: user, body: { ticketIds: [ticketId] } });
  });

  it("a gap in the deltas fetches the snapshot from the actor again", async () => {
    await sleep(windowMs);
    const before = (await compact()).body;
    const actorReadsBefore = actorReads;
    const gaps = reader.fetchCounts.gap;
    // A delta from versions this node never saw (as if some were lost on the transporter): not applied.
    await system.node.broker.broadcast(seatsChangedEvent, {
      eventId: fixture.eventId,
      fromVersion: before.version + 5,
      toVersion: before.version + 6,
      changes: [{ ticketId: `${fixture.eventId}.5`, status: "booked" }],
      committedAt: Date.now(),
    });
    await sleep(50);
    expect(reader.fetchCounts.gap).to.equal(gaps + 1);
    expect(actorReads).to.equal(actorReadsBefore + 1);
    await sleep(windowMs);
    const after = (await compact()).body;
    // The actor's state, not the bogus delta's.
    expect(after.statuses[5]).to.equal("A");
    expect(after.version).to.equal(before.version);
  });
});
