// `npm run bench:booking`: durable seat changes per second under contention, engine level (Moleculer
// calls, no HTTP), against the classic baseline (Redis SET NX EX hold lock + one Postgres transaction
// per request) on the same machine in the same run. Not a test: it prints figures and writes
// loadtest/results/booking.json.
//
// Workload (both sides): BENCH_CLIENTS virtual users, each in a loop: reserve 1-4 random seats of one
// of BENCH_EVENTS events (BENCH_SEATS seats each); when granted, release them. Every granted seat and
// every released seat is one durable seat change (acknowledged only after its commit). Conflicts
// (409) are part of the load: many users want the same seats.
//
// Then best available (loadtest/best-available-load.ts): one event of BENCH_BEST_AVAILABLE_SEATS seats
// (100,000) sold from empty to sold out by BENCH_BEST_AVAILABLE_CLIENTS users asking for 2-4 seats
// side by side: holds per second and the choice time inside the actor, under `bestAvailable`.
// BENCH_BEST_AVAILABLE=false skips that phase; BENCH_BEST_AVAILABLE_ONLY=true runs only it. The
// results file is merged: keys of a phase that did not run are kept from the previous run.
import { mkdir, readFile, writeFile } from "node:fs/promises";
import os from "node:os";
import { randomBytes } from "node:crypto";
import pg from "pg";
import { loadConfig } from "../platform/config.ts";
import { startNode, type MarqueeNode } from "../node.ts";
import { createRedis } from "../platform/redis.ts";
import { createPool } from "../platform/database.ts";
import { stableHash } from "../actors/booking/actor-pool.ts";
import { auditDatabase, formatAudit } from "./audit.ts";
import {
  bestAvailableDecideMetric,
  createStadiumEvent,
  sellOutByBestAvailable,
} from "./best-available-load.ts";
import {
  classicPoolSize,
  createClassicBooking,
  prepareClassicSchema,
  seedClassicEvent,
} from "./classic/bench-baseline.ts";
import {
  drive,
  noFigures,
  type ContentionWorkload,
  type Figures,
  type Operations,
} from "./bench-contention.ts";
import { cpuSnapshot, cpuSpentMs, percentile } from "./bench-cpu.ts";
import { hasErrorCode } from "../domain/errors.ts";

const seconds = Number(process.env.BENCH_SECONDS ?? 6);
const warmupSeconds = Number(process.env.BENCH_WARMUP_SECONDS ?? 2);
const clients = Number(process.env.BENCH_CLIENTS ?? 2_000);
const seatsPerEvent = Number(process.env.BENCH_SEATS ?? 2_500);
const eventCount = Number(process.env.BENCH_EVENTS ?? 4);
const seatsPerRequestMax = 4;
const workload: ContentionWorkload = {
  clients,
  seatsPerEvent,
  events: eventCount,
  seatsPerRequestMax,
  seconds,
  warmupSeconds,
};
const postgresUrl = process.env.BENCH_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432";
const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const bestAvailableSeats = Number(process.env.BENCH_BEST_AVAILABLE_SEATS ?? 100_000);
const bestAvailableClients = Number(process.env.BENCH_BEST_AVAILABLE_CLIENTS ?? 500);
const runId = `${Date.now().toString(36)}_${randomBytes(3).toString("hex")}`;
const databaseUrl = `${postgresUrl}/marquee_bench_${runId}`;

async function createEvents(node: MarqueeNode): Promise<string[][]> {
  const broker = node.broker;
  const meta = { user: { id: "bench-admin", role: "admin" } };
  const venue: any = await broker.call(
    "catalog.createVenue",
    { name: "Bench Arena", city: "Lisbon", country: "PT" },
    { meta },
  );
  const rowsPerEvent = Math.ceil(seatsPerEvent / 50);
  const ticketIds: string[][] = [];
  for (let index = 0; index < eventCount; index++) {
    const created: any = await broker.call(
      "catalog.createEvent",
      {
        name: `Bench Event ${index}`,
        type: "concert",
        venueId: venue.id,
        startsAt: new Date(Date.now() + 30 * 86_400_000).toISOString(),
        onSaleAt: new Date(Date.now() - 60_000).toISOString(),
        sections: [
          {
            name: "Floor",
            priceCents: 5_000,
            rows: Array.from({ length: rowsPerEvent }, (_, row) => ({
              label: String(row + 1),
              seats: Math.min(50, seatsPerEvent - row * 50),
            })),
          },
        ],
      },
      { meta },
    );
    const eventId = created.event.id;
    ticketIds.push(Array.from({ length: seatsPerEvent }, (_, ordinal) => `${eventId}.${ordinal}`));
  }
  return ticketIds;
}

