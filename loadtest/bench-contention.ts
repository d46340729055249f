// The contention workload of `npm run bench:booking`, the same for both sides: virtual users in a
// loop reserve 1-N random seats of one of the events; when granted, release them. Every granted and
// every released seat is one durable seat change; conflicts (409) are part of the load.
import os from "node:os";
import { seededRandom } from "../domain/random.ts";
import { cpuSnapshot, cpuSpentMs, percentile } from "./bench-cpu.ts";

/** How one side reserves and releases (false: refused; the number of seats released). */
export interface Operations {
  reserve(userId: string, eventIndex: number, ordinals: number[]): Promise<boolean>;
  release(userId: string, eventIndex: number, ordinals: number[]): Promise<number>;
}

export interface ContentionWorkload {
  clients: number;
  seatsPerEvent: number;
  events: number;
  seatsPerRequestMax: number;
  seconds: number;
  warmupSeconds: number;
}

export interface Figures {
  seatChangesPerSec: number;
  /** CPU spent per durable seat change: this process (all threads) + its Postgres backends. */
  cpuMsPerSeatChange: number;
  /** The same, split: Node (gateway-side calls, actors or baseline client) and Postgres. */
  processCpuMsPerSeatChange: number;
  postgresCpuMsPerSeatChange: number;
  /** What 2 otherwise idle cores would sustain at that CPU cost (the machine here is shared). */
  projectedSeatChangesPerSecOnIdleCores: number;
  requestsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  refusedPct: number;
  errors: number;
}

/** The figures of a side that did not run. */
export const noFigures = (): Figures => ({
  seatChangesPerSec: 0,
  cpuMsPerSeatChange: 0,
  processCpuMsPerSeatChange: 0,
  postgresCpuMsPerSeatChange: 0,
  projectedSeatChangesPerSecOnIdleCores: 0,
  requestsPerSec: 0,
  p50Ms: 0,
  p99Ms: 0,
  refusedPct: 0,
  errors: 0,
});

/** What the clients did while measuring (nothing is counted during the warm-up). */
class Tally {
  measuring = false;
  stopping = false;
  changes = 0;
  requests = 0;
  refused = 0;
  reserveAttempts = 0;
  errors = 0;
  private latencies = new Float64Array(1 << 18);
  private latencyCount = 0;

  record(started: number): void {
    if (!this.measuring) return;
    if (this.latencyCount === this.latencies.length) {
      const grown = new Float64Array(this.latencies.length * 2);
      grown.set(this.latencies);
      this.latencies = grown;
    }
    this.latencies[this.latencyCount++] = performance.now() - started;
    this.requests++;
  }

  sortedLatencies(): Float64Array {
    return this.latencies.slice(0, this.latencyCount).sort();
  }
}

async function runClient(index: number, operations: Operations, workload: ContentionWorkload, tally: Tally) {
  const random = seededRandom(index + 1);
  const userId = `bench-${index}`;
  while (!tally.stopping) {
    const eventIndex = Math.floor(random() * workload.events);
    const wanted = new Set<number>();
    const count = 1 + Math.floor(random() * workload.seatsPerRequestMax);
    while (wanted.size < count) wanted.add(Math.floor(random() * workload.seatsPerEvent));
    const ordinals = [...wanted];
    let started = performance.now();
    let granted = false;
    try {
      granted = await operations.reserve(userId, eventIndex, ordinals);
    } catch {
      if (tally.measuring) tally.errors++;
    }
    tally.record(started);
    if (tally.measuring) tally.reserveAttempts++;
    if (!granted) {
      if (tally.measuring) tally.refused++;
      continue;
    }
    if (tally.measuring) tally.changes += ordinals.length;
    started = performance.now();
    try {
      const released = await operations.release(userId, eventIndex, ordinals);
      if (tally.measuring) tally.changes += released;
    } catch {
      if (tally.measuring) tally.errors++;
    }
    tally.record(started);
  }
}

/** Runs the workload against `operations`: warm-up, then measures (CPU from the bench database). */
export async function drive(
  name: string,
  operations: Operations,
  workload: ContentionWorkload,
  databaseUrl: string,
): Promise<Figures> {
  const { clients, seconds, warmupSeconds } = workload;
  const tally = new Tally();
  process.stdout.write(
    `${name}: ${clients} clients, warm-up ${warmupSeconds} s, measuring ${seconds} s ... `,
  );
  const running = Array.from({ length: clients }, (_, index) =>
    runClient(index, operations, workload, tally),
  );
  await new Promise((resolve) => setTimeout(resolve, warmupSeconds * 1_000));
  const cpuBefore = await cpuSnapshot(databaseUrl);
  tally.measuring = true;
  const started = performance.now();
  await new Promise((resolve) => setTimeout(resolve, seconds * 1_000));
  tally.measuring = false;
  const elapsedSeconds = (performance.now() - started) / 1_000;
  const cpuMs = cpuSpentMs(cpuBefore, await cpuSnapshot(databaseUrl));
  tally.stopping = true;
  await Promise.all(running);
  const figures = figuresOf(tally, elapsedSeconds, cpuMs);
  console.log("done");
  return figures;
}

function figuresOf(
  tally: Tally,
  elapsedSeconds: number,
  cpuMs: { processMs: number; postgresMs: number },
): Figures {
  const { changes } = tally;
  const sorted = tally.sortedLatencies();
  const cpuMsPerSeatChange = (cpuMs.processMs + cpuMs.postgresMs) / Math.max(1, changes);
  return {
    seatChangesPerSec: Math.round(changes / elapsedSeconds),
    cpuMsPerSeatChange: Number(cpuMsPerSeatChange.toFixed(4)),
    processCpuMsPerSeatChange: Number((cpuMs.processMs / Math.max(1, changes)).toFixed(4)),
    postgresCpuMsPerSeatChange: Number((cpuMs.postgresMs / Math.max(1, changes)).toFixed(4)),
    projectedSeatChangesPerSecOnIdleCores: Math.round(
      (os.availableParallelism() * 1_000) / cpuMsPerSeatChange,
    ),
    requestsPerSec: Math.round(tally.requests / elapsedSeconds),
    p50Ms: Number(percentile(sorted, 0.5).toFixed(2)),
    p99Ms: Number(percentile(sorted, 0.99).toFixed(2)),
    refusedPct: Number(((tally.refused / Math.max(1, tally.reserveAttempts)) * 100).toFixed(1)),
    errors: tally.errors,
  };
}
