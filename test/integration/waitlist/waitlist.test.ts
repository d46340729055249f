// The waiting list of a sold-out event over HTTP (issue 18): joining (once, only when sold out,
// strictly validated), seats that come back offered in list order inside the actor's commit, offers
// confirmed with the usual confirm, lapsed to the next entry, left; durable across an actor reload.
import { expect } from "chai";
import { startSystem, dropDatabase, type TestSystem } from "../../support/system.ts";
import { createEventFixture, type EventFixture } from "../../support/catalog.ts";
import { findDatabaseViolations, queryDatabase } from "../../support/invariants.ts";
import { connectSeatClient } from "../../support/realtime.ts";
import { connectRealtime, type WaitlistPush } from "../../../client/src/index.ts";

const until = async (what: string, test: () => Promise<boolean>, timeoutMs = 8_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!(await test())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

describe("waiting list over HTTP", function () {
  this.timeout(60_000);
  let system: TestSystem;

  before(async () => {
    system = await startSystem({ env: { ACTOR_PARANOID_CHECKS: "true" } });
  });
  after(async () => {
    expect(await findDatabaseViolations(system.databaseUrl)).to.deep.equal([]);
    await system.stop();
    await dropDatabase(system.databaseUrl);
  });

  const join = (token: string, eventId: string, body: unknown) =>
    system.request("POST", `/events/${eventId}/waitlist`, { token, body });
  const entry = (token: string, eventId: string) =>
    system.request("GET", `/events/${eventId}/waitlist`, { token });
  const reserveAll = async (fixture: EventFixture, user = "holder") => {
    const token = await system.token(user);
    const held = await system.request("POST", "/booking/reserve", {
      token,
      body: { ticketIds: fixture.ticketIds },
    });
    expect(held.status).to.equal(200);
    return token;
  };
  const statusOf = async (fixture: EventFixture, ticketId: string) => {
    const map = await system.request("GET", `/events/${fixture.eventId}/tickets`);
    return map.body.tickets.find((ticket: any) => ticket.id === ticketId).status;
  };
  const entryCount = async (eventId: string) =>
    (
      await queryDatabase(
        system.databaseUrl,
        "SELECT count(*)::int AS n FROM waitlist_entries WHERE event_id = $1",
        [eventId],
      )
    )[0].n;

  it("refuses joining while the quantity is available (409 TICKETS_AVAILABLE) and an unknown event (404)", async () => {
    const fixture = await createEventFixture(system, { seats: 4 });
    const ann = await system.token("ann");
    const refused = await join(ann, fixture.eventId, { quantity: 2 });
    expect(refused.status).to.equal(409);
    expect(refused.body.error.code).to.equal("TICKETS_AVAILABLE");
    expect((await join(ann, "ev_nothing_here", { quantity: 1 })).status).to.equal(404);
    expect((await entry(ann, fixture.eventId)).status).to.equal(404);
    expect((await entry(ann, "ev_nothing_here")).status).to.equal(404);
    expect(await entryCount(fixture.eventId)).to.equal(0);
  });

  it("refuses bad input with 400 and writes nothing", async () => {
    const fixture = await createEventFixture(system, { seats: 2 });
    await reserveAll(fixture);
    const ann = await system.token("ann");
    for (const body of [
      {},
      { quantity: 0 },
      { quantity: 11 },
      { quantity: 1.5 },
      { quantity: "1" },
      { quantity: null },
      { quantity: 1, extra: true },
      [],
      null,
    ]) {
      const answer = await join(ann, fixture.eventId, body);
      expect(answer.status, JSON.stringify(body)).to.equal(400);
      expect(answer.body.error.code).to.equal("VALIDATION_ERROR");
    }
    expect(
      (await system.request("POST", `/events/${fixture.eventId}/waitlist`, { body: { quantity: 1 } })).status,
    ).to.equal(401);
    expect(await entryCount(fixture.eventId)).to.equal(0);
  });

  it("keeps the first place when joining twice; positions count the waiting entries ahead", async () => {
    const fixture = await createEventFixture(system, { seats: 2 });
    await reserveAll(fixture);
    const [ann, ben] = [await system.token("ann"), await system.token("ben")];
    const first = await join(ann, fixture.eventId, { quantity: 1 });
    expect(first.status).to.equal(201);
    expect(first.body).to.deep.equal({ status: "waiting", position: 1 });
    expect((await join(ben, fixture.eventId, { quantity: 2 })).body).to.deep.equal({
      status: "waiting",
      position: 2,
    });
    const again = await join(ann, fixture.eventId, { quantity: 2 });
    expect(again.status).to.equal(201);
    expect(again.body).to.deep.equal({ status: "waiting", position: 1 });
    expect((await entry(ben, fixture.eventId)).body).to.deep.equal({ status: "waiting", position: 2 });
    const rows = await queryDatabase(
      system.databaseUrl,
      "SELECT user_id, quantity FROM waitlist_entries WHERE event_id = $1 ORDER BY seq",
      [fixture.eventId],
    );
    expect(rows).to.deep.equal([
      { user_id: "ann", quantity: 1 },
      { user_id: "ben", quantity: 2 },
    ]);
    // Leaving: ben moves up.
    expect(
      (await system.request("DELETE", `/events/${fixture.eventId}/waitlist`, { token: ann })).body,
    ).to.deep.equal({ left: true });
    expect((await entry(ben, fixture.eventId)).body).to.deep.equal({ status: "waiting", position: 1 });
    expect((await entry(ann, fixture.eventId)).status).to.equal(404);
  });

  it("two returns at once with two waiting entries: each gets the seats it fits, in order, never seen available", async () => {
    const fixture = await createEventFixture(system, { seats: 4 });
    const holder = await reserveAll(fixture);
    const [ann, ben, cid] = [await system.token("ann"), await system.token("ben"), await system.token("cid")];
    expect((await join(ann, fixture.eventId, { quantity: 3 })).status).to.equal(201);
    expect((await join(ben, fixture.eventId, { quantity: 1 })).status).to.equal(201);
    expect((await join(cid, fixture.eventId, { quantity: 1 })).status).to.equal(201);
    const seen: any[] = [];
    await system.node.broker.createService({
      name: `probe-${fixture.eventId}`,
      events: {
        "booking.seatsChanged"(ctx: any) {
          if (ctx.params.eventId === fixture.eventId) seen.push(...ctx.params.changes);
        },
      },
    });
    // Two releases at once: two seats come back. Ann waits for 3 (does not fit), so ben then cid.
    const [one, two] = await Promise.all([
      system.request("POST", "/booking/release", {
        token: holder,
        body: { ticketIds: [fixture.ticketIds[0]] },
      }),
      system.request("POST", "/booking/release", {
        token: holder,
        body: { ticketIds: [fixture.ticketIds[1]] },
      }),
    ]);
    expect([one.status, two.status]).to.deep.equal([200, 200]);
    const benEntry = (await entry(ben, fixture.eventId)).body;
    const cidEntry = (await entry(cid, fixture.eventId)).body;
    expect(benEntry.status).to.equal("offered");
    expect(cidEntry.status).to.equal("offered");
    expect(benEntry.offer.ticketIds).to.have.length(1);
    expect(cidEntry.offer.ticketIds).to.have.length(1);
    expect([...benEntry.offer.ticketIds, ...cidEntry.offer.ticketIds].sort()).to.deep.equal(
      [fixture.ticketIds[0], fixture.ticketIds[1]].sort(),
    );
    expect((await entry(ann, fixture.eventId)).body).to.deep.equal({ status: "waiting", position: 1 });
    // Offered seats read as reserved; no committed change ever said available.
    expect(await statusOf(fixture, fixture.ticketIds[0])).to.equal("reserved");
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(seen.filter((change) => change.status === "available")).to.deep.equal([]);
    // A poller cannot take an offered seat.
    const poller = await system.token("poller");
    const grab = await system.request("POST", "/booking/reserve", {
      token: poller,
      body: { ticketId: fixture.ticketIds[0] },
    });
    expect(grab.status).to.equal(409);
    // Ben pays with the usual confirm: booked.
    const paid = await system.request("POST", "/booking/confirm", {
      token: ben,
      body: { ticketIds: benEntry.offer.ticketIds, paymentDetails: { token: "tok_ok" } },
      headers: { "Idempotency-Key": "ben-waitlist-0001" },
    });
    expect(paid.status).to.equal(201);
    expect((await entry(ben, fixture.eventId)).body).to.deep.equal({ status: "booked" });
    // The holder lets go of the rest: ann (3) does not fit two... then the last two come back too.
    expect(
      (
        await system.request("POST", "/booking/release", {
          token: holder,
          body: { ticketIds: fixture.ticketIds.slice(2) },
        })
      ).status,
    ).to.equal(200);
    expect((await entry(ann, fixture.eventId)).body).to.deep.equal({ status: "waiting", position: 1 });
    // Cid leaves: the seat of the offer goes back and ann now fits (3 seats).
    expect(
      (await system.request("DELETE", `/events/${fixture.eventId}/waitlist`, { token: cid })).status,
    ).to.equal(200);
    const annEntry = (await entry(ann, fixture.eventId)).body;
    expect(annEntry.status).to.equal("offered");
    expect(annEntry.offer.ticketIds).to.have.length(3);
    expect(await findDatabaseViolations(system.databaseUrl)).to.deep.equal([]);
  });

  it("pushes the offer to the user's sockets as the waitlist event (the shape of the GET), to no one else", async () => {
    const fixture = await createEventFixture(system, { seats: 1 });
    const holder = await reserveAll(fixture);
    const [ann, ben] = [await system.token("ann"), await system.token("ben")];
    // Ann listens through the typed client (its `waitlist` event is typed), Ben through a bare socket.
    const annSocket = connectRealtime(system.baseUrl, { token: () => ann, transports: ["websocket"] });
    const benSocket = await connectSeatClient(system.baseUrl, { token: ben });
    try {
      const annGot: WaitlistPush[] = [];
      const benGot: unknown[] = [];
      annSocket.on("waitlist", (entry) => annGot.push(entry));
      await until("ann's socket", async () => annSocket.connected);
      benSocket.socket.on("waitlist", (data: unknown) => benGot.push(data));
      await join(ann, fixture.eventId, { quantity: 1 });
      await join(ben, fixture.eventId, { quantity: 1 });
      await system.request("POST", "/booking/release", {
        token: holder,
        body: { ticketIds: fixture.ticketIds },
      });
      await until("the push", async () => annGot.length === 1);
      const read = (await entry(ann, fixture.eventId)).body;
      expect(annGot).to.deep.equal([{ eventId: fixture.eventId, ...read }]);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(benGot).to.deep.equal([]);
    } finally {
      annSocket.disconnect();
      benSocket.close();
    }
  });

  it("keeps entries and offers across an actor reload (they live in Postgres)", async () => {
    const fixture = await createEventFixture(system, { seats: 2 });
    const holder = await reserveAll(fixture);
    const [ann, ben] = [await system.token("ann"), await system.token("ben")];
    await join(ann, fixture.eventId, { quantity: 1 });
    await join(ben, fixture.eventId, { quantity: 1 });
    await system.request("POST", "/booking/release", {
      token: holder,
      body: { ticketIds: [fixture.ticketIds[0]] },
    });
    // A second actor takes the event over (as after a crash): it activates from Postgres.
    await queryDatabase(system.databaseUrl, "UPDATE event_actors SET epoch = epoch + 1 WHERE event_id = $1", [
      fixture.eventId,
    ]);
    // The stale actor is fenced out at its next commit and the event re-activates from Postgres.
    await system.request("POST", "/booking/release", {
      token: holder,
      body: { ticketIds: [fixture.ticketIds[1]] },
    });
    const annEntry = (await entry(ann, fixture.eventId)).body;
    const benEntry = (await entry(ben, fixture.eventId)).body;
    expect(annEntry.status).to.equal("offered");
    expect(annEntry.offer.ticketIds).to.deep.equal([fixture.ticketIds[0]]);
    expect(benEntry.status).to.equal("offered");
    expect(benEntry.offer.ticketIds).to.deep.equal([fixture.ticketIds[1]]);
  });
});

describe("waiting list: an unused offer lapses to the next entry (HOLD_TTL_SECONDS=1)", function () {
  this.timeout(30_000);
  let system: TestSystem;
  before(async () => {
    system = await startSystem({ env: { HOLD_TTL_SECONDS: "1", ACTOR_PARANOID_CHECKS: "true" } });
  });
  after(async () => {
    expect(await findDatabaseViolations(system.databaseUrl)).to.deep.equal([]);
    await system.stop();
    await dropDatabase(system.databaseUrl);
  });

  it("offers to ann, lapses, offers the same seat to ben without anyone asking", async () => {
    const fixture = await createEventFixture(system, { seats: 1 });
    const holder = await system.token("holder");
    expect(
      (
        await system.request("POST", "/booking/reserve", {
          token: holder,
          body: { ticketId: fixture.ticketIds[0] },
        })
      ).status,
    ).to.equal(200);
    const [ann, ben] = [await system.token("ann"), await system.token("ben")];
    expect(
      (
        await system.request("POST", `/events/${fixture.eventId}/waitlist`, {
          token: ann,
          body: { quantity: 1 },
        })
      ).status,
    ).to.equal(201);
    expect(
      (
        await system.request("POST", `/events/${fixture.eventId}/waitlist`, {
          token: ben,
          body: { quantity: 1 },
        })
      ).status,
    ).to.equal(201);
    // The holder's hold lapses: ann is offered the seat, then her offer lapses and ben gets it.
    const read = async (token: string) =>
      (await system.request("GET", `/events/${fixture.eventId}/waitlist`, { token })).body;
    await until("ann's offer", async () => (await read(ann)).status !== "waiting");
    await until("ben's offer", async () => (await read(ben)).status === "offered");
    expect(await read(ann)).to.deep.equal({ status: "expired" });
    expect((await read(ben)).offer.ticketIds).to.deep.equal([fixture.ticketIds[0]]);
    await until("ben's offer lapses", async () => (await read(ben)).status === "expired");
    const map = await system.request("GET", `/events/${fixture.eventId}/tickets`);
    expect(map.body.tickets[0].status).to.equal("available");
  });
});
