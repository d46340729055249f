// Issue 16, item 1's other half: a command that makes an actor worker fail is quarantined (answered
// 500 once, never sent into the same crash again), the failure is counted, and the other events of
// that worker keep serving. The pool runs real workers on a real database; the fault is the workers'
// test hook (WorkerOptions.testFaultInDecide): a throw inside decide (contained: only the event's actor
// reloads) or the thread's end while deciding (uncontainable, like running out of memory: the
// deciding ledger names the culprit).
import { expect } from "chai";
import Moleculer from "moleculer";
import { ActorPool } from "../../../actors/booking/actor-pool.ts";
import { createBookingMetrics } from "../../../actors/booking/metrics.ts";
import type { WorkerFault, WorkerOptions } from "../../../actors/booking/protocol.ts";
import { systemClock } from "../../../domain/clock.ts";
import type { Command } from "../../../domain/seat-state.ts";
import { registerPrometheusReporter, renderMetrics } from "../../../platform/prometheus.ts";
import { createEventFixture } from "../../support/catalog.ts";
import { queryDatabase } from "../../support/invariants.ts";
import { dropDatabase, startSystem } from "../../support/system.ts";

const reserve = (userId: string, ordinals: number[]): Command => ({
  type: "reserve",
  userId,
  ordinals,
  holdId: "",
});

/** The error code a command was answered with, or "ok". */
async function answer(command: Promise<unknown>): Promise<string> {
  try {
    await command;
    return "ok";
  } catch (error) {
    return String((error as { code?: unknown }).code);
  }
}

describe("booking: a command that fails its actor worker", function () {
  this.timeout(120_000);
  let databaseUrl: string;
  let eventA: string;
  let eventB: string;
  const pools: ActorPool[] = [];

  before(async () => {
    const system = await startSystem();
    eventA = (await createEventFixture(system, { seats: 10 })).eventId;
    eventB = (await createEventFixture(system, { seats: 10 })).eventId;
    databaseUrl = system.databaseUrl;
    await system.stop(); // its own actors are out of the way; the database stays
  });
  after(async () => {
    for (const pool of pools) await pool.stop();
    await dropDatabase(databaseUrl);
  });

  /** One worker (so both events share it) that fails on any command of user "poison". */
  async function startPool(fault: "throw" | "exit") {
    const faults: WorkerFault[] = [];
    const logs: string[] = [];
    registerPrometheusReporter();
    const broker = new Moleculer.ServiceBroker({
      nodeID: `faults-${fault}`, // not the host name: samples labelled with it are never rendered
      logger: false,
      metrics: { enabled: true, reporter: [{ type: "NodePrometheus" }] },
    });
    const metrics = createBookingMetrics(broker);
    const worker: WorkerOptions = {
      databaseUrl,
      owner: `faults-${fault}`,
      holdTtlMs: 600_000,
      paranoid: true,
      testFaultInDecide: { userId: "poison", fault },
    };
    const pool = new ActorPool({
      size: 1,
      clock: systemClock,
      worker,
      onSeatsChanged: () => {},
      onHoldsEnded: () => {},
      onCommit: () => {},
      log: (level, message) => logs.push(`${level}: ${message}`),
      onFault: (fault) => {
        faults.push(fault);
        metrics.recordFault(fault);
      },
    });
    pools.push(pool);
    await pool.start();
    const metricsText = () => renderMetrics(broker);
    return { pool, faults, logs, metricsText };
  }

  const holdsOf = (eventId: string) =>
    queryDatabase(databaseUrl, "SELECT user_id, ordinal FROM holds WHERE event_id = $1 ORDER BY ordinal", [
      eventId,
    ]);

  it("a throw while deciding: one 500, the event reloads, the worker and its other events serve on", async () => {
    const { pool, faults, logs, metricsText } = await startPool("throw");
    expect(await answer(pool.command(eventA, reserve("u1", [0])))).to.equal("ok");
    expect(await answer(pool.command(eventB, reserve("u2", [0])))).to.equal("ok");
    // One batch, one turn: an honest command of A decided before the poison, the poison, one after it,
    // and one of B.
    const answers = await Promise.all([
      answer(pool.command(eventA, reserve("u3", [2]))),
      answer(pool.command(eventA, reserve("poison", [1]))),
      answer(pool.command(eventA, reserve("u4", [3]))),
      answer(pool.command(eventB, reserve("u5", [1]))),
    ]);
    expect(answers).to.deep.equal(["ok", "INTERNAL_ERROR", "ok", "ok"]);
    expect(faults).to.have.length(1);
    expect(faults[0]).to.deep.include({ reason: "exception", eventId: eventA, quarantined: 1 });
    // u3 (decided before the poison, not committed) and u4 were decided again after A's reload.
    expect(logs.some((line) => /"reserve" command of .* threw .* reloads with 2 queued/.test(line))).to.equal(
      true,
    );
    // Never retried into the same crash, and the thread never stopped.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(faults).to.have.length(1);
    expect(logs.filter((line) => /exited|STOPPED/.test(line))).to.deep.equal([]);
    expect(await answer(pool.command(eventA, reserve("u6", [4])))).to.equal("ok");
    expect(await answer(pool.command(eventB, reserve("u7", [2])))).to.equal("ok");
    expect(await holdsOf(eventA)).to.deep.equal([
      { user_id: "u1", ordinal: 0 },
      { user_id: "u3", ordinal: 2 },
      { user_id: "u4", ordinal: 3 },
      { user_id: "u6", ordinal: 4 },
    ]);
    expect(metricsText()).to.match(/marquee_actor_worker_crashes_total\{[^}]*reason="exception"[^}]*\} 1\b/);
    expect(metricsText()).to.match(/marquee_actor_commands_quarantined_total(\{[^}]*\})? 1\b/);
    await pool.stop();
  });

  it("the thread's end while deciding: the culprit quarantined by the ledger, the rest retried and served", async () => {
    const { pool, faults, metricsText } = await startPool("exit");
    expect(await answer(pool.command(eventB, reserve("v1", [5])))).to.equal("ok");
    const started = Date.now();
    const [poison, honest] = await Promise.all([
      answer(pool.command(eventA, reserve("poison", [6]))),
      answer(pool.command(eventB, reserve("v2", [6]))),
    ]);
    expect(poison).to.equal("INTERNAL_ERROR");
    // Not acknowledged when the thread ended: its caller may send it again (STALE_OWNER) - or it was
    // answered before the end.
    expect(["ok", "STALE_OWNER"]).to.include(honest);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(faults).to.have.length(1);
    expect(faults[0]).to.deep.include({ reason: "exit", eventId: null, quarantined: 1 });
    // The worker restarts; the other event (and the poisoned one) serve again, the poison is not retried.
    const retried = honest === "ok" ? "ok" : await answer(pool.command(eventB, reserve("v2", [6])));
    expect(retried).to.equal("ok");
    expect(await answer(pool.command(eventA, reserve("v3", [7])))).to.equal("ok");
    expect(Date.now() - started).to.be.below(15_000);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(faults).to.have.length(1);
    expect((await holdsOf(eventA)).filter((hold) => hold.user_id === "poison")).to.deep.equal([]);
    expect(metricsText()).to.match(/marquee_actor_worker_crashes_total\{[^}]*reason="exit"[^}]*\} 1\b/);
    await pool.stop();
  });
});
