// The scale benchmark's fixed load, run once per table size against a running node (over HTTP):
//   - activation of a 50,000-seat event: the first reserve of a freshly created event (its actor
//     activates: the fencing epoch and the one-query load of its seats) against the next reserve, and
//     the activation query itself (actors/booking/persistence/activation.ts) on a bulk-loaded event
//     with 40% of its seats booked;
//   - reserve+confirm at `inFlight` through HTTP (loadtest/http/: a fresh buyer per purchase);
//   - the compact and the full seat map of that event, `readers` readers flat out;
//   - a search, `readers` clients flat out, every query another one (the cache does not answer).
import type http from "node:http";
import { createPool } from "../../platform/database.ts";
import { activate } from "../../actors/booking/persistence/activation.ts";
import { reserveConfirm, SeatPool, type BuyContext } from "../http/buy-operations.ts";
import { runClosedLoop, type LoopSummary } from "../http/driver.ts";
import type { Signer } from "../http/tokens.ts";
import { eventMaker } from "../seat-map/bench-event.ts";
import {
  createAgent,
  percentile,
  PhaseRecorder,
  request,
  runReaders,
  type LoadSummary,
} from "../seat-map/http-load.ts";
import { bulkEventId } from "./bulk-load.ts";

export interface ScaleTarget {
  baseUrl: string;
  databaseUrl: string;
  sign: Signer;
}

export interface FixedLoadSettings {
  seatsPerEvent: number;
  inFlight: number;
  /** The reserve+confirm phase. */
  durationMs: number;
  /** Each read phase (compact map, full map, search). */
  readMs: number;
  readers: number;
  /** Times the activation query runs on the loaded event (the median is kept). */
  activationRepeats: number;
  log(message: string): void;
}

export interface ActivationFigures {
  /** First reserve of a fresh event (activation + one reserve) and the reserve after it. */
  firstReserveMs: number;
  nextReserveMs: number;
  /** The activation query on a bulk event with `loadedBookedSeats` seats booked: median, max. */
  loadedQueryMedianMs: number;
  loadedQueryMaxMs: number;
  loadedEventId: string;
  loadedBookedSeats: number;
}

export interface FixedLoadFigures {
  eventId: string;
  activation: ActivationFigures;
  reserveConfirm: LoopSummary & { inFlight: number };
  seatMap: { compact: LoadSummary; full: LoadSummary };
  search: LoadSummary;
}

const round = (value: number) => Number(value.toFixed(1));

async function reserveMs(agent: http.Agent, target: ScaleTarget, eventId: string, buyer: string) {
  const authorization = target.sign(buyer);
  const ticketIds = [`${eventId}.0`];
  const startedAt = performance.now();
  const reserved = await request(agent, `${target.baseUrl}/booking/reserve`, {
    method: "POST",
    headers: { authorization },
    body: { ticketIds },
  });
  const took = performance.now() - startedAt;
  if (reserved.status !== 200) throw new Error(`reserve: ${reserved.status} ${reserved.body.toString()}`);
  const released = await request(agent, `${target.baseUrl}/booking/release`, {
    method: "POST",
    headers: { authorization },
    body: { ticketIds },
  });
  if (released.status !== 200) throw new Error(`release: ${released.status} ${released.body.toString()}`);
  return round(took);
}

/** The activation query on the last bulk event (no actor owns it: the node never saw a command for it). */
async function loadedActivation(target: ScaleTarget, settings: FixedLoadSettings, bulkEvents: number) {
  const pool = createPool(target.databaseUrl, { max: 1 });
  const eventId = bulkEventId(bulkEvents);
  try {
    const took: number[] = [];
    let booked = 0;
    for (let round = 0; round < settings.activationRepeats; round++) {
      const startedAt = performance.now();
      const activation = await activate(pool, eventId, "bench-scale");
      took.push(performance.now() - startedAt);
      if (!activation) throw new Error(`activation of ${eventId}: no such event`);
      booked = activation.loaded.bookedOrdinals.length;
    }
    return {
      loadedQueryMedianMs: percentile(took, 50),
      loadedQueryMaxMs: round(Math.max(...took)),
      loadedEventId: eventId,
      loadedBookedSeats: booked,
    };
  } finally {
    await pool.end();
  }
}