function metricValue(node: MarqueeNode, name: string): { value: number; sum: number; count: number } {
  const metric: any = node.broker.metrics.getMetric(name);
  const snapshot = metric?.get?.() ?? {};
  return { value: snapshot.value ?? 0, sum: snapshot.sum ?? 0, count: snapshot.count ?? 0 };
}

/** A node with the catalog and the booking engine on the bench database. */
function engineConfig() {
  return loadConfig({
    ...process.env,
    DATABASE_URL: databaseUrl,
    PORT: "0",
    SERVICES: "catalog,booking",
    NAMESPACE: `bench_${runId}`,
    REDIS_KEY_PREFIX: `bench:${runId}:`,
    LOG_LEVEL: process.env.LOG_LEVEL ?? "warn",
    DEMO_DATA: "false",
  });
}

async function runEngine(): Promise<
  Figures & { commitsPerSec: number; rowsPerCommit: number; commitMsMean: number; workers: number }
> {
  const config = engineConfig();
  const node = await startNode(config);
  try {
    const ticketIds = await createEvents(node);
    const pinned = ticketIds.map((ids) => stableHash(ids[0].split(".")[0]) % config.workerPoolSize);
    console.log(`engine: events pinned to workers ${JSON.stringify(pinned)}`);
    const broker = node.broker;
    const options = (userId: string) => ({ meta: { user: { id: userId, role: "user" } } });
    const commitsBefore = { value: 0, sum: 0, count: 0 };
    let commitsAtStart = commitsBefore;
    let rowsAtStart = commitsBefore;
    let durationAtStart = commitsBefore;
    const timer = setTimeout(() => {
      commitsAtStart = metricValue(node, "marquee.booking.commits.total");
      rowsAtStart = metricValue(node, "marquee.booking.commit.rows");
      durationAtStart = metricValue(node, "marquee.booking.commit.duration.ms");
    }, warmupSeconds * 1_000);
    const operations: Operations = {
      async reserve(userId, eventIndex, ordinals) {
        try {
          await broker.call(
            "booking.reserve",
            { ticketIds: ordinals.map((ordinal) => ticketIds[eventIndex][ordinal]) },
            options(userId),
          );
          return true;
        } catch (error) {
          if (hasErrorCode(error, "TICKET_UNAVAILABLE") || hasErrorCode(error, "TICKET_LIMIT_REACHED"))
            return false;
          throw error;
        }
      },
      async release(userId, eventIndex, ordinals) {
        const answer: any = await broker.call(
          "booking.release",
          { ticketIds: ordinals.map((ordinal) => ticketIds[eventIndex][ordinal]) },
          options(userId),
        );
        return answer.ticketIds.length;
      },
    };
    const figures = await drive("engine", operations, workload, databaseUrl);
    clearTimeout(timer);
    const commits = metricValue(node, "marquee.booking.commits.total");
    const rows = metricValue(node, "marquee.booking.commit.rows");
    const duration = metricValue(node, "marquee.booking.commit.duration.ms");
    const windowCommits = commits.value - commitsAtStart.value;
    return {
      ...figures,
      // Commits counted to the end of the drain, so slightly over the window: indicative.
      commitsPerSec: Math.round(windowCommits / seconds),
      rowsPerCommit: Number(
        ((rows.sum - rowsAtStart.sum) / Math.max(1, rows.count - rowsAtStart.count)).toFixed(1),
      ),
      commitMsMean: Number(
        ((duration.sum - durationAtStart.sum) / Math.max(1, duration.count - durationAtStart.count)).toFixed(
          1,
        ),
      ),
      workers: config.workerPoolSize,
    };
  } finally {
    await node.stop();
  }
}

interface BestAvailableFigures {
  holdsPerSec: number;
  seatsPerSec: number;
  requestsPerSec: number;
  secondsToSellOut: number;
  holds: number;
  seats: number;
  refused: number;
  errors: number;
  /** decide() of each best-available command inside the actor: the choice and the hold, in microseconds. */
  choiceUs: { p50: number; p99: number; max: number; samples: number };
  /** Client side: Moleculer call to durable hold. */
  requestMs: { p50: number; p99: number };
  /** CPU per hold: this process (all threads) + its Postgres backends, and split. */
  cpuMsPerHold: number;
  processCpuMsPerHold: number;
  postgresCpuMsPerHold: number;
  projectedHoldsPerSecOnIdleCores: number;
  /** Observations in the exposed histogram (marquee.booking.best_available.decide.duration.ms). */
  metricSamples: number;
  workers: number;
}

