// SIGKILL of the actor node that owns a sold-out event while its waiting list is active and an
// organiser's cancellation is in flight: no entry and no offer is lost, the cancellation ends whole
// (booking cancelled, payment refunded: by the retried request or by recovery), and the seats it gave
// back are offered to the waiting entries in order; the audit holds.
import { expect } from "chai";
import { assertAuditClean, reportFigures, sleep, useFaultCluster, waitFor } from "./support/fault-cluster.ts";

describe("faults: an actor node is SIGKILLed with a waiting list active and a cancellation in flight", function () {
  this.timeout(300_000);
  const cluster = useFaultCluster();

  it("loses no entry and no offer; the cancellation ends refunded with its seats offered in order", async () => {
    const faults = cluster();
    const fixture = await faults.createEvent({ seats: 6, name: "Waitlist kill" });
    const admin = await faults.token("organiser", "admin");
    const buyer = await faults.token("buyer");
    // A cluster just started may answer 503 with Retry-After while its actor nodes settle who owns
    // the event (a 503 changes nothing): a client tries again, so does the test.
    const held = await waitFor(
      "the first reserve to be served",
      async () => {
        const answer = await faults.request("POST", "/booking/reserve", {
          token: buyer,
          body: { ticketIds: fixture.ticketIds.slice(0, 4) },
        });
        return answer.status === 503 ? undefined : answer;
      },
      30_000,
      500,
    );
    expect(held.status, JSON.stringify(held.body)).to.equal(200);
    const paid = await faults.request("POST", "/booking/confirm", {
      token: buyer,
      body: { ticketIds: fixture.ticketIds.slice(0, 4), paymentDetails: { token: "tok_ok" } },
      headers: { "Idempotency-Key": "buyer-kill-0001" },
    });
    expect(paid.status).to.equal(201);
    const booking = paid.body.booking;
    // The last two seats: someone else holds them. Sold out.
    const other = await faults.token("other");
    expect(
      (
        await faults.request("POST", "/booking/reserve", {
          token: other,
          body: { ticketIds: fixture.ticketIds.slice(4) },
        })
      ).status,
    ).to.equal(200);
    const waiters = ["w1", "w2", "w3"];
    const tokens = await Promise.all(waiters.map((user) => faults.token(user)));
    for (const [index, quantity] of [3, 2, 2].entries()) {
      const joined = await faults.request("POST", `/events/${fixture.eventId}/waitlist`, {
        token: tokens[index],
        body: { quantity },
      });
      expect(joined.status).to.equal(201);
    }

    const owner = (await faults.owners([fixture.eventId])).get(fixture.eventId)!;
    const victim = owner.startsWith("actor-1-") ? "actor-1" : "actor-2";
    const cancel = () =>
      faults
        .request("POST", `/admin/bookings/${booking.id}/cancel`, {
          token: admin,
          body: { reason: "Kill test" },
          headers: { "Idempotency-Key": "cancel-kill-0001" },
          timeoutMs: 30_000,
        })
        .catch((error: Error) => ({ status: 0, body: { error: error.message } }));
    const inFlight = cancel();
    await sleep(15);
    const killedAt = Date.now();
    await faults.cluster.kill(victim, "SIGKILL");
    const first = await inFlight;

    // The organiser retries with the same key until it answers (the first may have died with the node).
    const answer = await waitFor(
      "the cancellation to answer",
      async () => {
        const again = await cancel();
        return again.status === 200 ? again : undefined;
      },
      60_000,
      500,
    );
    const recoveredMs = Date.now() - killedAt;
    expect(answer.body.booking).to.include({ id: booking.id, status: "cancelled" });
    await waitFor(
      "the payment to be refunded",
      async () => {
        const { rows } = await faults.db.query("SELECT status FROM payments WHERE id = $1", [
          booking.paymentId,
        ]);
        return rows[0].status === "refunded" ? true : undefined;
      },
      90_000,
      500,
    );
    // Four seats came back: w1 (3) first, then w2 gets... only one left for w2 (2): w2 and w3 wait.
    const entries = await Promise.all(
      tokens.map(
        async (token) => (await faults.request("GET", `/events/${fixture.eventId}/waitlist`, { token })).body,
      ),
    );
    expect(entries[0].status).to.equal("offered");
    expect(entries[0].offer.ticketIds).to.have.length(3);
    expect(entries[1]).to.deep.equal({ status: "waiting", position: 1 });
    expect(entries[2]).to.deep.equal({ status: "waiting", position: 2 });
    // The other holder lets go: w2 gets two seats (the one left and one of those), w3 keeps waiting.
    expect(
      (
        await faults.request("POST", "/booking/release", {
          token: other,
          body: { ticketIds: fixture.ticketIds.slice(4) },
        })
      ).status,
    ).to.equal(200);
    const w2 = (await faults.request("GET", `/events/${fixture.eventId}/waitlist`, { token: tokens[1] }))
      .body;
    expect(w2.status).to.equal("offered");
    expect(w2.offer.ticketIds).to.have.length(2);
    const w3 = (await faults.request("GET", `/events/${fixture.eventId}/waitlist`, { token: tokens[2] }))
      .body;
    expect(w3).to.deep.equal({ status: "waiting", position: 1 });
    const offered = new Set([...entries[0].offer.ticketIds, ...w2.offer.ticketIds]);
    expect(offered.size).to.equal(5);
    await assertAuditClean(faults);
    await reportFigures("waitlist-kill", {
      faultsInjected: 1,
      victim,
      firstAnswer: first.status,
      recoveredMs,
      violations: 0,
    });
  });
});
