// End to end with the real booking core: reserve, release and hold expiry reach Socket.IO and SSE
// clients as frames with continuous versions, and the map they build equals the live seat map.
import { expect } from "chai";
import { dropDatabase, startSystem, type TestSystem } from "../../support/system.ts";
import { createEventFixture } from "../../support/catalog.ts";
import { applyFrames, assertContinuous, connectSeatClient, openSse } from "../../support/realtime.ts";

describe("real-time seat map with the booking core", function () {
  this.timeout(60_000);
  let system: TestSystem;

  before(async function () {
    system = await startSystem({ env: { HOLD_TTL_SECONDS: "2", REALTIME_COALESCE_MS: "50" } });
  });
  after(async function () {
    await system?.stop();
    if (system) await dropDatabase(system.databaseUrl);
  });

  it("reserve, release and expiry arrive in order with no version gap", async function () {
    const event = await createEventFixture(system, { seats: 12 });
    const [t1, t2, t3, t4] = event.ticketIds;
    const alice = await system.token("alice");
    const bob = await system.token("bob");
    const client = await connectSeatClient(system.baseUrl);
    const compact = await connectSeatClient(system.baseUrl);
    try {
      const snapshot = await system.request("GET", `/events/${event.eventId}/tickets`);
      const answer = (await client.subscribe(event.eventId)) as { version: number };
      expect(answer.version).to.equal(snapshot.body.version);
      await compact.subscribe(event.eventId, undefined, "compact");
      const stream = await openSse(system.baseUrl, `/events/${event.eventId}/updates`);
      await stream.until((events) => events.length === 1);
      expect(stream.events[0].data.version).to.equal(answer.version);

      const reserve = (token: string, ticketIds: string[]) =>
        system.request("POST", "/booking/reserve", { token, body: { ticketIds } });
      expect((await reserve(alice, [t1, t2])).status).to.equal(200);
      expect((await reserve(bob, [t3])).status).to.equal(200);
      expect((await reserve(bob, [t1])).status).to.equal(409); // changes nothing, sends nothing
      const released = await system.request("POST", "/booking/release", {
        token: alice,
        body: { ticketIds: [t1] },
      });
      expect(released.status).to.equal(200);
      const reservedAt = Date.now();
      expect((await reserve(bob, [t4])).status).to.equal(200);

      // While held: t2, t3, t4 reserved; t1 back to available.
      const held = await system.request("GET", `/events/${event.eventId}/tickets`);
      await client.until(() => client.frames().at(-1)?.toVersion === held.body.version);
      const seen = applyFrames(client.frames());
      expect(Object.fromEntries(seen)).to.deep.equal({
        [t1]: "available",
        [t2]: "reserved",
        [t3]: "reserved",
        [t4]: "reserved",
      });

      // Every hold lapses after HOLD_TTL_SECONDS: the seats come back as deltas too.
      await client.until(() => {
        const seats = applyFrames(client.frames());
        return (
          seats.get(t2) === "available" && seats.get(t3) === "available" && seats.get(t4) === "available"
        );
      }, 10_000);
      expect(Date.now() - reservedAt).to.be.greaterThan(1_000);
      const after = await system.request("GET", `/events/${event.eventId}/tickets`);
      await client.until(() => client.frames().at(-1)?.toVersion === after.body.version);
      const frames = client.frames();
      expect(assertContinuous(frames, answer.version)).to.equal(after.body.version);
      const live = new Map<string, string>(
        after.body.tickets.map((ticket: any) => [ticket.id, ticket.status]),
      );
      for (const [ticketId, status] of applyFrames(frames)) expect(live.get(ticketId)).to.equal(status);
      for (const ticketId of [t1, t2, t3, t4]) expect(live.get(ticketId)).to.equal("available");

      // The compact and SSE streams carry the same changes.
      await compact.until(() => compact.frames().at(-1)?.toVersion === after.body.version);
      expect(assertContinuous(compact.frames(), answer.version)).to.equal(after.body.version);
      expect(applyFrames(compact.frames())).to.deep.equal(applyFrames(frames));
      await stream.until((events) => events.at(-1)?.data?.toVersion === after.body.version);
      const sseFrames = stream.events.filter((item) => item.event === "seats").map((item) => item.data);
      expect(assertContinuous(sseFrames, answer.version)).to.equal(after.body.version);
      expect(applyFrames(sseFrames)).to.deep.equal(applyFrames(frames));
      stream.close();
    } finally {
      client.close();
      compact.close();
    }
  });
});
