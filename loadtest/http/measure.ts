// The HTTP benchmark's measurements, one engine at a time (each on a node and database of its own,
// started and stopped by the caller's `start`): Marquee's buy phases, the waiting-room join phase and
// the trivial route against a bare server; then the classic baseline's buy phases through the same
// gateway; the ratio of each phase (Marquee's ops/s over the baseline's).
import { createAgent } from "../seat-map/http-load.ts";
import { eventMaker } from "../seat-map/bench-event.ts";
import { buyPhases, type BuyPhase } from "./buy-operations.ts";
import {
  runEnginePhases,
  type EngineResult,
  type EngineTarget,
  type PhaseSettings,
} from "./engine-phases.ts";
import { trivialRoute, waitingRoomJoins, type CannonSummary } from "./side-phases.ts";

export interface RunningEngine {
  target: EngineTarget;
  stop(): Promise<void>;
}

export interface MeasureOptions extends PhaseSettings {
  /** Starts Marquee's node, then (after it stopped) the classic baseline's. */
  startMarquee(): Promise<RunningEngine>;
  startClassic(): Promise<RunningEngine>;
  /** Connections of the join and trivial-route phases. */
  connections: number;
}

export interface HttpMeasurements {
  engines: { marquee: EngineResult; classic: EngineResult };
  /** Marquee's ops/s over the classic baseline's, by phase and requests in flight. */
  ratios: Record<BuyPhase, Record<string, number | null>>;
  waitingRoomJoin: CannonSummary & { connections: number };
  trivialRoute: { gateway: CannonSummary; bare: CannonSummary; ratio: number; connections: number };
  auditOk: boolean;
}

async function sidePhases(target: EngineTarget, options: MeasureOptions) {
  const agent = createAgent(2);
  try {
    const events = await eventMaker(agent, target.baseUrl, target.sign("bench-admin", "admin"));
    const eventId = await events.create("HTTP bench waiting room", options.seats, { waitingRoom: true });
    const settings = { connections: options.connections, durationMs: options.durationMs };
    const joins = await waitingRoomJoins(target.baseUrl, eventId, target.sign, settings);
    options.log(
      `waiting-room joins x${options.connections}: ${joins.requestsPerSec}/s, p50 ${joins.p50Ms} ms, p99 ${joins.p99Ms} ms, failures ${joins.failures}`,
    );
    const trivial = await trivialRoute(target.baseUrl, settings);
    options.log(
      `GET /health/live x${options.connections}: gateway ${trivial.gateway.requestsPerSec}/s, bare node:http ${trivial.bare.requestsPerSec}/s (ratio ${trivial.ratio})`,
    );
    return {
      waitingRoomJoin: { ...joins, connections: options.connections },
      trivialRoute: { ...trivial, connections: options.connections },
    };
  } finally {
    agent.destroy();
  }
}

async function withEngine<T>(
  start: () => Promise<RunningEngine>,
  work: (target: EngineTarget) => Promise<T>,
) {
  const running = await start();
  try {
    return await work(running.target);
  } finally {
    await running.stop();
  }
}

function ratios(marquee: EngineResult, classic: EngineResult): HttpMeasurements["ratios"] {
  const byPhase = {} as HttpMeasurements["ratios"];
  for (const phase of buyPhases) {
    byPhase[phase] = {};
    for (const [inFlight, result] of Object.entries(marquee.phases[phase])) {
      const baseline = classic.phases[phase][inFlight];
      byPhase[phase][inFlight] =
        result && baseline ? Number((result.opsPerSec / Math.max(baseline.opsPerSec, 0.1)).toFixed(2)) : null;
    }
  }
  return byPhase;
}

export async function measureHttp(options: MeasureOptions): Promise<HttpMeasurements> {
  const { marquee, side } = await withEngine(options.startMarquee, async (target) => ({
    marquee: await runEnginePhases(target, options),
    side: await sidePhases(target, options),
  }));
  const classic = await withEngine(options.startClassic, (target) => runEnginePhases(target, options));
  const byPhase = ratios(marquee, classic);
  for (const phase of buyPhases)
    for (const [inFlight, result] of Object.entries(marquee.phases[phase]))
      if (result) result.ratio = byPhase[phase][inFlight];
  return {
    engines: { marquee, classic },
    ratios: byPhase,
    ...side,
    auditOk: marquee.audit.ok && classic.audit.ok,
  };
}
