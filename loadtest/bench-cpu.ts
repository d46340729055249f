// CPU spent by a benchmark: this process (all threads) and the Postgres backends serving its
// database (read from /proc: Linux, Postgres on this machine).
import { readFile } from "node:fs/promises";
import pg from "pg";

export interface CpuSnapshot {
  process: NodeJS.CpuUsage;
  /** Postgres backend pid -> CPU ms, read from /proc (Linux). */
  backends: Map<number, number>;
}

const clockTicksPerSecond = 100; // Linux USER_HZ

/** CPU of this process and of the Postgres backends serving the database at `databaseUrl`. */
export async function cpuSnapshot(databaseUrl: string): Promise<CpuSnapshot> {
  const backends = new Map<number, number>();
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query(
      "SELECT pid FROM pg_stat_activity WHERE datname = current_database()",
    );
    for (const { pid } of rows) {
      try {
        const fields = (await readFile(`/proc/${pid}/stat`, "utf8")).split(") ")[1].split(" ");
        backends.set(pid, ((Number(fields[11]) + Number(fields[12])) * 1_000) / clockTicksPerSecond);
      } catch {
        /* not on this machine, or gone */
      }
    }
  } finally {
    await client.end();
  }
  return { process: process.cpuUsage(), backends };
}

export function cpuSpentMs(
  before: CpuSnapshot,
  after: CpuSnapshot,
): { processMs: number; postgresMs: number } {
  const processUsage = process.cpuUsage(before.process);
  let postgresMs = 0;
  for (const [pid, ms] of after.backends) postgresMs += ms - (before.backends.get(pid) ?? 0);
  return { processMs: (processUsage.user + processUsage.system) / 1_000, postgresMs };
}

export const percentile = (sorted: Float64Array, fraction: number): number =>
  sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))];
