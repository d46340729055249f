// The rush's sold-out phase with a waiting list (loadtest/rush/waitlist-phase.ts) at a toy size: seats
// given back reach the waiting users in order, some offers are paid and some lapse to the next entry,
// and the report counts them, with the time from a seat's return to its offer. Not a benchmark.
import { expect } from "chai";
import { runWaitlistPhase } from "../../../loadtest/rush/waitlist-phase.ts";
import { createEventFixture } from "../../support/catalog.ts";
import { findDatabaseViolations } from "../../support/invariants.ts";
import { dropDatabase, startSystem, type TestSystem } from "../../support/system.ts";

describe("rush: the sold-out phase with a waiting list (toy size)", function () {
  this.timeout(60_000);
  let system: TestSystem;
  before(async () => {
    system = await startSystem({ env: { HOLD_TTL_SECONDS: "2" } });
  });
  after(async () => {
    expect(await findDatabaseViolations(system.databaseUrl)).to.deep.equal([]);
    await system.stop();
    await dropDatabase(system.databaseUrl);
  });

  it("offers returned seats in order, counts offers made, taken and lapsed and the return-to-offer time", async () => {
    const fixture = await createEventFixture(system, { seats: 3 });
    // Sold out by three one-seat bookings; the organiser cancels them one by one (the returns).
    const buyer = await system.token("phase-buyer");
    const admin = await system.token("phase-organiser", "admin");
    const bookings: string[] = [];
    for (const ticketId of fixture.ticketIds) {
      expect(
        (await system.request("POST", "/booking/reserve", { token: buyer, body: { ticketId } })).status,
      ).to.equal(200);
      const paid = await system.request("POST", "/booking/confirm", {
        token: buyer,
        body: { ticketId, paymentDetails: { token: "tok_ok" } },
        headers: { "Idempotency-Key": `phase-${ticketId}` },
      });
      expect(paid.status).to.equal(201);
      bookings.push(paid.body.booking.id);
    }
    const report = await runWaitlistPhase({
      baseUrl: system.baseUrl,
      eventId: fixture.eventId,
      request: (method, path, options) => system.request(method, path, options),
      token: (userId) => system.token(userId),
      returns: bookings.map((bookingId, index) => ({
        ticketIds: [fixture.ticketIds[index]],
        giveBack: async () =>
          (
            await system.request("POST", `/admin/bookings/${bookingId}/cancel`, {
              token: admin,
              body: { reason: "returned" },
              headers: { "Idempotency-Key": `phase-cancel-${bookingId}` },
            })
          ).status,
      })),
      waiters: 6,
      takeShare: 0.5,
      returnGapMs: 50,
      timeoutMs: 20_000,
      seed: 3,
    });
    console.log(`      waitlist phase: ${JSON.stringify(report)}`);
    expect(report.joined).to.equal(6);
    expect(report.returned).to.equal(3);
    expect(report.offersMade).to.be.at.least(3);
    expect(report.offersTaken + report.offersLapsed).to.equal(report.offersMade);
    expect(report.servedInOrder).to.equal(true);
    expect(report.returnToOfferMs.count).to.be.at.least(3);
    expect(report.returnToOfferMs.p50).to.be.a("number");
  });
});
