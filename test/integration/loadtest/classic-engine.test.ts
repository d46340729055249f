// The classic baseline engine (the `booking` service on loadtest/classic/classic-engine.ts, given to
// the node through startNode's `services`) behind the real gateway: a concurrent race for the same
// seats must end with each seat sold at most once, the contract's answers, and a clean audit of the
// same tables the actors write.
import { expect } from "chai";
import { randomUUID } from "node:crypto";
import { startSystem, dropDatabase, type TestSystem } from "../../support/system.ts";
import { createEventFixture } from "../../support/catalog.ts";
import { auditDatabase, formatAudit } from "../../../loadtest/audit.ts";
import { classicServices } from "../../../loadtest/classic/classic-engine.ts";

describe("classic baseline engine", function () {
  this.timeout(60_000);
  let system: TestSystem;
  before(async () => {
    system = await startSystem({ env: { HOLD_TTL_SECONDS: "60" }, services: classicServices });
  });
  after(async () => {
    await system.stop();
    await dropDatabase(system.databaseUrl);
  });

  it("sells each seat at most once in a concurrent reserve/confirm race and passes the audit", async () => {
    const { eventId, ticketIds } = await createEventFixture(system, { seats: 12 });
    const users = Array.from({ length: 30 }, (_, index) => `racer-${index}`);
    const tokens = await Promise.all(users.map((userId) => system.token(userId)));
    const paymentTokens = ["tok_ok", "tok_ok", "tok_decline", "tok_fail_after_capture"];

    const results = await Promise.all(
      users.map(async (_, index) => {
        // Overlapping pairs: user i wants seats i%12 and (i+1)%12.
        const wanted = [ticketIds[index % 12], ticketIds[(index + 1) % 12]];
        const reserve = await system.request("POST", "/booking/reserve", {
          token: tokens[index],
          body: { ticketIds: wanted },
        });
        if (reserve.status !== 200) return { reserve: reserve.status, code: reserve.body.error?.code };
        const key = randomUUID();
        const body = { ticketIds: wanted, paymentDetails: { token: paymentTokens[index % 4] } };
        const [first, replay] = await Promise.all([
          system.request("POST", "/booking/confirm", {
            token: tokens[index],
            body,
            headers: { "idempotency-key": key },
          }),
          system.request("POST", "/booking/confirm", {
            token: tokens[index],
            body,
            headers: { "idempotency-key": key },
          }),
        ]);
        expect(replay.status).to.equal(first.status);
        if (first.status === 201) expect(replay.body.booking.id).to.equal(first.body.booking.id);
        return { reserve: 200, confirm: first.status, code: first.body.error?.code, seats: wanted };
      }),
    );

    const reserved = results.filter((result) => result.reserve === 200);
    const refused = results.filter((result) => result.reserve !== 200);
    expect(reserved.length).to.be.greaterThan(0);
    expect(refused.length).to.be.greaterThan(0);
    for (const result of refused)
      expect([result.reserve, result.code]).to.deep.equal([409, "TICKET_UNAVAILABLE"]);
    const codes = new Set(reserved.map((result) => result.confirm));
    for (const status of codes) expect([201, 402, 409]).to.include(status);

    // Every seat sold at most once, and exactly the seats of the 201s are booked.
    const sold = reserved.filter((result) => result.confirm === 201).flatMap((result) => result.seats!);
    expect(new Set(sold).size).to.equal(sold.length);
    const map = await system.request("GET", `/events/${eventId}/tickets`);
    expect(map.status).to.equal(200);
    const booked = map.body.tickets
      .filter((ticket: any) => ticket.status === "booked")
      .map((ticket: any) => ticket.id);
    expect(booked.sort()).to.deep.equal([...sold].sort());
    expect(map.body.version).to.be.greaterThan(0);

    // Releasing the declined holds frees their seats; the audit of the shared tables is clean.
    const audit = await auditDatabase(system.node.runtime.db, eventId);
    expect(audit.ok, formatAudit(audit)).to.equal(true);
    expect(audit.bookings).to.equal(reserved.filter((result) => result.confirm === 201).length);
  });

  it("answers best available with 400 and keeps the contract's refusals", async () => {
    const { eventId, ticketIds } = await createEventFixture(system, { seats: 4 });
    const token = await system.token("solo");
    const best = await system.request("POST", "/booking/reserve", { token, body: { eventId, quantity: 2 } });
    expect(best.status).to.equal(400);
    expect(best.body.error.code).to.equal("VALIDATION_ERROR");
    const held = await system.request("POST", "/booking/reserve", {
      token,
      body: { ticketId: ticketIds[0] },
    });
    expect(held.status).to.equal(200);
    const again = await system.request("POST", "/booking/reserve", {
      token,
      body: { ticketId: ticketIds[0] },
    });
    expect(again.status).to.equal(200);
    const other = await system.request("POST", "/booking/reserve", {
      token: await system.token("other"),
      body: { ticketId: ticketIds[0] },
    });
    expect(other.status).to.equal(409);
    const release = await system.request("POST", "/booking/release", {
      token,
      body: { ticketIds: [ticketIds[0]] },
    });
    expect(release.status).to.equal(200);
    expect(release.body.ticketIds).to.deep.equal([ticketIds[0]]);
    const map = await system.request("GET", `/events/${eventId}/tickets`);
    expect(map.body.tickets[0].status).to.equal("available");
  });
});