async function runBestAvailable(): Promise<BestAvailableFigures> {
  const config = engineConfig();
  const node = await startNode(config);
  try {
    const eventId = await createStadiumEvent(node, bestAvailableSeats);
    process.stdout.write(
      `best available: ${bestAvailableSeats} seats, ${bestAvailableClients} clients, empty to sold out ... `,
    );
    const cpuBefore = await cpuSnapshot(databaseUrl);
    const run = await sellOutByBestAvailable(node, eventId, bestAvailableClients);
    const cpuMs = cpuSpentMs(cpuBefore, await cpuSnapshot(databaseUrl));
    console.log("done");
    // Sold out, durably: one hold row per seat, and the database invariants hold.
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      const { rows } = await client.query(`SELECT count(*)::int AS held FROM holds WHERE event_id = $1`, [
        eventId,
      ]);
      if (rows[0].held !== bestAvailableSeats || run.seats !== bestAvailableSeats)
        throw new Error(`not sold out: ${run.seats} seats answered, ${rows[0].held} hold rows`);
      const audit = await auditDatabase(client, eventId);
      if (!audit.ok) throw new Error(formatAudit(audit));
    } finally {
      await client.end();
    }
    const cpuMsPerHold = (cpuMs.processMs + cpuMs.postgresMs) / Math.max(1, run.holds);
    const micro = (ms: number) => Number((ms * 1_000).toFixed(1));
    return {
      holdsPerSec: Math.round(run.holds / run.elapsedSeconds),
      seatsPerSec: Math.round(run.seats / run.elapsedSeconds),
      requestsPerSec: Math.round(run.requestMs.length / run.elapsedSeconds),
      secondsToSellOut: Number(run.elapsedSeconds.toFixed(2)),
      holds: run.holds,
      seats: run.seats,
      refused: run.refused,
      errors: run.errors,
      choiceUs: {
        p50: micro(percentile(run.choiceMs, 0.5)),
        p99: micro(percentile(run.choiceMs, 0.99)),
        max: micro(run.choiceMs[run.choiceMs.length - 1] ?? 0),
        samples: run.choiceMs.length,
      },
      requestMs: {
        p50: Number(percentile(run.requestMs, 0.5).toFixed(2)),
        p99: Number(percentile(run.requestMs, 0.99).toFixed(2)),
      },
      cpuMsPerHold: Number(cpuMsPerHold.toFixed(4)),
      processCpuMsPerHold: Number((cpuMs.processMs / Math.max(1, run.holds)).toFixed(4)),
      postgresCpuMsPerHold: Number((cpuMs.postgresMs / Math.max(1, run.holds)).toFixed(4)),
      projectedHoldsPerSecOnIdleCores: Math.round((os.availableParallelism() * 1_000) / cpuMsPerHold),
      metricSamples: metricValue(node, bestAvailableDecideMetric).count,
      workers: config.workerPoolSize,
    };
  } finally {
    await node.stop();
  }
}

async function runBaseline(): Promise<Figures & { poolSize: number }> {
  const admin = createPool(databaseUrl, { max: 2 });
  const redis = createRedis(redisUrl, `bench:${runId}:`);
  await prepareClassicSchema(admin);
  const eventIds = Array.from({ length: eventCount }, (_, index) => `classic_${index}`);
  for (const eventId of eventIds) await seedClassicEvent(admin, eventId, seatsPerEvent);
  await admin.end();
  await new Promise((resolve) => setTimeout(resolve, 200)); // redis connects
  const classic = createClassicBooking(databaseUrl, redis);
  try {
    const operations: Operations = {
      reserve: (userId, eventIndex, ordinals) => classic.reserve(userId, eventIds[eventIndex], ordinals),
      release: (userId, eventIndex, ordinals) => classic.release(userId, eventIds[eventIndex], ordinals),
    };
    const figures = await drive("baseline", operations, workload, databaseUrl);
    return { ...figures, poolSize: classicPoolSize() };
  } finally {
    await classic.close();
    const keys = await redis.keys(`bench:${runId}:*`).catch(() => [] as string[]);
    if (keys.length > 0) await redis.del(...keys.map((key) => key.slice(`bench:${runId}:`.length)));
    redis.disconnect();
  }
}

async function dropBenchDatabase(): Promise<void> {
  const client = new pg.Client({ connectionString: `${postgresUrl}/postgres` });
  await client.connect();
  await client.query(`DROP DATABASE IF EXISTS "marquee_bench_${runId}" WITH (FORCE)`).catch(() => {});
  await client.end();
}

const machine = () => ({
  cores: os.availableParallelism(),
  node: process.version,
  nodeOptions: process.env.NODE_OPTIONS ?? "",
  loadAverage: os.loadavg(),
});
const loadAverage = () =>
  os
    .loadavg()
    .map((value) => value.toFixed(1))
    .join(" ");