async function readPhase(agent: http.Agent, url: string, encodings: string, settings: FixedLoadSettings) {
  const recorder = new PhaseRecorder();
  const startedAt = Date.now();
  await runReaders(
    {
      agent,
      url,
      headers: { "accept-encoding": encodings },
      readers: settings.readers,
      until: startedAt + settings.readMs,
    },
    recorder,
  );
  return recorder.summary(Date.now() - startedAt);
}

/** Searches for the bulk events, each query another day window and page (so none is a cache hit). */
async function searchPhase(agent: http.Agent, target: ScaleTarget, settings: FixedLoadSettings) {
  const recorder = new PhaseRecorder();
  const until = Date.now() + settings.readMs;
  const startedAt = Date.now();
  let next = 0;
  const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
  await Promise.all(
    Array.from({ length: settings.readers }, async () => {
      while (Date.now() < until) {
        const index = next++;
        const from = 1 + (index % 700);
        const query = `term=scale&from=${day(from)}&to=${day(from + 7)}&offset=${20 * (Math.floor(index / 700) % 5)}`;
        const queryStartedAt = performance.now();
        const answer = await request(agent, `${target.baseUrl}/events/search?${query}`).catch(() => null);
        recorder.record(queryStartedAt, answer);
      }
    }),
  );
  return recorder.summary(Date.now() - startedAt);
}

/** Runs the fixed load once; `bulkEvents` names the last bulk event (its activation is measured). */
export async function runFixedLoad(
  target: ScaleTarget,
  settings: FixedLoadSettings,
  bulkEvents: number,
  tag: string,
): Promise<FixedLoadFigures> {
  const agent = createAgent(settings.inFlight + settings.readers + 4);
  try {
    const events = await eventMaker(agent, target.baseUrl, target.sign("bench-admin", "admin"));
    const eventId = await events.create(`Scale bench ${tag}`, settings.seatsPerEvent);
    const firstReserveMs = await reserveMs(agent, target, eventId, `first-${tag}`);
    const nextReserveMs = await reserveMs(agent, target, eventId, `next-${tag}`);
    const activation = {
      firstReserveMs,
      nextReserveMs,
      ...(await loadedActivation(target, settings, bulkEvents)),
    };
    settings.log(`  activation: ${JSON.stringify(activation)}`);
    const context: BuyContext = { agent, baseUrl: target.baseUrl, sign: target.sign, eventId, tag };
    const summary = await runClosedLoop({
      inFlight: settings.inFlight,
      durationMs: settings.durationMs,
      operation: reserveConfirm(context, new SeatPool(settings.seatsPerEvent)),
    });
    const reserveConfirmFigures = { inFlight: settings.inFlight, ...summary };
    settings.log(
      `  reserve+confirm x${settings.inFlight}: ${summary.opsPerSec} ops/s, p50 ${summary.p50Ms} ms, p99 ${summary.p99Ms} ms, failures ${JSON.stringify(summary.failures)}`,
    );
    const mapUrl = `${target.baseUrl}/events/${eventId}/tickets`;
    const compact = await readPhase(agent, `${mapUrl}?format=compact`, "gzip, deflate, br", settings);
    const full = await readPhase(agent, mapUrl, "gzip", settings);
    settings.log(
      `  seat map x${settings.readers}: compact ${compact.perSecond}/s (p99 ${compact.p99Ms} ms), full ${full.perSecond}/s (p99 ${full.p99Ms} ms)`,
    );
    const search = await searchPhase(agent, target, settings);
    settings.log(
      `  search x${settings.readers}: ${search.perSecond}/s, p50 ${search.p50Ms} ms, p99 ${search.p99Ms} ms`,
    );
    return { eventId, activation, reserveConfirm: reserveConfirmFigures, seatMap: { compact, full }, search };
  } finally {
    agent.destroy();
  }
}
