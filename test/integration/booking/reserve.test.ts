import { expect } from "chai";
import { startSystem, dropDatabase, type TestSystem } from "../../support/system.ts";
import { createEventFixture } from "../../support/catalog.ts";

describe("booking: reserve and release over HTTP", () => {
  let system: TestSystem;
  before(async () => {
    system = await startSystem({ env: { ACTOR_PARANOID_CHECKS: "true" } });
  });
  after(async () => {
    await system.stop();
    await dropDatabase(system.databaseUrl);
  });

  it("holds tickets all-or-nothing and shows them reserved in the live seat map", async () => {
    const fixture = await createEventFixture(system, { seats: 20 });
    const [alice, bob] = await Promise.all([system.token("alice"), system.token("bob")]);
    const [a, b, c] = fixture.ticketIds;

    const first = await system.request("POST", "/booking/reserve", {
      token: alice,
      body: { ticketIds: [a, b] },
    });
    expect(first.status).to.equal(200);
    expect(first.body).to.include({ eventId: fixture.eventId });
    expect(first.body.ticketIds).to.deep.equal([a, b]);
    expect(Date.parse(first.body.expiresAt)).to.be.greaterThan(Date.now() + 500_000);

    // Bob asks for one free and one taken seat: nothing is held.
    const refused = await system.request("POST", "/booking/reserve", {
      token: bob,
      body: { ticketIds: [c, b] },
    });
    expect(refused.status).to.equal(409);
    expect(refused.body.error.code).to.equal("TICKET_UNAVAILABLE");
    expect(refused.body.error.details.ticketIds).to.deep.equal([b]);

    // Alice again: 200, same expiry (nothing extended).
    const again = await system.request("POST", "/booking/reserve", { token: alice, body: { ticketId: a } });
    expect(again.status).to.equal(200);
    expect(again.body.expiresAt).to.equal(first.body.expiresAt);

    const map = await system.request("GET", `/events/${fixture.eventId}/tickets`);
    const status = Object.fromEntries(map.body.tickets.map((t: any) => [t.id, t.status]));
    expect(status[a]).to.equal("reserved");
    expect(status[b]).to.equal("reserved");
    expect(status[c]).to.equal("available");
    expect(map.body.version).to.be.a("number").greaterThan(0);

    const released = await system.request("POST", "/booking/release", {
      token: alice,
      body: { ticketIds: [a] },
    });
    expect(released.status).to.equal(200);
    expect(released.body.ticketIds).to.deep.equal([a]);
    const taken = await system.request("POST", "/booking/reserve", {
      token: bob,
      body: { ticketIds: [a, c] },
    });
    expect(taken.status).to.equal(200);

    // Bob may not release Alice's seat.
    const notYours = await system.request("POST", "/booking/release", {
      token: bob,
      body: { ticketIds: [b] },
    });
    expect(notYours.status).to.equal(403);
    expect(notYours.body.error.code).to.equal("FORBIDDEN");
  });

  it("answers the contract's errors and changes nothing", async () => {
    const fixture = await createEventFixture(system, { seats: 12 });
    const carol = await system.token("carol");
    const cases: [unknown, number, string][] = [
      [{}, 400, "VALIDATION_ERROR"],
      [{ ticketIds: [] }, 400, "VALIDATION_ERROR"],
      [{ ticketIds: fixture.ticketIds.slice(0, 11) }, 400, "VALIDATION_ERROR"],
      [{ ticketId: fixture.ticketIds[0], extra: 1 }, 400, "VALIDATION_ERROR"],
      [{ ticketId: `${fixture.eventId}.999` }, 404, "NOT_FOUND"],
      [{ ticketId: "no-such-ticket" }, 404, "NOT_FOUND"],
      [{ ticketId: "ev_nothere.1" }, 404, "NOT_FOUND"],
    ];
    for (const [body, status, code] of cases) {
      const answer = await system.request("POST", "/booking/reserve", { token: carol, body });
      expect(answer.status, JSON.stringify(body)).to.equal(status);
      expect(answer.body.error.code).to.equal(code);
    }
    const anonymous = await system.request("POST", "/booking/reserve", {
      body: { ticketId: fixture.ticketIds[0] },
    });
    expect(anonymous.status).to.equal(401);
    const map = await system.request("GET", `/events/${fixture.eventId}/tickets`);
    expect(map.body.tickets.every((t: any) => t.status === "available")).to.equal(true);
  });

  it("refuses reserving before the sale opens, and caps tickets per user", async () => {
    const later = await createEventFixture(system, {
      seats: 4,
      onSaleAt: new Date(Date.now() + 86_400_000).toISOString(),
    });
    const dave = await system.token("dave");
    const early = await system.request("POST", "/booking/reserve", {
      token: dave,
      body: { ticketId: later.ticketIds[0] },
    });
    expect(early.status).to.equal(409);
    expect(early.body.error.code).to.equal("NOT_ON_SALE");

    const capped = await createEventFixture(system, { seats: 20, extra: { ticketsPerUserMax: 3 } });
    const two = await system.request("POST", "/booking/reserve", {
      token: dave,
      body: { ticketIds: capped.ticketIds.slice(0, 2) },
    });
    expect(two.status).to.equal(200);
    const tooMany = await system.request("POST", "/booking/reserve", {
      token: dave,
      body: { ticketIds: capped.ticketIds.slice(2, 4) },
    });
    expect(tooMany.status).to.equal(409);
    expect(tooMany.body.error.code).to.equal("TICKET_LIMIT_REACHED");
    const one = await system.request("POST", "/booking/reserve", {
      token: dave,
      body: { ticketId: capped.ticketIds[2] },
    });
    expect(one.status).to.equal(200);
  });

  it("applies an admin change of the sale window to the live actor", async () => {
    const fixture = await createEventFixture(system, { seats: 4 });
    const [admin, erik] = await Promise.all([system.token("admin-2", "admin"), system.token("erik")]);
    expect(
      (
        await system.request("POST", "/booking/reserve", {
          token: erik,
          body: { ticketId: fixture.ticketIds[0] },
        })
      ).status,
    ).to.equal(200);
    const patched = await system.request("PATCH", `/admin/events/${fixture.eventId}`, {
      token: admin,
      body: { onSaleAt: new Date(Date.now() + 86_400_000).toISOString() },
    });
    expect(patched.status).to.equal(200);
    const deadline = Date.now() + 5_000;
    for (;;) {
      const answer = await system.request("POST", "/booking/reserve", {
        token: erik,
        body: { ticketId: fixture.ticketIds[1] },
      });
      if (answer.status === 409 && answer.body.error.code === "NOT_ON_SALE") break;
      expect(Date.now()).to.be.below(deadline);
      await system.request("POST", "/booking/release", {
        token: erik,
        body: { ticketId: fixture.ticketIds[1] },
      });
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  });

  it("exposes group-commit metrics", async () => {
    const text = await fetch(`${system.baseUrl}/metrics`).then((response) => response.text());
    expect(text).to.match(/marquee_booking_commits_total\S* \d+/);
    expect(text).to.match(/marquee_booking_commit_rows_bucket/);
  });
});
