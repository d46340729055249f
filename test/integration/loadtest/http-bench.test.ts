// The HTTP benchmark (loadtest/http/) at a toy size against test systems: Marquee's node, then one
// whose booking runs the classic baseline engine. Every phase runs without a failed request, the
// results have their shape (ops/s, p50/p99, Postgres transactions per operation, ratios), the
// baseline has no best available, and the audit after each engine finds no violation. Not speed:
// the benchmark itself runs only by hand (`npm run bench:http`).
import { expect } from "chai";
import pg from "pg";
import { startSystem, dropDatabase, type TestSystem } from "../../support/system.ts";
import { classicServices } from "../../../loadtest/classic/classic-engine.ts";
import { buyPhases } from "../../../loadtest/http/buy-operations.ts";
import type { PhaseResult } from "../../../loadtest/http/engine-phases.ts";
import { measureHttp, type HttpMeasurements } from "../../../loadtest/http/measure.ts";
import { perOperation, TransactionCounter } from "../../../loadtest/http/pg-transactions.ts";
import { createSigner } from "../../../loadtest/http/tokens.ts";

const inFlight = [2, 8];

function running(system: TestSystem, engine: string) {
  return {
    target: {
      engine,
      baseUrl: system.baseUrl,
      databaseUrl: system.databaseUrl,
      sign: createSigner(system.config.authSecret),
      bestAvailable: engine === "marquee",
    },
    async stop() {
      await system.stop();
    },
  };
}

function expectPhase(result: PhaseResult | null, steps: string[]) {
  expect(result).to.not.equal(null);
  expect(result!.failures).to.deep.equal({});
  expect(result!.ops).to.be.greaterThan(0);
  expect(result!.opsPerSec).to.be.greaterThan(0);
  expect(result!.p50Ms).to.be.greaterThan(0);
  expect(result!.p99Ms).to.be.at.least(result!.p50Ms);
  // The counts of a toy phase are not settled (pgStatSettleMs below): their shape only.
  expect(result!.pgTransactions).to.be.at.least(0);
  expect(result!.pgTransactionsPerOp).to.be.a("number");
  expect(result!.pgCommitsPerOp).to.be.a("number");
  expect(Object.keys(result!.steps).sort()).to.deep.equal([...steps].sort());
  for (const step of steps) expect(result!.steps[step].count).to.be.at.least(result!.ops);
}

function expectJoins(measurements: HttpMeasurements) {
  expect(Object.keys(measurements.waitingRoomJoins!).map(Number)).to.deep.equal(inFlight);
  for (const level of inFlight) {
    const joins = measurements.waitingRoomJoins![level];
    expect(joins.inFlight).to.equal(level);
    expect(joins.requests).to.be.greaterThan(0);
    expect(joins.requestsPerSec).to.be.greaterThan(0);
    expect(joins.p99Ms).to.be.at.least(joins.p50Ms);
    expect(joins.failures).to.equal(0);
  }
}

