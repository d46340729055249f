// POST /booking/reserve on a waiting-room event needs X-Admission-Token: the caller's own, unexpired,
// signed by us. Releasing (booking.holdsEnded) frees the place for the next in line (and spends the
// admission: test/integration/waiting-room/admission-active.test.ts).
import { expect } from "chai";
import { ManualClock } from "../../../domain/clock.ts";
import { startSystem, dropDatabase, type TestSystem } from "../../support/system.ts";
import { createEventFixture } from "../../support/catalog.ts";
import { eventually } from "../../support/eventually.ts";
import { createAdmissionTokens } from "../../../actors/waiting-room/admission-token.ts";

describe("reserve behind the waiting room", () => {
  let system: TestSystem;
  const clock = new ManualClock(Date.now());

  before(async () => {
    system = await startSystem({ clock });
  });
  after(async () => {
    await system.stop();
    await dropDatabase(system.databaseUrl);
  });

  const reserve = async (userId: string, ticketId: string, admissionToken?: string) =>
    system.request("POST", "/booking/reserve", {
      token: await system.token(userId),
      body: { ticketId },
      headers: admissionToken === undefined ? {} : { "x-admission-token": admissionToken },
    });
  const admitted = (eventId: string, userId: string) =>
    eventually(async () => {
      const answer = await system.request("GET", `/events/${eventId}/queue`, {
        token: await system.token(userId),
      });
      return answer.body?.status === "admitted" ? (answer.body.admissionToken as string) : undefined;
    });

  it("needs no token on an event without a waiting room", async () => {
    const { ticketIds } = await createEventFixture(system, { seats: 2 });
    expect((await reserve("free-rider", ticketIds[0])).status).to.equal(200);
  });

  it("refuses missing, forged, cross-user and expired tokens with 403 ADMISSION_REQUIRED", async () => {
    const { eventId, ticketIds } = await createEventFixture(system, {
      seats: 10,
      waitingRoom: { enabled: true, maxActiveShoppers: 5, tokenTtlSeconds: 60 },
    });
    await system.request("POST", `/events/${eventId}/queue`, { token: await system.token("alice") });
    const aliceToken = await admitted(eventId, "alice");
    const forged = createAdmissionTokens("not-our-secret").sign({
      eventId,
      userId: "mallory",
      expiresAtMs: clock.now() + 60_000,
    });
    const refusals: [string, string | undefined][] = [
      ["mallory", undefined],
      ["mallory", "garbage"],
      ["mallory", forged],
      ["mallory", aliceToken], // another user's token
    ];
    for (const [userId, token] of refusals) {
      const answer = await reserve(userId, ticketIds[0], token);
      expect(answer.status, String(token)).to.equal(403);
      expect(answer.body.error.code).to.equal("ADMISSION_REQUIRED");
    }
    const held = await reserve("alice", ticketIds[0], aliceToken);
    expect(held.status).to.equal(200);
    clock.advance(60_000);
    const expired = await reserve("alice", ticketIds[1], aliceToken);
    expect(expired.status).to.equal(403);
    expect(expired.body.error.code).to.equal("ADMISSION_REQUIRED");
  });

  it("applies to best-available requests too", async () => {
    const { eventId } = await createEventFixture(system, {
      seats: 10,
      waitingRoom: { enabled: true, maxActiveShoppers: 5, tokenTtlSeconds: 60 },
    });
    const best = async (userId: string, admissionToken?: string) =>
      system.request("POST", "/booking/reserve", {
        token: await system.token(userId),
        body: { eventId, quantity: 2 },
        headers: admissionToken === undefined ? {} : { "x-admission-token": admissionToken },
      });
    await system.request("POST", `/events/${eventId}/queue`, { token: await system.token("bea") });
    const beaToken = await admitted(eventId, "bea");
    for (const token of [undefined, "garbage", beaToken]) {
      const answer = await best("mallory", token); // no token, a forged one, another user's
      expect(answer.status, String(token)).to.equal(403);
      expect(answer.body.error.code).to.equal("ADMISSION_REQUIRED");
    }
    const held = await best("bea", beaToken);
    expect(held.status).to.equal(200);
    expect(held.body.ticketIds).to.have.length(2);
    const map = await system.request("GET", `/events/${eventId}/tickets`);
    expect(map.body.tickets.filter((ticket: any) => ticket.status === "reserved")).to.have.length(2);
  });

  it("lets the next shopper in when one releases their seats", async () => {
    const { eventId, ticketIds } = await createEventFixture(system, {
      seats: 10,
      waitingRoom: { enabled: true, maxActiveShoppers: 1, admitPerMinute: 600 },
    });
    const join = async (userId: string) =>
      system.request("POST", `/events/${eventId}/queue`, { token: await system.token(userId) });
    await join("first");
    const firstToken = await admitted(eventId, "first");
    expect((await join("second")).body).to.deep.include({ status: "waiting", position: 1 });
    expect((await reserve("first", ticketIds[0], firstToken)).status).to.equal(200);
    const released = await system.request("POST", "/booking/release", {
      token: await system.token("first"),
      body: { ticketIds: [ticketIds[0]] },
    });
    expect(released.status).to.equal(200);
    clock.advance(1_000);
    const secondToken = await admitted(eventId, "second");
    expect((await reserve("second", ticketIds[1], secondToken)).status).to.equal(200);
  });

  it("lets the next shopper in when one books, and the hold lapsing frees a place too", async () => {
    const { eventId, ticketIds } = await createEventFixture(system, {
      seats: 10,
      waitingRoom: { enabled: true, maxActiveShoppers: 1, admitPerMinute: 600 },
    });
    const join = async (userId: string) =>
      system.request("POST", `/events/${eventId}/queue`, { token: await system.token(userId) });
    await join("buyer");
    const buyerToken = await admitted(eventId, "buyer");
    await join("next");
    await join("last");
    expect((await reserve("buyer", ticketIds[0], buyerToken)).status).to.equal(200);
    const booked = await system.request("POST", "/booking/confirm", {
      token: await system.token("buyer"),
      body: { ticketId: ticketIds[0], paymentDetails: { token: "tok_ok" } },
      headers: { "idempotency-key": "waiting-room-test-booking-1" },
    });
    expect(booked.status, JSON.stringify(booked.body)).to.equal(201);
    clock.advance(1_000);
    const nextToken = await admitted(eventId, "next");
    expect((await reserve("next", ticketIds[1], nextToken)).status).to.equal(200);
    // "next" walks away; when the hold lapses, "last" gets in. (Holds lapse by the actor's clock; the
    // actor's wake-up timer runs on real time, so another command to the actor makes it look: a
    // release of the seat, which by then nobody holds.)
    clock.advance(system.config.holdTtlSeconds * 1_000 + 1_000);
    const look = await system.request("POST", "/booking/release", {
      token: await system.token("next"),
      body: { ticketIds: [ticketIds[1]] },
    });
    expect(look.body).to.deep.equal({ eventId, ticketIds: [] });
    await admitted(eventId, "last");
  });
});
