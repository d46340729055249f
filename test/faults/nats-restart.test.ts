// NATS (the transporter between the nodes) killed in the middle of a booking load and started again
// on the same port a few seconds later: requests fail fast with contract errors while it is away, the
// nodes reconnect on their own and serve again, and nothing acknowledged is lost.
import { expect } from "chai";
import {
  assertAuditClean,
  countStatuses,
  createLoadEvents,
  reportFigures,
  sleep,
  startBookingLoad,
  useFaultCluster,
  waitForEveryEventServed,
  waitForMoneySettled,
} from "./support/fault-cluster.ts";
import { ProbeLoop } from "./support/load.ts";
import { checkLedger } from "./support/ledger.ts";

const outageMs = 5_000;

describe("faults: NATS stopped and started again", function () {
  this.timeout(300_000);
  const cluster = useFaultCluster();

  it("the nodes reconnect and serve again; nothing acknowledged is lost", async () => {
    const faults = cluster();
    const events = await createLoadEvents(faults, 4, "NATS test");
    const load = await startBookingLoad(faults, events, { users: 40, concurrency: 8, seed: 7 });
    const probes = new ProbeLoop(faults.request, [
      { method: "GET", path: `/events/${events[0].eventId}` },
      { method: "GET", path: "/health/ready" },
    ]);
    probes.start();
    await sleep(3_000);

    const stoppedAt = Date.now();
    await faults.nats!.stop("SIGKILL");
    await sleep(outageMs);
    const restartedAt = Date.now();
    await faults.nats!.start();

    const recoveryMs = await waitForEveryEventServed(load, events, restartedAt);
    await sleep(3_000);
    await load.stop();
    await probes.stop();

    const during = [
      ...load.records.filter((record) => record.answeredAt >= stoppedAt && record.sentAt <= restartedAt),
      ...probes.between(stoppedAt, restartedAt),
    ];
    const statuses = countStatuses(during);
    const payments = await waitForMoneySettled(faults);
    const ledger = await checkLedger(faults.db, load.records);
    const audit = await assertAuditClean(faults);
    await reportFigures("nats-restart", {
      faultsInjected: 1,
      outageMs: restartedAt - stoppedAt,
      recoveryMs,
      requestsDuringOutage: during.length,
      statusesDuringOutage: statuses,
      slowestAnswerDuringOutageMs: Math.max(...during.map((record) => record.answeredAt - record.sentAt)),
      requests: ledger.requests + probes.records.length,
      hangs: ledger.hangs,
      definiteHolds: ledger.definiteHolds,
      bookingsChecked: ledger.bookingsChecked,
      auditBookings: audit.bookings,
      payments,
      violations: ledger.violations.length,
    });

    expect(ledger.violations).to.deep.equal([]);
    expect(ledger.hangs, "requests with no answer within 35 s").to.equal(0);
    const malformed = probes.records.filter((record) => record.malformed);
    expect(malformed, JSON.stringify(malformed.slice(0, 3))).to.deep.equal([]);
    for (const record of during)
      // 403: the load gave back unsure tickets that another user holds.
      expect(record.status, JSON.stringify(record)).to.be.oneOf([200, 201, 403, 409, 503]);
    // The booking actors sit on other nodes: without NATS, booking answers 503 rather than waiting.
    expect(during.some((record) => record.status === 503)).to.equal(true);
    expect(recoveryMs).to.be.below(30_000);
    const ready = await faults.request("GET", "/health/ready");
    expect(ready.status).to.equal(200);
    expect(ready.body.checks.transporter).to.equal("up");
  });
});
