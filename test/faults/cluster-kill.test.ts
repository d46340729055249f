// Past one machine's engines (issue 20): the nodes run on a Redis Cluster (three masters, each with a
// replica, 1 s node timeout) and a NATS cluster of three servers. In the middle of a booking load one
// Redis master (the one holding a hot event's waiting room) and one NATS server (the one with the most
// clients) are SIGKILLed together. The replica takes the master's slots over, the nodes move to the
// NATS servers left; nothing acknowledged is lost, the money is settled, the audit is clean, and
// booking and the waiting room serve again within seconds. Every request gets an answer: a call lost
// with the NATS server a 503 at its timeout (the gateway keeps the connection open until then).
import { expect } from "chai";
import {
  assertAuditClean,
  countStatuses,
  createLoadEvents,
  reportFigures,
  sleep,
  startBookingLoad,
  useFaultCluster,
  everyEventReservable,
  everyProbeAnswered,
  waitForMoneySettled,
} from "./support/fault-cluster.ts";
import { ProbeLoop, answerTimeoutMs } from "./support/load.ts";
import { checkLedger } from "./support/ledger.ts";
import { waitingRoomKeys } from "../../actors/waiting-room/keys.ts";

describe("faults: a Redis Cluster master and a NATS cluster server killed mid-load", function () {
  this.timeout(300_000);
  const cluster = useFaultCluster({ redisCluster: true, natsCluster: true });

  it("the replica and the other servers take over within seconds; nothing acknowledged is lost", async () => {
    const faults = cluster();
    const redisCluster = faults.redisCluster!;
    const natsCluster = faults.natsCluster!;
    const events = await createLoadEvents(faults, 4, "Cluster test");
    const hot = await faults.createEvent({
      seats: 20,
      name: "Cluster test: waiting room",
      waitingRoom: { enabled: true, maxActiveShoppers: 1_000, admitPerMinute: 60_000 },
    });
    const queuer = await faults.token("queuer");
    const joined = await faults.request("POST", `/events/${hot.eventId}/queue`, { token: queuer });
    expect(joined.status, JSON.stringify(joined.body)).to.equal(200);

    // A request whose reply was lost with its NATS server is answered 503 when Moleculer's request
    // timeout ends (a confirm: 30 s); on a loaded 2-core CI machine that answer arrived past the usual
    // 35 s hang bound. A hang is still a request with no answer at all: 45 s here.
    const load = await startBookingLoad(faults, events, {
      users: 40,
      concurrency: 8,
      seed: 20,
      requestTimeoutMs: answerTimeoutMs + 10_000,
    });
    const queuePath = `/events/${hot.eventId}/queue`;
    const probes = new ProbeLoop(faults.request, [
      { method: "GET", path: `/events/${events[0].eventId}` },
      { method: "POST", path: queuePath, token: queuer },
      { method: "GET", path: "/health/ready" },
    ]);
    probes.start();
    await sleep(3_000);

    const redisPort = await redisCluster.masterOf(
      `${faults.namespace}:${waitingRoomKeys(hot.eventId).waiting}`,
    );
    const clients = await natsCluster.connections();
    const [natsPort, natsClients] = [...clients.entries()].sort((a, b) => b[1] - a[1])[0];
    const killedAt = Date.now();
    await Promise.all([redisCluster.kill(redisPort), natsCluster.kill(natsPort)]);

    const [bookingRecoveryMs, waitingRoomRecoveryMs] = await Promise.all([
      everyEventReservable(faults, events, killedAt),
      // The waiting room is back once a join sent after the failover started is answered (its keys are
      // on the killed master's slots: the replica answers once promoted).
      everyProbeAnswered(
        "the waiting room to take joins again",
        killedAt,
        async (probe) => {
          const answer = await faults.request("POST", queuePath, {
            token: await faults.token(`late-joiner-${probe}`),
            timeoutMs: 15_000,
          });
          return answer.status === 200 ? "queue" : undefined;
        },
        ["queue"],
      ),
    ]);
    await redisCluster.waitHealthy(30_000);
    const failoverMs = Date.now() - killedAt;
    await sleep(3_000);
    await load.stop();
    await probes.stop();

    const resumedAt = killedAt + Math.max(bookingRecoveryMs, waitingRoomRecoveryMs);
    const during = [
      ...load.records.filter((record) => record.answeredAt >= killedAt && record.sentAt <= resumedAt),
      ...probes.between(killedAt, resumedAt),
    ];
    const payments = await waitForMoneySettled(faults);
    const ledger = await checkLedger(faults.db, load.records);
    const audit = await assertAuditClean(faults);
    const joinsDuring = probes.between(killedAt, resumedAt, queuePath);
    // Each request without an answer: what it was, when (from the kill), how long it waited and why.
    const unanswered = [
      ...load.records.map((record) => ({ ...record, request: `POST /booking/${record.op}` })),
      ...probes.records.map((record) => ({ ...record, request: `${record.method} ${record.path}` })),
    ]
      .filter((record) => record.status === 0)
      .map(
        (record) =>
          `${record.request} sent ${record.sentAt - killedAt} ms after the kill, ` +
          `gave up after ${record.answeredAt - record.sentAt} ms: ${record.failure}`,
      );
    await reportFigures("cluster-kill", {
      faultsInjected: 2,
      natsClientsOnKilledServer: natsClients,
      bookingRecoveryMs,
      waitingRoomRecoveryMs,
      redisClusterHealthyAfterMs: failoverMs,
      requestsUntilResumed: during.length,
      statusesUntilResumed: countStatuses(during),
      joinsUntilResumed: countStatuses(joinsDuring),
      slowestAnswerUntilResumedMs: Math.max(0, ...during.map((record) => record.answeredAt - record.sentAt)),
      requests: ledger.requests + probes.records.length,
      hangs: ledger.hangs,
      unanswered,
      definiteHolds: ledger.definiteHolds,
      bookingsChecked: ledger.bookingsChecked,
      auditBookings: audit.bookings,
      payments,
      violations: ledger.violations.length,
    });

    expect(ledger.violations).to.deep.equal([]);
    expect(unanswered, "requests with no answer within 45 s").to.deep.equal([]);
    const malformed = probes.records.filter((record) => record.malformed);
    expect(malformed, JSON.stringify(malformed.slice(0, 3))).to.deep.equal([]);
    for (const record of during)
      // 403: the load gave back unsure tickets that another user holds; 503: a call cut by the kill.
      expect(record.status, JSON.stringify(record)).to.be.oneOf([200, 201, 403, 409, 503]);
    expect(bookingRecoveryMs, "booking serves every event again").to.be.below(10_000);
    expect(waitingRoomRecoveryMs, "the waiting room takes joins again").to.be.below(10_000);
    // The queuer kept their place across the failover (the replica had it).
    const place = await faults.request("GET", queuePath, { token: queuer });
    expect(place.status, JSON.stringify(place.body)).to.equal(200);
    const ready = await faults.request("GET", "/health/ready");
    expect(ready.status).to.equal(200);
    expect(ready.body.checks).to.deep.include({ redis: "up", transporter: "up" });
  });
});
