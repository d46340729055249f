// Redis (waiting room, caches, rate limits) SIGKILLed in the middle of a booking load, on a
// redis-server of the test's own: booking carries on (holds live with the actors and Postgres), reads
// bypass the cache, joining a waiting room answers 503 OVERLOADED with Retry-After while an admitted
// shopper keeps booking, readiness says degraded; once Redis is back everything is normal again.
import { execFileSync } from "node:child_process";
import { expect } from "chai";
import {
  assertAuditClean,
  createLoadEvents,
  reportFigures,
  routeAvailable,
  sleep,
  startBookingLoad,
  useFaultCluster,
  waitFor,
  waitForMoneySettled,
} from "./support/fault-cluster.ts";
import { ProbeLoop } from "./support/load.ts";
import { checkLedger } from "./support/ledger.ts";

const outageMs = 5_000;

/** The PID of the redis-server on `port` (to SIGKILL it: a crash, not a clean shutdown). */
function redisPid(port: number): number {
  const info = execFileSync("redis-cli", ["-p", String(port), "info", "server"], { encoding: "utf8" });
  const match = /process_id:(\d+)/.exec(info);
  if (!match) throw new Error("redis-server did not tell its process id");
  return Number(match[1]);
}

describe("faults: Redis killed mid-load", function () {
  this.timeout(300_000);
  const cluster = useFaultCluster({ privateRedis: true });

  it("booking continues, caches and the waiting room degrade per the contract, normal after it returns", async () => {
    const faults = cluster();
    const events = await createLoadEvents(faults, 3, "Redis test");
    const waitingRoomRoute = await routeAvailable(faults, "POST", "/events/{eventId}/queue");
    const hot = waitingRoomRoute
      ? await faults.createEvent({
          seats: 20,
          name: "Redis test: waiting room",
          waitingRoom: { enabled: true, maxActiveShoppers: 100, admitPerMinute: 6_000 },
        })
      : null;
    const shopper = await faults.token("admitted-shopper");
    let admissionToken = "";
    if (hot) {
      const joined = await faults.request("POST", `/events/${hot.eventId}/queue`, { token: shopper });
      expect(joined.status, JSON.stringify(joined.body)).to.equal(200);
      admissionToken = await waitFor(
        "the shopper to be admitted",
        async () => {
          const status = await faults.request("GET", `/events/${hot.eventId}/queue`, { token: shopper });
          return status.body?.admissionToken as string | undefined;
        },
        30_000,
      );
    }

    const load = await startBookingLoad(faults, events, { users: 40, concurrency: 8, seed: 11 });
    const probes = new ProbeLoop(faults.request, [
      { method: "GET", path: `/events/${events[0].eventId}` },
      { method: "GET", path: "/health/ready" },
    ]);
    probes.start();
    await sleep(3_000);

    const killedAt = Date.now();
    process.kill(redisPid(faults.redis!.port), "SIGKILL");
    await waitFor(
      "readiness to notice",
      async () => {
        const ready = await faults.request("GET", "/health/ready");
        return ready.body?.checks?.redis === "degraded" ? true : undefined;
      },
      10_000,
    );
    const ready = await faults.request("GET", "/health/ready");
    let joinDuringOutage = null;
    let reserveWithAdmission = null;
    if (hot) {
      joinDuringOutage = await faults.request("POST", `/events/${hot.eventId}/queue`, {
        token: await faults.token("late-joiner"),
      });
      reserveWithAdmission = await faults.request("POST", "/booking/reserve", {
        token: shopper,
        body: { ticketId: hot.ticketIds[0] },
        headers: { "x-admission-token": admissionToken },
      });
    }
    await sleep(Math.max(0, outageMs - (Date.now() - killedAt)));
    const restartedAt = Date.now();
    await faults.redis!.stop(); // forgets the dead process
    await faults.redis!.start();

    const recoveryMs = await waitFor(
      "readiness to report Redis up",
      async () => {
        const answer = await faults.request("GET", "/health/ready");
        return answer.body?.checks?.redis === "up" ? Date.now() - restartedAt : undefined;
      },
      30_000,
    );
    let joinAfter = null;
    if (hot)
      joinAfter = await waitFor(
        "joining the waiting room again",
        async () => {
          const answer = await faults.request("POST", `/events/${hot.eventId}/queue`, {
            token: await faults.token("late-joiner"),
          });
          return answer.status === 200 ? answer : undefined;
        },
        30_000,
      );
    await sleep(2_000);
    await load.stop();
    await probes.stop();

    const during = load.records.filter(
      (record) => record.answeredAt >= killedAt && record.sentAt <= restartedAt,
    );
    const statuses: Record<string, number> = {};
    for (const record of during) {
      const key = `${record.op} ${record.status}${record.code ? ` ${record.code}` : ""}`;
      statuses[key] = (statuses[key] ?? 0) + 1;
    }
    const reads = probes.between(killedAt, restartedAt, `/events/${events[0].eventId}`);
    const payments = await waitForMoneySettled(faults);
    const ledger = await checkLedger(faults.db, load.records);
    const audit = await assertAuditClean(faults);
    await reportFigures("redis-outage", {
      faultsInjected: 1,
      outageMs: restartedAt - killedAt,
      recoveryMs,
      requestsDuringOutage: during.length + reads.length,
      statusesDuringOutage: statuses,
      readsDuringOutage: reads.map((record) => record.status),
      waitingRoomChecked: waitingRoomRoute,
      requests: ledger.requests + probes.records.length,
      hangs: ledger.hangs,
      definiteHolds: ledger.definiteHolds,
      bookingsChecked: ledger.bookingsChecked,
      auditBookings: audit.bookings,
      payments,
      violations: ledger.violations.length,
    });

    expect(ledger.violations).to.deep.equal([]);
    expect(ledger.hangs).to.equal(0);
    // Booking carried on: reserves sent during the outage were granted.
    expect(
      during.filter((record) => record.sentAt >= killedAt && record.op === "reserve" && record.status === 200)
        .length,
    ).to.be.greaterThan(0);
    for (const record of during)
      // 403: the load gave back unsure tickets that another user holds.
      expect(record.status, JSON.stringify(record)).to.be.oneOf([200, 201, 403, 409]);
    // Reads bypass the cache.
    expect(reads.length).to.be.greaterThan(0);
    for (const record of reads) expect(record.status).to.equal(200);
    expect(ready.status).to.equal(200);
    expect(ready.body.status).to.equal("degraded");
    if (hot) {
      expect(joinDuringOutage!.status).to.equal(503);
      expect(joinDuringOutage!.body.error.code).to.equal("OVERLOADED");
      expect(Number(joinDuringOutage!.headers.get("retry-after"))).to.be.greaterThan(0);
      expect(reserveWithAdmission!.status, JSON.stringify(reserveWithAdmission!.body)).to.equal(200);
      expect(joinAfter!.body.status).to.be.oneOf(["waiting", "admitted"]);
    }
    const after = await faults.request("GET", "/health/ready");
    expect(after.body.status).to.equal("ok");
  });
});
