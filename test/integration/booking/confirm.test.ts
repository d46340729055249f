import { expect } from "chai";
import { startSystem, dropDatabase, type TestSystem } from "../../support/system.ts";
import { createEventFixture, type EventFixture } from "../../support/catalog.ts";
import { findDatabaseViolations, queryDatabase } from "../../support/invariants.ts";
import { requestHash } from "../../../actors/booking/confirm-action.ts";

describe("booking: confirm with payments over HTTP", function () {
  this.timeout(60_000);
  let system: TestSystem;
  let fixture: EventFixture;
  let seat = 0;
  const nextSeat = () => fixture.ticketIds[seat++];

  before(async () => {
    system = await startSystem({ env: { ACTOR_PARANOID_CHECKS: "true" } });
    fixture = await createEventFixture(system, { seats: 60 });
  });
  after(async () => {
    expect(await findDatabaseViolations(system.databaseUrl)).to.deep.equal([]);
    await system.stop();
    await dropDatabase(system.databaseUrl);
  });

  const provider = () => (system.node.broker.getLocalService("booking") as any).paymentProvider;
  const statusOf = async (ticketId: string) => {
    const map = await system.request("GET", `/events/${fixture.eventId}/tickets`);
    return map.body.tickets.find((ticket: any) => ticket.id === ticketId).status;
  };
  const confirm = (token: string, ticketIds: string[], key: string | undefined, paymentToken = "tok_ok") =>
    system.request("POST", "/booking/confirm", {
      token,
      body: { ticketIds, paymentDetails: { token: paymentToken } },
      headers: key === undefined ? {} : { "Idempotency-Key": key },
    });

  it("books held tickets: 201, the seat map says booked, the booking and payment are readable", async () => {
    const alice = await system.token("alice");
    const tickets = [nextSeat(), nextSeat()];
    expect(
      (await system.request("POST", "/booking/reserve", { token: alice, body: { ticketIds: tickets } }))
        .status,
    ).to.equal(200);
    const answer = await confirm(alice, tickets, "alice-key-0001");
    expect(answer.status).to.equal(201);
    const booking = answer.body.booking;
    expect(booking).to.include({ eventId: fixture.eventId, amountCents: 10_000, status: "confirmed" });
    expect(booking.ticketIds).to.deep.equal(tickets);
    expect(booking.id).to.be.a("string");
    expect(await statusOf(tickets[0])).to.equal("booked");

    const list = await system.request("GET", "/bookings", { token: alice });
    expect(list.status).to.equal(200);
    expect(list.body.bookings.map((item: any) => item.id)).to.include(booking.id);
    const one = await system.request("GET", `/bookings/${booking.id}`, { token: alice });
    expect(one.status).to.equal(200);
    expect(one.body).to.include({ id: booking.id, paymentId: booking.paymentId });
    const payment = await system.request("GET", `/payments/${booking.paymentId}`, { token: alice });
    expect(payment.status).to.equal(200);
    expect(payment.body).to.include({ id: booking.paymentId, status: "captured", amountCents: 10_000 });

    // Someone else's booking and payment do not exist for Bob.
    const bob = await system.token("bob");
    expect((await system.request("GET", `/bookings/${booking.id}`, { token: bob })).status).to.equal(404);
    expect((await system.request("GET", `/payments/${booking.paymentId}`, { token: bob })).status).to.equal(
      404,
    );
    expect((await system.request("GET", "/bookings/bk_nothing", { token: alice })).status).to.equal(404);
    expect((await system.request("GET", "/bookings", { token: bob })).body.bookings).to.deep.equal([]);
  });

  it("replays the same key and body with the same answer and no second charge; another body is a conflict", async () => {
    const carol = await system.token("carol");
    const ticket = nextSeat();
    await system.request("POST", "/booking/reserve", { token: carol, body: { ticketId: ticket } });
    const captures = provider().captureCount;
    const first = await confirm(carol, [ticket], "carol-key-0001");
    expect(first.status).to.equal(201);
    const again = await confirm(carol, [ticket], "carol-key-0001");
    expect(again.status).to.equal(201);
    expect(again.body).to.deep.equal(first.body);
    expect(provider().captureCount).to.equal(captures + 1);
    const other = await confirm(carol, [ticket], "carol-key-0001", "tok_slow");
    expect(other.status).to.equal(409);
    expect(other.body.error.code).to.equal("IDEMPOTENCY_CONFLICT");
    const payments = await queryDatabase(
      system.databaseUrl,
      "SELECT id FROM payments WHERE user_id = 'carol'",
    );
    expect(payments).to.have.length(1);
  });

  it("charges once for concurrent duplicates of one key", async () => {
    const dan = await system.token("dan");
    const ticket = nextSeat();
    await system.request("POST", "/booking/reserve", { token: dan, body: { ticketId: ticket } });
    const captures = provider().captureCount;
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => confirm(dan, [ticket], "dan-key-00000001", "tok_slow")),
    );
    for (const answer of answers) expect(answer.status).to.equal(201);
    const ids = new Set(answers.map((answer) => answer.body.booking.id));
    expect(ids.size).to.equal(1);
    expect(provider().captureCount).to.equal(captures + 1);
  });

  it("requires an Idempotency-Key of 8 to 128 characters", async () => {
    const erin = await system.token("erin");
    const ticket = nextSeat();
    await system.request("POST", "/booking/reserve", { token: erin, body: { ticketId: ticket } });
    for (const key of [undefined, "short", "x".repeat(129)]) {
      const answer = await confirm(erin, [ticket], key);
      expect(answer.status, String(key)).to.equal(400);
      expect(answer.body.error.code).to.equal("VALIDATION_ERROR");
    }
    expect(await statusOf(ticket)).to.equal("reserved");
  });

  it("lets only the holder confirm (403) and never charges the others", async () => {
    const [frank, gina] = await Promise.all([system.token("frank"), system.token("gina")]);
    const ticket = nextSeat();
    await system.request("POST", "/booking/reserve", { token: frank, body: { ticketId: ticket } });
    const captures = provider().captureCount;
    const answer = await confirm(gina, [ticket], "gina-key-00001");
    expect(answer.status).to.equal(403);
    expect(answer.body.error.code).to.equal("FORBIDDEN");
    const unheld = await confirm(gina, [nextSeat()], "gina-key-00002");
    expect(unheld.status).to.equal(403);
    expect(provider().captureCount).to.equal(captures);
    // A refused key is free again for a real attempt.
    await system.request("POST", "/booking/reserve", {
      token: gina,
      body: { ticketId: fixture.ticketIds[seat - 1] },
    });
    expect((await confirm(gina, [fixture.ticketIds[seat - 1]], "gina-key-00002")).status).to.equal(201);
  });

  it("keeps the hold when the payment is declined (402), then books with a new key", async () => {
    const hana = await system.token("hana");
    const ticket = nextSeat();
    const reserved = await system.request("POST", "/booking/reserve", {
      token: hana,
      body: { ticketId: ticket },
    });
    const declined = await confirm(hana, [ticket], "hana-key-00001", "tok_decline");
    expect(declined.status).to.equal(402);
    expect(declined.body.error.code).to.equal("PAYMENT_DECLINED");
    const paymentId = declined.body.error.details.paymentId;
    expect((await system.request("GET", `/payments/${paymentId}`, { token: hana })).body.status).to.equal(
      "declined",
    );
    expect(await statusOf(ticket)).to.equal("reserved");
    const again = await system.request("POST", "/booking/reserve", {
      token: hana,
      body: { ticketId: ticket },
    });
    expect(again.body.expiresAt).to.equal(reserved.body.expiresAt);
    const replay = await confirm(hana, [ticket], "hana-key-00001", "tok_decline");
    expect(replay.status).to.equal(402);
    expect(replay.body).to.deep.equal(declined.body);
    expect((await confirm(hana, [ticket], "hana-key-00002")).status).to.equal(201);
  });

  it("refunds automatically when the booking step fails after capture (409 PAYMENT_REFUNDED)", async () => {
    const ivan = await system.token("ivan");
    const ticket = nextSeat();
    await system.request("POST", "/booking/reserve", { token: ivan, body: { ticketId: ticket } });
    const refunds = provider().refundCount;
    const answer = await confirm(ivan, [ticket], "ivan-key-00001", "tok_fail_after_capture");
    expect(answer.status).to.equal(409);
    expect(answer.body.error.code).to.equal("PAYMENT_REFUNDED");
    const paymentId = answer.body.error.details.paymentId;
    const payment = await system.request("GET", `/payments/${paymentId}`, { token: ivan });
    expect(payment.body.status).to.equal("refunded");
    expect(provider().refundCount).to.equal(refunds + 1);
    expect(await statusOf(ticket)).to.equal("reserved"); // the hold is given back, not the seat lost
    const bookings = await queryDatabase(system.databaseUrl, "SELECT * FROM bookings WHERE payment_id = $1", [
      paymentId,
    ]);
    expect(bookings).to.deep.equal([]);
  });

  it("recovery finishes a confirm whose saga died before charging: declined, the hold given back", async () => {
    const kate = await system.token("kate");
    const ticket = nextSeat();
    await system.request("POST", "/booking/reserve", { token: kate, body: { ticketId: ticket } });
    const broker = system.node.broker;
    // A saga that recorded its intent (hold confirming) and then vanished before charging.
    const [eventId, ordinal] = [fixture.eventId, Number(ticket.split(".").pop())];
    await queryDatabase(
      system.databaseUrl,
      "INSERT INTO idempotency_keys (event_id, user_id, key, request_hash) VALUES ($1, 'kate', 'kate-key-lost', 'x')",
      [eventId],
    );
    await broker.call("booking.execute", {
      eventId,
      command: {
        type: "confirmStart",
        userId: "kate",
        ordinals: [ordinal],
        paymentId: "pay_lost_saga",
        idempotencyKey: "kate-key-lost",
      },
    });
    const blocked = await confirm(kate, [ticket], "kate-key-0002");
    expect(blocked.status).to.equal(409); // being paid for
    const report = await (broker.getLocalService("booking") as any).recoverPayments(0);
    expect(report.settled).to.be.at.least(1);
    const payment = await queryDatabase(
      system.databaseUrl,
      "SELECT status FROM payments WHERE id = 'pay_lost_saga'",
    );
    expect(payment[0].status).to.equal("declined");
    expect(await statusOf(ticket)).to.equal("reserved");
    expect((await confirm(kate, [ticket], "kate-key-0003")).status).to.equal(201);
  });

  it("takes over a key whose confirm died before any payment, once the claim's lease lapsed", async () => {
    const mona = await system.token("mona");
    const ticket = nextSeat();
    await system.request("POST", "/booking/reserve", { token: mona, body: { ticketId: ticket } });
    const hash = requestHash(fixture.eventId, [Number(ticket.split(".").pop())], "tok_ok");
    // The claim of a confirm whose node was killed before it recorded a payment, two minutes ago.
    await queryDatabase(
      system.databaseUrl,
      `INSERT INTO idempotency_keys (event_id, user_id, key, request_hash, claim_id, claimed_at)
       VALUES ($1, 'mona', 'mona-key-dead', $2, 'clm_dead', now() - interval '2 minutes')`,
      [fixture.eventId, hash],
    );
    const otherBody = await confirm(mona, [ticket], "mona-key-dead", "tok_decline");
    expect(otherBody.status).to.equal(409);
    expect(otherBody.body.error.code).to.equal("IDEMPOTENCY_CONFLICT");

    const captures = provider().captureCount;
    const answer = await confirm(mona, [ticket], "mona-key-dead");
    expect(answer.status).to.equal(201);
    expect(await confirm(mona, [ticket], "mona-key-dead")).to.deep.include({
      status: 201,
      body: answer.body,
    });
    const [key] = await queryDatabase(
      system.databaseUrl,
      "SELECT claim_id, payment_id FROM idempotency_keys WHERE user_id = 'mona' AND key = 'mona-key-dead'",
    );
    expect(key.claim_id).to.not.equal("clm_dead");
    expect(key.payment_id).to.equal(answer.body.booking.paymentId);
    expect(provider().captureCount).to.equal(captures + 1); // the replay charged nothing more
  });

  it("a retried confirmStart (same payment, reply lost) answers the same and changes nothing", async () => {
    const liam = await system.token("liam");
    const ticket = nextSeat();
    await system.request("POST", "/booking/reserve", { token: liam, body: { ticketId: ticket } });
    const command = {
      type: "confirmStart",
      userId: "liam",
      ordinals: [Number(ticket.split(".").pop())],
      paymentId: "pay_retried",
      idempotencyKey: "liam-key-0001",
    };
    const first = await system.node.broker.call("booking.execute", { eventId: fixture.eventId, command });
    const again = await system.node.broker.call("booking.execute", { eventId: fixture.eventId, command });
    expect(again).to.deep.equal(first);
    await system.node.broker.call("booking.execute", {
      eventId: fixture.eventId,
      command: { type: "confirmAbort", paymentId: "pay_retried" },
    });
    expect(await statusOf(ticket)).to.equal("reserved");
  });
});

