// PostgreSQL unreachable for a few seconds in the middle of a booking load: every connection of the
// test database is cut (pg_terminate_backend) again and again. Requests fail fast with a contract 503
// (never hang, never a 500 with internals), nothing acknowledged is lost, and service resumes.
import { expect } from "chai";
import pg from "pg";
import {
  assertAuditClean,
  countStatuses,
  createLoadEvents,
  reportFigures,
  routeAvailable,
  sleep,
  startBookingLoad,
  useFaultCluster,
  waitFor,
  waitForEveryEventServed,
  waitForMoneySettled,
} from "./support/fault-cluster.ts";
import { ProbeLoop } from "./support/load.ts";
import { checkLedger } from "./support/ledger.ts";
import { postgresUrl } from "../support/system.ts";
import { idempotencyWaitMs } from "../../domain/limits.ts";

const outageMs = 5_000;
const cutEveryMs = 50;
/** A request during the outage answers within this: the pool's connect timeout plus a margin. */
const failFastMs = 8_000;

describe("faults: PostgreSQL unreachable for a few seconds", function () {
  this.timeout(300_000);
  const cluster = useFaultCluster();

  it("fails fast with 503 while it lasts, loses nothing acknowledged, and serves again after", async () => {
    const faults = cluster();
    const events = await createLoadEvents(faults, 4, "Postgres test");
    const confirm = await routeAvailable(faults, "POST", "/booking/confirm");
    const load = await startBookingLoad(faults, events, { users: 40, concurrency: 8, seed: 5 });
    const user = await faults.token("probe-user");
    const probes = new ProbeLoop(faults.request, [
      { method: "GET", path: `/events/${events[0].eventId}` },
      { method: "GET", path: `/events/${events[1].eventId}/tickets` },
      { method: "GET", path: "/bookings", token: user },
      { method: "GET", path: "/health/ready" },
    ]);
    probes.start();
    await sleep(3_000);

    // The cutter talks to the `postgres` database, so its own connection is never among the victims.
    const cutter = new pg.Client({ connectionString: `${postgresUrl}/postgres` });
    await cutter.connect();
    const database = new URL(faults.databaseUrl).pathname.slice(1);
    const outageStartedAt = Date.now();
    let connectionsCut = 0;
    try {
      while (Date.now() - outageStartedAt < outageMs) {
        const { rows } = await cutter.query(
          `SELECT count(*) FILTER (WHERE pg_terminate_backend(pid))::int AS cut
           FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`,
          [database],
        );
        connectionsCut += rows[0].cut;
        await sleep(cutEveryMs);
      }
    } finally {
      await cutter.end();
    }
    const outageEndedAt = Date.now();

    // Resumed = a reserve on every event answered 200 after the outage.
    const resumeMs = await waitForEveryEventServed(load, events, outageEndedAt);
    const ready = await waitFor(
      "ready again",
      async () => {
        const answer = await faults.request("GET", "/health/ready");
        return answer.status === 200 ? answer.body : undefined;
      },
      30_000,
    );
    await sleep(2_000);
    await load.stop();
    await probes.stop();

    const during = [
      ...load.records.filter(
        (record) => record.answeredAt >= outageStartedAt && record.sentAt <= outageEndedAt,
      ),
      ...probes.between(outageStartedAt, outageEndedAt),
    ];
    // A confirm retried with its Idempotency-Key while the first attempt's payment is unsettled waits
    // for it (bounded by idempotencyWaitMs) and answers 409: a wait by design, measured on its own.
    const waited = (record: (typeof during)[number]) => record.code === "IDEMPOTENCY_CONFLICT";
    const took = (record: (typeof during)[number]) => record.answeredAt - record.sentAt;
    const slowestMs = Math.max(0, ...during.filter((record) => !waited(record)).map(took));
    const idempotencyWaits = during.filter(waited).map(took);
    const statuses = countStatuses(during);
    const payments = await waitForMoneySettled(faults);
    const ledger = await checkLedger(faults.db, load.records);
    const audit = await assertAuditClean(faults);
    await reportFigures("postgres-outage", {
      faultsInjected: 1,
      outageMs: outageEndedAt - outageStartedAt,
      connectionsCut,
      requestsDuringOutage: during.length,
      statusesDuringOutage: statuses,
      slowestAnswerDuringOutageMs: slowestMs,
      idempotencyWaitsMs: idempotencyWaits,
      resumeMs,
      requests: ledger.requests + probes.records.length,
      hangs: ledger.hangs,
      definiteHolds: ledger.definiteHolds,
      bookingsChecked: ledger.bookingsChecked,
      auditBookings: audit.bookings,
      payments,
      confirmsIncluded: confirm,
      violations: ledger.violations.length,
    });

    if (process.env.FAULTS_DEBUG)
      for (const record of during)
        console.log(
          record.sentAt - outageStartedAt,
          record.answeredAt - record.sentAt,
          "op" in record ? `${record.op} ${record.eventId}` : `${record.method} ${record.path}`,
          record.status,
          record.code,
        );
    expect(connectionsCut).to.be.greaterThan(0);
    expect(ledger.violations).to.deep.equal([]);
    const malformed = probes.records.filter((record) => record.malformed);
    expect(malformed, JSON.stringify(malformed.slice(0, 3))).to.deep.equal([]);
    // Every answer during the outage is a success or a contract error; failures are 503 with Retry-After.
    for (const record of during) {
      // 403: the load gave back unsure tickets that another user holds.
      expect(record.status, JSON.stringify(record)).to.be.oneOf([200, 201, 403, 409, 503]);
      if (record.status === 503 && !("path" in record && record.path === "/health/ready"))
        expect(record.code).to.be.oneOf(["UNAVAILABLE", "OVERLOADED"]);
    }
    expect(during.some((record) => record.status === 503)).to.equal(true);
    expect(slowestMs, "slowest answer during the outage").to.be.below(failFastMs);
    for (const wait of idempotencyWaits) expect(wait).to.be.below(idempotencyWaitMs + failFastMs);
    expect(ready.checks.postgres).to.equal("up");
  });
});
