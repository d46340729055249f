// Cancellation by the organiser over HTTP (issue 19): POST /admin/bookings/:id/cancel refunds through
// the provider, gives the seats back (to the waiting list first) through the event's actor, stops the
// tickets checking in, fires booking.cancelled, payment.refunded and waitlist.offered webhooks, and a
// second cancel changes nothing.
import { expect } from "chai";
import { startSystem, dropDatabase, type TestSystem } from "../../support/system.ts";
import { createEventFixture, type EventFixture } from "../../support/catalog.ts";
import { findDatabaseViolations, queryDatabase } from "../../support/invariants.ts";

describe("cancellation of a booking over HTTP", function () {
  this.timeout(60_000);
  let system: TestSystem;
  let admin: string;

  before(async () => {
    system = await startSystem({ env: { ACTOR_PARANOID_CHECKS: "true" } });
    admin = await system.token("organiser", "admin");
  });
  after(async () => {
    expect(await findDatabaseViolations(system.databaseUrl)).to.deep.equal([]);
    await system.stop();
    await dropDatabase(system.databaseUrl);
  });

  const provider = () => (system.node.broker.getLocalService("booking") as any).paymentProvider;
  const book = async (fixture: EventFixture, user: string, ticketIds: string[]) => {
    const token = await system.token(user);
    expect(
      (await system.request("POST", "/booking/reserve", { token, body: { ticketIds } })).status,
    ).to.equal(200);
    const paid = await system.request("POST", "/booking/confirm", {
      token,
      body: { ticketIds, paymentDetails: { token: "tok_ok" } },
      headers: { "Idempotency-Key": `${user}-${ticketIds[0]}-key` },
    });
    expect(paid.status).to.equal(201);
    return { token, booking: paid.body.booking };
  };
  const cancel = (
    bookingId: string,
    body: unknown = { reason: "Show moved" },
    key: string | null = "cancel-key-0001",
  ) =>
    system.request("POST", `/admin/bookings/${bookingId}/cancel`, {
      token: admin,
      body,
      headers: key === null ? {} : { "Idempotency-Key": key },
    });
  const statuses = async (fixture: EventFixture) =>
    (await system.request("GET", `/events/${fixture.eventId}/tickets`)).body.tickets.map(
      (t: any) => t.status,
    );

  it("cancels: 200 cancelled, refunded through the provider, seats for sale again, tickets stop checking in; twice is a no-op", async () => {
    const fixture = await createEventFixture(system, { seats: 3 });
    const { token, booking } = await book(fixture, "alice", fixture.ticketIds.slice(0, 2));
    const code = (await system.request("GET", `/bookings/${booking.id}`, { token })).body.tickets[0].code;
    const seen: any[] = [];
    await system.node.broker.createService({
      name: "probe-cancel",
      events: {
        "booking.seatsChanged"(ctx: any) {
          if (ctx.params.eventId === fixture.eventId) seen.push(...ctx.params.changes);
        },
      },
    });
    const refunds = provider().refundCount;
    const answer = await cancel(booking.id);
    expect(answer.status).to.equal(200);
    expect(answer.body.booking).to.deep.include({
      id: booking.id,
      status: "cancelled",
      ticketIds: booking.ticketIds,
    });
    expect(provider().refundCount).to.equal(refunds + 1);
    const payment = await system.request("GET", `/payments/${booking.paymentId}`, { token });
    expect(payment.body.status).to.equal("refunded");
    expect((await system.request("GET", `/bookings/${booking.id}`, { token })).body.status).to.equal(
      "cancelled",
    );
    expect(await statuses(fixture)).to.deep.equal(["available", "available", "available"]);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(
      seen
        .filter((change) => change.status === "available")
        .map((change) => change.ticketId)
        .sort(),
    ).to.deep.equal(booking.ticketIds.slice().sort());
    const scan = await system.request("POST", "/admin/checkin", { token: admin, body: { code } });
    expect(scan.status).to.equal(409);
    expect(scan.body.error.code).to.equal("TICKET_CANCELLED");
    // Twice (another key too): the same booking, no second refund.
    const again = await cancel(booking.id, { reason: "again" }, "cancel-key-0002");
    expect(again.status).to.equal(200);
    expect(again.body).to.deep.equal(answer.body);
    expect(provider().refundCount).to.equal(refunds + 1);
    // The seats sell again.
    const rebooked = await book(fixture, "bob", fixture.ticketIds.slice(0, 2));
    expect(rebooked.booking.status).to.equal("confirmed");
  });

  it("gives the seats to the waiting list first, and reports it all as webhooks", async () => {
    const fixture = await createEventFixture(system, { seats: 2 });
    await system.request("POST", "/admin/webhooks", {
      token: admin,
      body: {
        url: "http://127.0.0.1:9/hook",
        events: ["booking.cancelled", "payment.refunded", "waitlist.offered"],
      },
    });
    const { booking } = await book(fixture, "carol", fixture.ticketIds);
    const dave = await system.token("dave");
    expect(
      (
        await system.request("POST", `/events/${fixture.eventId}/waitlist`, {
          token: dave,
          body: { quantity: 2 },
        })
      ).status,
    ).to.equal(201);
    expect((await cancel(booking.id)).status).to.equal(200);
    const entry = (await system.request("GET", `/events/${fixture.eventId}/waitlist`, { token: dave })).body;
    expect(entry.status).to.equal("offered");
    expect(entry.offer.ticketIds).to.deep.equal(fixture.ticketIds);
    expect(await statuses(fixture)).to.deep.equal(["reserved", "reserved"]);
    const events = await queryDatabase(
      system.databaseUrl,
      "SELECT type, data FROM webhook_events ORDER BY seq",
    );
    const of = (type: string) => events.filter((event) => event.type === type).map((event) => event.data);
    expect(of("booking.cancelled").map((data) => data.bookingId)).to.include(booking.id);
    expect(of("payment.refunded").map((data) => data.paymentId)).to.include(booking.paymentId);
    expect(of("waitlist.offered")).to.deep.include({
      eventId: fixture.eventId,
      userId: "dave",
      ticketIds: fixture.ticketIds,
      expiresAt: entry.offer.expiresAt,
    });
  });

  it("answers 404 for an unknown booking and 400 for bad input, changing nothing", async () => {
    const fixture = await createEventFixture(system, { seats: 1 });
    const { booking } = await book(fixture, "erin", fixture.ticketIds);
    expect((await cancel("bk_unknown")).status).to.equal(404);
    for (const body of [
      {},
      { reason: "" },
      { reason: 7 },
      { reason: null },
      { reason: "x".repeat(501) },
      { reason: "ok", extra: 1 },
    ]) {
      const answer = await cancel(booking.id, body);
      expect(answer.status, JSON.stringify(body)).to.equal(400);
    }
    expect((await cancel(booking.id, { reason: "ok" }, null)).status).to.equal(400);
    expect((await cancel(booking.id, { reason: "ok" }, "short")).status).to.equal(400);
    const user = await system.token("erin");
    expect(
      (
        await system.request("POST", `/admin/bookings/${booking.id}/cancel`, {
          token: user,
          body: { reason: "mine" },
          headers: { "Idempotency-Key": "erin-cancel-01" },
        })
      ).status,
    ).to.equal(403);
    const rows = await queryDatabase(system.databaseUrl, "SELECT status FROM bookings WHERE id = $1", [
      booking.id,
    ]);
    expect(rows).to.deep.equal([{ status: "confirmed" }]);
  });

  it("two cancels racing: one refund, both answer the cancelled booking", async () => {
    const fixture = await createEventFixture(system, { seats: 2 });
    const { booking } = await book(fixture, "fay", fixture.ticketIds);
    const refunds = provider().refundCount;
    const answers = await Promise.all([
      cancel(booking.id, { reason: "a" }, "race-key-01"),
      cancel(booking.id, { reason: "b" }, "race-key-02"),
    ]);
    expect(answers.map((answer) => answer.status)).to.deep.equal([200, 200]);
    expect(answers.map((answer) => answer.body.booking.status)).to.deep.equal(["cancelled", "cancelled"]);
    expect(provider().refundCount).to.equal(refunds + 1);
  });

  it("recovery refunds a cancellation cut short after its commit", async () => {
    const fixture = await createEventFixture(system, { seats: 1 });
    const { token, booking } = await book(fixture, "gil", fixture.ticketIds);
    // The actor's commit of the cancellation, without the saga's refund step (as if the node died there).
    const service = system.node.broker.getLocalService("booking") as any;
    await system.node.broker.call("booking.execute", {
      eventId: fixture.eventId,
      command: {
        type: "cancelBooking",
        bookingId: booking.id,
        userId: "gil",
        paymentId: booking.paymentId,
        ordinals: [0],
        reason: "cut short",
      },
    });
    expect((await system.request("GET", `/payments/${booking.paymentId}`, { token })).body.status).to.equal(
      "captured",
    );
    expect(await findDatabaseViolations(system.databaseUrl)).to.have.length.greaterThan(0);
    await service.recoverPayments();
    expect((await system.request("GET", `/payments/${booking.paymentId}`, { token })).body.status).to.equal(
      "refunded",
    );
  });
});