describe("booking: hold expiry (HOLD_TTL_SECONDS=1)", function () {
  this.timeout(30_000);
  let system: TestSystem;
  before(async () => {
    system = await startSystem({ env: { HOLD_TTL_SECONDS: "1", ACTOR_PARANOID_CHECKS: "true" } });
  });
  after(async () => {
    await system.stop();
    await dropDatabase(system.databaseUrl);
  });

  it("lapses the hold at expiresAt, publishes it without any request, and refuses a late confirm", async () => {
    const fixture = await createEventFixture(system, { seats: 5 });
    const events: any[] = [];
    const ended: any[] = [];
    const broker = system.node.broker;
    await broker.createService({
      name: "probe",
      events: {
        "booking.seatsChanged"(ctx: any) {
          events.push(ctx.params);
        },
        "booking.holdsEnded"(ctx: any) {
          ended.push(ctx.params);
        },
      },
    });
    const june = await system.token("june");
    const ticket = fixture.ticketIds[0];
    const reserved = await system.request("POST", "/booking/reserve", {
      token: june,
      body: { ticketId: ticket },
    });
    expect(reserved.status).to.equal(200);
    const expiresAt = Date.parse(reserved.body.expiresAt);
    // Wait for the lapse to be published by the timer (no request in between).
    const deadline = Date.now() + 5_000;
    while (
      !events.some((event) =>
        event.changes.some((c: any) => c.ticketId === ticket && c.status === "available"),
      )
    ) {
      if (Date.now() > deadline) throw new Error("no lapse published");
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const lapse = events.find((event) => event.changes.some((c: any) => c.status === "available"));
    expect(ended).to.deep.include({ eventId: fixture.eventId, userId: "june", reason: "expired" });
    expect(lapse.committedAt).to.be.at.least(expiresAt);
    // Versions are continuous.
    for (let index = 1; index < events.length; index++)
      expect(events[index].fromVersion).to.equal(events[index - 1].toVersion);
    const late = await system.request("POST", "/booking/confirm", {
      token: june,
      body: { ticketId: ticket, paymentDetails: { token: "tok_ok" } },
      headers: { "Idempotency-Key": "june-key-0001" },
    });
    expect(late.status).to.equal(409);
    expect(late.body.error.code).to.equal("HOLD_EXPIRED");
    const holds = await queryDatabase(system.databaseUrl, "SELECT * FROM holds");
    expect(holds).to.deep.equal([]);
    const map = await system.request("GET", `/events/${fixture.eventId}/tickets`);
    expect(map.body.tickets[0].status).to.equal("available");
    expect(map.body.version).to.equal(events[events.length - 1].toVersion);
  });
});