describe("HTTP benchmark (toy size)", function () {
  this.timeout(180_000);
  const systems: TestSystem[] = [];
  let measurements: HttpMeasurements;
  const logged: string[] = [];

  before(async () => {
    const start = async (engine: string, services?: typeof classicServices) => {
      const system = await startSystem({ services, env: { HOLD_TTL_SECONDS: "600" } });
      systems.push(system);
      return running(system, engine);
    };
    measurements = await measureHttp({
      seats: 2_000,
      inFlight,
      durationMs: 400,
      pgStatSettleMs: 200,
      connections: 4,
      startMarquee: () => start("marquee"),
      startClassic: () => start("classic", classicServices),
      log: (message) => logged.push(message),
    });
  });
  after(async () => {
    for (const system of systems) await dropDatabase(system.databaseUrl);
  });

  it("runs every buy phase on both engines, the classic one without best available", () => {
    for (const engine of ["marquee", "classic"] as const) {
      const phases = measurements.engines![engine].phases;
      for (const level of inFlight) {
        expectPhase(phases["reserve+confirm"][level], ["reserve", "confirm"]);
        expectPhase(phases["reserve+release"][level], ["reserve", "release"]);
        expect(phases["reserve+confirm"][level]!.confirmToReserveP50).to.be.greaterThan(0);
      }
    }
    for (const level of inFlight) {
      expectPhase(measurements.engines!.marquee.phases["bestAvailable+confirm"][level], [
        "reserve",
        "confirm",
      ]);
      expect(measurements.engines!.classic.phases["bestAvailable+confirm"][level]).to.equal(null);
    }
  });

  it("answers the ratio of each phase Marquee and the baseline both ran", () => {
    for (const phase of buyPhases)
      for (const level of inFlight) {
        const ratio = measurements.ratios![phase][level];
        if (phase === "bestAvailable+confirm") expect(ratio).to.equal(null);
        else {
          expect(ratio).to.be.greaterThan(0);
          expect(measurements.engines!.marquee.phases[phase][level]!.ratio).to.equal(ratio);
        }
      }
  });

  it("measures waiting-room joins at each number in flight and the trivial route against a bare server", () => {
    expect(measurements.parts).to.deep.equal(["buy", "join", "trivial"]);
    expectJoins(measurements);
    const { gateway, bare, ratio } = measurements.trivialRoute!;
    expect(gateway.requests).to.be.greaterThan(0);
    expect(bare.requests).to.be.greaterThan(0);
    expect(gateway.failures + bare.failures).to.equal(0);
    expect(ratio).to.equal(Number((gateway.requestsPerSec / bare.requestsPerSec).toFixed(2)));
  });

  it("audits each engine's database after its phases: no violation, the buys booked", () => {
    expect(measurements.auditOk).to.equal(true);
    for (const engine of ["marquee", "classic"] as const) {
      const { audit, phases } = measurements.engines![engine];
      expect(audit).to.include({ ok: true, violations: 0 });
      const bought = inFlight.reduce(
        (sum, level) =>
          sum + phases["reserve+confirm"][level]!.ops + (phases["bestAvailable+confirm"][level]?.ops ?? 0),
        0,
      );
      expect(audit.bookings).to.equal(bought);
      expect(audit.payments).to.equal(bought);
    }
    expect(logged.some((line) => line.includes("audit: no violations"))).to.equal(true);
  });

  it("counts a database's transactions from pg_stat_database once they are published", async () => {
    const databaseUrl = systems[0].databaseUrl;
    const counter = await TransactionCounter.connect(databaseUrl, 1_000);
    try {
      const before = await counter.read();
      const client = new pg.Client({ connectionString: databaseUrl });
      await client.connect();
      for (let index = 0; index < 5; index++) await client.query("BEGIN; SELECT 1; COMMIT");
      for (let index = 0; index < 2; index++) await client.query("BEGIN; SELECT 1; ROLLBACK");
      await client.end(); // a backend publishes what it counted when it exits
      const after = await counter.read();
      expect(after.commits - before.commits).to.be.at.least(5);
      expect(after.rollbacks - before.rollbacks).to.be.at.least(2);
      expect(perOperation(before, after, 7).pgTransactionsPerOp).to.be.at.least(1);
    } finally {
      await counter.close();
    }
  });
});

describe("HTTP benchmark, a part of it (toy size)", function () {
  this.timeout(120_000);
  let system: TestSystem;

  after(async () => {
    if (system) await dropDatabase(system.databaseUrl);
  });

  it("runs the join and trivial-route phases alone: no buy phase, no classic engine", async () => {
    const measurements = await measureHttp({
      seats: 2_000,
      inFlight,
      durationMs: 300,
      connections: 4,
      parts: ["trivial", "join"],
      startMarquee: async () => {
        system = await startSystem();
        return running(system, "marquee");
      },
      startClassic: () => Promise.reject(new Error("the classic engine must not start")),
      log: () => {},
    });
    expect(measurements.parts).to.deep.equal(["join", "trivial"]);
    expect(measurements).to.include({ engines: null, ratios: null, auditOk: true });
    expectJoins(measurements);
    expect(measurements.trivialRoute!.gateway.requests).to.be.greaterThan(0);
  });
});
