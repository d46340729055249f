// A small rush through the whole system as separate processes over NATS: the same simulator as
// `npm run rush`, sized for the test suite. The event must sell out with a clean audit.
import { expect } from "chai";
import { runRush, writeResults } from "../../../loadtest/rush/rush.ts";
import { freePort } from "../../support/processes.ts";

describe("rush (small, multi-node)", function () {
  this.timeout(240_000);

  it("sells an event out through the waiting room with no invariant broken", async () => {
    const { summary, ok } = await runRush({
      seats: 200,
      users: 1_200,
      port: await freePort(),
      presaleSeconds: 4,
      arrivalSeconds: 4,
      holdTtlSeconds: 4,
      maxActiveShoppers: 100,
      durationMaxSeconds: 150,
      quiet: true,
      resultsName: "rush_test",
      // Then sold out: 12 users wait, the organiser cancels 4 bookings, their seats go to the list.
      waitlistWaiters: 12,
      waitlistCancellations: 4,
    });
    await writeResults("rush-test", [summary]);
    expect(ok, summary.audit.text).to.equal(true);
    expect(summary.sold).to.equal(200);
    const statuses = summary.statuses;
    expect(statuses["join 200"]).to.be.greaterThan(0);
    expect(statuses["reserve 200"]).to.be.greaterThan(0);
    expect(statuses["confirm 201"]).to.be.greaterThan(0);
    // Contract answers only: no 500 of any operation.
    expect(Object.keys(statuses).filter((key) => key.endsWith(" 500"))).to.deep.equal([]);
    expect(summary.outcomes.bought).to.be.greaterThan(0);
    const waitlist = summary.waitlist!;
    expect(waitlist.joined).to.equal(12);
    expect(waitlist.returned).to.be.greaterThan(0);
    expect(waitlist.offersMade).to.be.at.least(Math.min(waitlist.returned, 12));
    expect(waitlist.offersTaken + waitlist.offersLapsed).to.equal(waitlist.offersMade);
    expect(waitlist.servedInOrder).to.equal(true);
  });
});
