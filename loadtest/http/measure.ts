// The HTTP benchmark's measurements, one engine at a time (each on a node and database of its own,
// started and stopped by the caller's `start`): Marquee's buy phases, the waiting-room join phase (at
// each number of requests in flight) and the trivial route against a bare server; then the classic
// baseline's buy phases through the same gateway; the ratio of each phase (Marquee's ops/s over the
// baseline's). `parts` picks a part of it (the classic engine runs only with the buy phases).
import { createAgent, request } from "../seat-map/http-load.ts";
import { eventMaker } from "../seat-map/bench-event.ts";
import { buyPhases, type BuyPhase } from "./buy-operations.ts";
import {
  runEnginePhases,
  type EngineResult,
  type EngineTarget,
  type PhaseSettings,
} from "./engine-phases.ts";
import { trivialRoute, waitingRoomJoins, type CannonSummary } from "./side-phases.ts";

/** The parts of the benchmark: buy phases (both engines), waiting-room joins, the trivial route. */
export const benchParts = ["buy", "join", "trivial"] as const;
export type BenchPart = (typeof benchParts)[number];

export interface RunningEngine {
  target: EngineTarget;
  stop(): Promise<void>;
}

export interface MeasureOptions extends PhaseSettings {
  /** Starts Marquee's node, then (after it stopped) the classic baseline's. */
  startMarquee(): Promise<RunningEngine>;
  startClassic(): Promise<RunningEngine>;
  /** Connections of the trivial-route phase (the join phase runs at each of `inFlight`). */
  connections: number;
  /** The parts to run; default all. */
  parts?: readonly BenchPart[];
}

export type JoinResult = CannonSummary & { inFlight: number };

export interface HttpMeasurements {
  parts: BenchPart[];
  /** null when the buy phases did not run. */
  engines: { marquee: EngineResult; classic: EngineResult } | null;
  /** Marquee's ops/s over the classic baseline's, by phase and requests in flight. */
  ratios: Record<BuyPhase, Record<string, number | null>> | null;
  /** Joins of distinct users to one event's waiting room, by requests in flight. */
  waitingRoomJoins: Record<string, JoinResult> | null;
  trivialRoute: { gateway: CannonSummary; bare: CannonSummary; ratio: number; connections: number } | null;
  auditOk: boolean;
}

/** One join before the clock starts: the event's settings cached, its waiting-room actor running. */
async function warmUpJoin(target: EngineTarget, eventId: string): Promise<void> {
  const agent = createAgent(1);
  try {
    const answer = await request(agent, `${target.baseUrl}/events/${eventId}/queue`, {
      method: "POST",
      headers: { authorization: target.sign(`joiner-warm-${eventId}`) },
    });
    if (answer.status !== 200) throw new Error(`warm-up join: ${answer.status} ${answer.body.toString()}`);
  } finally {
    agent.destroy();
  }
}

async function joinPhases(
  target: EngineTarget,
  options: MeasureOptions,
): Promise<Record<string, JoinResult>> {
  const agent = createAgent(2);
  try {
    const events = await eventMaker(agent, target.baseUrl, target.sign("bench-admin", "admin"));
    // One hot event: every level's joiners join the same line (new users each, by the level's tag).
    const eventId = await events.create("HTTP bench waiting room", options.seats, { waitingRoom: true });
    await warmUpJoin(target, eventId);
    const joins: Record<string, JoinResult> = {};
    for (const inFlight of options.inFlight) {
      const settings = {
        connections: inFlight,
        durationMs: options.durationMs,
        tag: `${eventId}-${inFlight}`,
      };
      const result = await waitingRoomJoins(target.baseUrl, eventId, target.sign, settings);
      options.log(
        `waiting-room joins x${inFlight}: ${result.requestsPerSec}/s, p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms, failures ${result.failures}`,
      );
      joins[inFlight] = { ...result, inFlight };
    }
    return joins;
  } finally {
    agent.destroy();
  }
}

async function trivialPhase(target: EngineTarget, options: MeasureOptions) {
  const settings = { connections: options.connections, durationMs: options.durationMs };
  const trivial = await trivialRoute(target.baseUrl, settings);
  options.log(
    `GET /health/live x${options.connections}: gateway ${trivial.gateway.requestsPerSec}/s, bare node:http ${trivial.bare.requestsPerSec}/s (ratio ${trivial.ratio})`,
  );
  return { ...trivial, connections: options.connections };
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

type Ratios = NonNullable<HttpMeasurements["ratios"]>;

function ratios(marquee: EngineResult, classic: EngineResult): Ratios {
  const byPhase = {} as Ratios;
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
  const parts = benchParts.filter((part) => (options.parts ?? benchParts).includes(part));
  const { marquee, joins, trivial } = await withEngine(options.startMarquee, async (target) => ({
    marquee: parts.includes("buy") ? await runEnginePhases(target, options) : null,
    joins: parts.includes("join") ? await joinPhases(target, options) : null,
    trivial: parts.includes("trivial") ? await trivialPhase(target, options) : null,
  }));
  if (!marquee)
    return {
      parts,
      engines: null,
      ratios: null,
      waitingRoomJoins: joins,
      trivialRoute: trivial,
      auditOk: true,
    };
  const classic = await withEngine(options.startClassic, (target) => runEnginePhases(target, options));
  const byPhase = ratios(marquee, classic);
  for (const phase of buyPhases)
    for (const [inFlight, result] of Object.entries(marquee.phases[phase]))
      if (result) result.ratio = byPhase[phase][inFlight];
  return {
    parts,
    engines: { marquee, classic },
    ratios: byPhase,
    waitingRoomJoins: joins,
    trivialRoute: trivial,
    auditOk: marquee.audit.ok && classic.audit.ok,
  };
}
