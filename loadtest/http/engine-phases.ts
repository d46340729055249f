// One engine's buy phases through HTTP: for each number of requests in flight, reserve+confirm,
// reserve+release and best available+confirm, each on a fresh hot event, with the Postgres
// transactions per operation from pg_stat_database; then the invariant audit of the database (zero
// violations: money taken always ends booked or refunded).
import pg from "pg";
import { auditDatabase, formatAudit } from "../audit.ts";
import { createAgent, request } from "../seat-map/http-load.ts";
import { eventMaker, type EventMaker } from "../seat-map/bench-event.ts";
import {
  bestAvailableConfirm,
  buyPhases,
  reserveConfirm,
  reserveRelease,
  SeatPool,
  type BuyContext,
  type BuyPhase,
} from "./buy-operations.ts";
import { runClosedLoop, type LoopSummary, type Operation } from "./driver.ts";
import { perOperation, TransactionCounter, type Transactions } from "./pg-transactions.ts";
import type { Signer } from "./tokens.ts";

export interface EngineTarget {
  engine: string;
  baseUrl: string;
  databaseUrl: string;
  sign: Signer;
  /** False for an engine that cannot choose seats (the classic baseline answers 400). */
  bestAvailable: boolean;
}

export interface PhaseSettings {
  seats: number;
  inFlight: number[];
  durationMs: number;
  /** How long a reading of pg_stat_database waits for the counts to be published (pg-transactions.ts). */
  pgStatSettleMs?: number;
  log(message: string): void;
}

export interface PhaseResult extends LoopSummary {
  inFlight: number;
  pgTransactions: number;
  pgTransactionsPerOp: number | null;
  pgCommitsPerOp: number | null;
  /** Confirm p50 / reserve p50 (buy phases). */
  confirmToReserveP50: number | null;
  /** Marquee's phases: its ops/s over the classic baseline's in the same run. */
  ratio?: number | null;
}

export interface EngineResult {
  engine: string;
  /** Commits per second of the idle node after the phases (sweeps, ticks), to read the counts against. */
  idlePgCommitsPerSecond: number;
  /** By phase, then by requests in flight; null where the engine has no such operation. */
  phases: Record<BuyPhase, Record<string, PhaseResult | null>>;
  audit: { ok: boolean; violations: number; bookings: number; payments: number };
}

function operationFor(phase: BuyPhase, context: BuyContext, seats: number, inFlight: number): Operation {
  if (phase === "reserve+confirm") return reserveConfirm(context, new SeatPool(seats));
  // Each loop has at most one seat out at a time: the pool never runs dry.
  if (phase === "reserve+release") return reserveRelease(context, new SeatPool(Math.min(seats, inFlight)));
  return bestAvailableConfirm(context);
}

/** Activates the event's actor (its first command loads the event) before the clock starts. */
async function warmUp(context: BuyContext): Promise<void> {
  const authorization = context.sign(`warm-${context.tag}`);
  const ticketIds = [`${context.eventId}.0`];
  for (const path of ["/booking/reserve", "/booking/release"]) {
    const answer = await request(context.agent, context.baseUrl + path, {
      method: "POST",
      headers: { authorization },
      body: { ticketIds },
    });
    if (answer.status !== 200) throw new Error(`warm-up ${path}: ${answer.status} ${answer.body.toString()}`);
  }
}

interface PlannedPhase {
  phase: BuyPhase;
  inFlight: number;
  context: BuyContext;
}

/** Each phase's event, created and its actor activated before any phase runs. */
async function planPhases(target: EngineTarget, settings: PhaseSettings, events: EventMaker) {
  const planned: PlannedPhase[] = [];
  for (const phase of buyPhases)
    for (const inFlight of settings.inFlight) {
      if (phase === "bestAvailable+confirm" && !target.bestAvailable) continue;
      const tag = `${target.engine}-${phase.replace(/\W+/g, "-")}-${inFlight}`;
      const eventId = await events.create(`HTTP bench ${tag}`, settings.seats);
      const agent = createAgent(inFlight);
      const context: BuyContext = { agent, baseUrl: target.baseUrl, sign: target.sign, eventId, tag };
      planned.push({ phase, inFlight, context });
      await warmUp(context);
    }
  return planned;
}

async function runPhase(
  planned: PlannedPhase,
  settings: PhaseSettings,
  counter: TransactionCounter,
  before: Transactions,
): Promise<{ result: PhaseResult; after: Transactions }> {
  const { phase, inFlight, context } = planned;
  const operation = operationFor(phase, context, settings.seats, inFlight);
  const summary = await runClosedLoop({ inFlight, durationMs: settings.durationMs, operation });
  context.agent.destroy();
  const after = await counter.read();
  const { confirm, reserve } = summary.steps;
  const result: PhaseResult = {
    inFlight,
    ...summary,
    ...perOperation(before, after, summary.ops),
    confirmToReserveP50:
      confirm && reserve ? Number((confirm.p50Ms / Math.max(reserve.p50Ms, 0.1)).toFixed(2)) : null,
  };
  settings.log(
    `${context.tag}: ${result.opsPerSec} ops/s, p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms, ` +
      `${result.pgTransactionsPerOp} pg transactions/op, failures ${JSON.stringify(result.failures)}`,
  );
  return { result, after };
}

async function audit(databaseUrl: string, log: (message: string) => void) {
  const client = new pg.Client({ connectionString: databaseUrl, statement_timeout: 120_000 });
  await client.connect();
  try {
    const report = await auditDatabase(client);
    log(formatAudit(report));
    const violations = report.checks.reduce((sum, check) => sum + check.violations, 0);
    return { ok: report.ok, violations, bookings: report.bookings, payments: report.payments };
  } finally {
    await client.end();
  }
}

export async function runEnginePhases(target: EngineTarget, settings: PhaseSettings): Promise<EngineResult> {
  const adminAgent = createAgent(4);
  const counter = await TransactionCounter.connect(target.databaseUrl, settings.pgStatSettleMs);
  const planned: PlannedPhase[] = [];
  try {
    const events = await eventMaker(adminAgent, target.baseUrl, target.sign("bench-admin", "admin"));
    planned.push(...(await planPhases(target, settings, events)));
    const phases = Object.fromEntries(
      buyPhases.map((phase) => [phase, Object.fromEntries(settings.inFlight.map((level) => [level, null]))]),
    ) as EngineResult["phases"];
    // One settled reading between two phases: the end of one is the start of the next.
    let reading = await counter.read();
    for (const phase of planned) {
      const { result, after } = await runPhase(phase, settings, counter, reading);
      phases[phase.phase][phase.inFlight] = result;
      reading = after;
    }
    const idleStartedAt = performance.now();
    const idle = await counter.read();
    const idleSeconds = (performance.now() - idleStartedAt) / 1000;
    return {
      engine: target.engine,
      idlePgCommitsPerSecond: Number(((idle.commits - reading.commits) / idleSeconds).toFixed(1)),
      phases,
      audit: await audit(target.databaseUrl, settings.log),
    };
  } finally {
    for (const phase of planned) phase.context.agent.destroy();
    adminAgent.destroy();
    await counter.close();
  }
}