const resultsUrl = new URL("./results/booking.json", import.meta.url);
let previous: Record<string, unknown> = {};
try {
  previous = JSON.parse(await readFile(resultsUrl, "utf8"));
} catch {
  /* no earlier results */
}
let result: Record<string, unknown> = { ...previous };

/** The engine against the classic baseline: the keys `engine`, `baseline`, `ratio`, `workload`... */
async function engineVersusBaseline() {
  const engine = await runEngine();
  // BENCH_ENGINE_ONLY=true skips the baseline (profiling the engine).
  const baseline =
    process.env.BENCH_ENGINE_ONLY === "true" ? { ...noFigures(), poolSize: 0 } : await runBaseline();
  const ratio = Number((engine.seatChangesPerSec / Math.max(1, baseline.seatChangesPerSec)).toFixed(1));
  console.log(
    `engine:   ${engine.seatChangesPerSec} durable seat changes/s (${engine.requestsPerSec} req/s, ` +
      `p50 ${engine.p50Ms} ms, p99 ${engine.p99Ms} ms, ${engine.refusedPct}% refused, ${engine.errors} errors; ` +
      `${engine.commitsPerSec} commits/s, ${engine.rowsPerCommit} rows/commit, ${engine.commitMsMean} ms/commit, ` +
      `${engine.workers} workers)`,
  );
  console.log(
    `baseline: ${baseline.seatChangesPerSec} durable seat changes/s (${baseline.requestsPerSec} req/s, ` +
      `p50 ${baseline.p50Ms} ms, p99 ${baseline.p99Ms} ms, ${baseline.refusedPct}% refused, ${baseline.errors} errors; ` +
      `pool of ${baseline.poolSize})`,
  );
  console.log(`ratio:    ${ratio}x`);
  console.log(
    `CPU per seat change (process + its Postgres backends): engine ${engine.cpuMsPerSeatChange} ms ` +
      `(${engine.processCpuMsPerSeatChange} + ${engine.postgresCpuMsPerSeatChange}), baseline ` +
      `${baseline.cpuMsPerSeatChange} ms (${baseline.processCpuMsPerSeatChange} + ${baseline.postgresCpuMsPerSeatChange}; Redis not counted); on ${os.availableParallelism()} idle cores that ` +
      `would be ~${engine.projectedSeatChangesPerSecOnIdleCores} vs ~${baseline.projectedSeatChangesPerSecOnIdleCores} ` +
      `changes/s. Load average during the run: ${loadAverage()}`,
  );
  return {
    engine,
    baseline,
    ratio,
    workload,
    machine: machine(),
    at: new Date().toISOString(),
  };
}

try {
  if (process.env.BENCH_BEST_AVAILABLE_ONLY !== "true")
    result = { ...result, ...(await engineVersusBaseline()) };
  if (process.env.BENCH_BEST_AVAILABLE !== "false") {
    const bestAvailable = await runBestAvailable();
    console.log(
      `best available: ${bestAvailable.holdsPerSec} durable holds/s (${bestAvailable.seatsPerSec} seats/s, ` +
        `${bestAvailable.requestsPerSec} req/s; request p50 ${bestAvailable.requestMs.p50} ms, p99 ` +
        `${bestAvailable.requestMs.p99} ms): ${bestAvailable.seats} seats sold out in ${bestAvailable.secondsToSellOut} s ` +
        `by ${bestAvailable.holds} holds, ${bestAvailable.refused} refusals, ${bestAvailable.errors} errors`,
    );
    console.log(
      `  choice inside the actor: p50 ${bestAvailable.choiceUs.p50} us, p99 ${bestAvailable.choiceUs.p99} us, ` +
        `max ${bestAvailable.choiceUs.max} us over ${bestAvailable.choiceUs.samples} choices; CPU per hold ` +
        `${bestAvailable.cpuMsPerHold} ms (${bestAvailable.processCpuMsPerHold} + ${bestAvailable.postgresCpuMsPerHold}), ` +
        `~${bestAvailable.projectedHoldsPerSecOnIdleCores} holds/s on ${os.availableParallelism()} idle cores. ` +
        `Load average: ${loadAverage()}`,
    );
    result.bestAvailable = {
      ...bestAvailable,
      workload: {
        seats: bestAvailableSeats,
        clients: bestAvailableClients,
        quantities: "2-4 side by side (1 in 10 asks for 1), one fewer when nothing fits",
      },
      machine: machine(),
      at: new Date().toISOString(),
    };
  }
} finally {
  await dropBenchDatabase();
}

await mkdir(new URL("./results/", import.meta.url), { recursive: true });
await writeFile(resultsUrl, `${JSON.stringify(result, null, 2)}\n`);
console.log("wrote loadtest/results/booking.json");
process.exit(0);
