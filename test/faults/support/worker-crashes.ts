// Worker crashes in a fault cluster. The crash counter (marquee_actor_worker_crashes_total) lives in
// each actor node's registry, and the gateway's GET /metrics shows only its own; so the nodes' logs
// are read too: every line in which the actor pool reports a worker stopped or exited, or a worker
// reports a command that threw while it was decided (contained and quarantined: the worker serves
// on, but it is a crash all the same). Read incrementally (only what was appended since).
import { open, readdir } from "node:fs/promises";
import path from "node:path";
import { combinedCrashWatch, metricCrashWatch, type CrashWatch } from "../../support/fuzz/checks.ts";
import type { FaultCluster } from "./fault-cluster.ts";

/** A line of the actor pool's log about a worker that stopped or failed on a command. */
export const crashLogLine =
  /actor worker \d+ (STOPPED|exited with code|ended while deciding)|command of \S+ threw|quarantin/i;

/** Counts crash lines in every node log of `directory` (cumulative; grows with each crash). */
export function logCrashWatch(directory: string, pattern: RegExp = crashLogLine): CrashWatch {
  const files = new Map<string, { offset: number; count: number; partial: string }>();
  let total = 0;
  return {
    async crashes() {
      for (const name of await readdir(directory)) {
        const file = files.get(name) ?? { offset: 0, count: 0, partial: "" };
        files.set(name, file);
        const handle = await open(path.join(directory, name), "r");
        try {
          const { size } = await handle.stat();
          if (size <= file.offset) continue;
          const buffer = Buffer.alloc(size - file.offset);
          await handle.read(buffer, 0, buffer.length, file.offset);
          file.offset = size;
          const lines = (file.partial + buffer.toString("utf8")).split("\n");
          file.partial = lines.pop() ?? "";
          file.count += lines.filter((line) => pattern.test(line)).length;
        } finally {
          await handle.close();
        }
      }
      total = [...files.values()].reduce((sum, file) => sum + file.count, 0);
      return total;
    },
    describe: () => `node logs (${total} crash lines)`,
  };
}

/** The crash watch of a fault cluster: the gateway's metric, the nodes' logs, the processes. */
export function clusterCrashWatch(faults: FaultCluster): CrashWatch {
  const processes: CrashWatch = {
    crashes: async () => 0,
    down: () =>
      faults.cluster.nodes
        .filter((node) => node.process.exitCode !== null || node.process.signalCode !== null)
        .map((node) => node.spec.name),
    describe: () => "processes",
  };
  return combinedCrashWatch([
    metricCrashWatch(faults.baseUrl),
    logCrashWatch(faults.logDirectory),
    processes,
  ]);
}
