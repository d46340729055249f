// A closed-loop load driver: `inFlight` loops, each starting its next operation as soon as the last
// one is answered, until the phase's time is up or the operations say there is nothing left (seats
// sold out). An operation is one or more HTTP requests (a reserve and its confirm); its latency and
// the latency of each request (a step) are recorded. Throughput counts the operations finished
// inside the window, so the drain of the last in-flight ones after the deadline is not counted.
import { percentile } from "../seat-map/http-load.ts";

/** What an operation ended as: done, failed (the reason is recorded), or nothing left to do. */
export type Outcome = "ok" | "exhausted" | { failed: string };

export interface Steps {
  /** Records the latency of one request of the operation. */
  step(name: string, startedAt: number): void;
}

export type Operation = (index: number, steps: Steps) => Promise<Outcome>;

export interface LoopOptions {
  inFlight: number;
  durationMs: number;
  operation: Operation;
}

export interface Latency {
  p50Ms: number;
  p99Ms: number;
}

export interface LoopSummary extends Latency {
  ops: number;
  opsPerSec: number;
  windowMs: number;
  /** The operations stopped before the deadline: nothing was left (every seat sold). */
  exhausted: boolean;
  failures: Record<string, number>;
  steps: Record<string, Latency & { count: number }>;
}

class Recorder implements Steps {
  readonly latencies: number[] = [];
  readonly steps = new Map<string, number[]>();
  readonly failures: Record<string, number> = {};
  inWindow = 0;

  step(name: string, startedAt: number): void {
    const list = this.steps.get(name) ?? [];
    if (list.length === 0) this.steps.set(name, list);
    list.push(performance.now() - startedAt);
  }

  fail(reason: string): void {
    this.failures[reason] = (this.failures[reason] ?? 0) + 1;
  }
}

const latency = (values: number[]): Latency => ({
  p50Ms: percentile(values, 50),
  p99Ms: percentile(values, 99),
});

export async function runClosedLoop(options: LoopOptions): Promise<LoopSummary> {
  const recorder = new Recorder();
  const startedAt = performance.now();
  const deadline = startedAt + options.durationMs;
  let exhaustedAt: number | null = null;
  let next = 0;
  const loop = async () => {
    while (exhaustedAt === null && performance.now() < deadline) {
      const opStartedAt = performance.now();
      const outcome = await options
        .operation(next++, recorder)
        .catch((error: Error): Outcome => ({ failed: `error: ${error.message.slice(0, 60)}` }));
      const finishedAt = performance.now();
      if (outcome === "exhausted") exhaustedAt ??= finishedAt;
      else if (outcome !== "ok") recorder.fail(outcome.failed);
      else {
        recorder.latencies.push(finishedAt - opStartedAt);
        if (finishedAt <= deadline) recorder.inWindow++;
      }
    }
  };
  await Promise.all(Array.from({ length: options.inFlight }, loop));
  const windowMs = Math.max(1, Math.min(deadline, exhaustedAt ?? deadline) - startedAt);
  const steps: LoopSummary["steps"] = {};
  for (const [name, values] of recorder.steps) steps[name] = { count: values.length, ...latency(values) };
  return {
    ops: recorder.latencies.length,
    opsPerSec: Number(((recorder.inWindow * 1000) / windowMs).toFixed(1)),
    windowMs: Math.round(windowMs),
    exhausted: exhaustedAt !== null,
    ...latency(recorder.latencies),
    failures: recorder.failures,
    steps,
  };
}
