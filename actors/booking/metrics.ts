// Booking engine metrics in Moleculer's registry (rendered by the node that runs the actors, at
// /metrics on its HEALTH_PORT or its gateway): group commits, rows and commands per commit, commit
// time, seat changes, fenced-out actors, the time a best-available choice takes inside the actor,
// worker failures and quarantined commands.
import type Moleculer from "moleculer";
import type { CommitStats, WorkerFault, WorkerFaultReason } from "./protocol.ts";
import { metricRegistrar } from "../../platform/metrics.ts";

const names = {
  commits: "marquee.booking.commits.total",
  commitFailures: "marquee.booking.commit.failures.total",
  staleActors: "marquee.booking.actors.fenced.total",
  seatChanges: "marquee.booking.seat.changes.total",
  rowsPerCommit: "marquee.booking.commit.rows",
  commandsPerCommit: "marquee.booking.commit.commands",
  commitDuration: "marquee.booking.commit.duration_seconds",
  bestAvailableDecideDuration: "marquee.booking.best_available.decide.duration_seconds",
  workerCrashes: "marquee.actor.worker.crashes.total",
  quarantinedCommands: "marquee.actor.commands.quarantined.total",
} as const;

const sizeBuckets = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 20_000];
const crashReasons: WorkerFaultReason[] = ["invariant", "exception", "exit"];

export interface BookingMetrics {
  recordCommit(stats: CommitStats): void;
  /** A worker failed a command (an invariant or exception while deciding it, contained) or ended. */
  recordFault(fault: WorkerFault): void;
}

type Registry = Moleculer.ServiceBroker["metrics"];

/** Registers every metric of the booking engine (once per broker). */
function registerMetrics(metrics: Registry): void {
  const register = metricRegistrar(metrics);
  register({ type: "counter", name: names.commits, description: "Group commits of the booking actors" });
  register({ type: "counter", name: names.commitFailures, description: "Group commits that failed" });
  register({ type: "counter", name: names.staleActors, description: "Actors stopped by a newer epoch" });
  register({ type: "counter", name: names.seatChanges, description: "Durable seat status changes" });
  register({
    type: "histogram",
    name: names.rowsPerCommit,
    buckets: sizeBuckets,
    description: "Rows per commit",
  });
  register({
    type: "histogram",
    name: names.commandsPerCommit,
    buckets: sizeBuckets,
    description: "Commands per commit",
  });
  register({
    type: "histogram",
    name: names.commitDuration,
    buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1],
    description: "Group commit time: from the start of the turn's transaction to its commit",
  });
  register({
    type: "histogram",
    name: names.bestAvailableDecideDuration,
    // Choices take microseconds: fine buckets below a millisecond.
    buckets: [2e-6, 5e-6, 1e-5, 2e-5, 5e-5, 1e-4, 2e-4, 5e-4, 0.001, 0.002, 0.005, 0.01, 0.05],
    description: "Time the actor takes to choose and hold seats for one best-available request",
  });
  register({
    type: "counter",
    name: names.workerCrashes,
    labelNames: ["reason"],
    zeroes: crashReasons.map((reason) => ({ reason })),
    description:
      "Actor worker failures: reason invariant or exception (thrown deciding one command: that " +
      "command quarantined, its event reloaded, the worker serving on) or exit (the thread ended)",
  });
  register({
    type: "counter",
    name: names.quarantinedCommands,
    description: "Commands that made a worker fail: answered 500 once and never sent again",
  });
}

export function createBookingMetrics(broker: Moleculer.ServiceBroker): BookingMetrics {
  const metrics = broker.metrics;
  registerMetrics(metrics);
  return {
    recordCommit(stats) {
      // The workers measure in milliseconds; Prometheus's unit is the second.
      for (const durationMs of stats.bestAvailableDecideMs)
        metrics.observe(names.bestAvailableDecideDuration, durationMs / 1_000);
      if (stats.stale > 0) metrics.increment(names.staleActors, undefined, stats.stale);
      if (stats.failed) {
        metrics.increment(names.commitFailures);
        return;
      }
      if (stats.events === 0) return;
      metrics.increment(names.commits);
      metrics.increment(names.seatChanges, undefined, stats.seatChanges);
      metrics.observe(names.rowsPerCommit, stats.rows);
      metrics.observe(names.commandsPerCommit, stats.commands);
      metrics.observe(names.commitDuration, stats.durationMs / 1_000);
    },
    recordFault(fault) {
      metrics.increment(names.workerCrashes, { reason: fault.reason });
      if (fault.quarantined > 0) metrics.increment(names.quarantinedCommands, undefined, fault.quarantined);
    },
  };
}
