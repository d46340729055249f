// `npm run bench:best-available`: best-available holds per second on one big event (100,000 seats by
// default) from empty to sold out, engine level (Moleculer calls, no HTTP; every hold acknowledged
// only after its group commit), and the time each choice takes inside the actor (decide() of a
// best-available command, measured by the actor host). Not a test: it prints figures and writes them
// into loadtest/results/booking.json under `bestAvailable` (the file's other keys are kept).
//
// Workload: BENCH_CLIENTS virtual users in loops, each request from a new user (so the per-user cap
// never bites): ask for 1-4 seats side by side (mostly 2-4); when nothing of that size fits, ask for
// one fewer; a refusal for one seat with no seat left ends that client: the event is sold out.
import { mkdir, readFile, writeFile } from "node:fs/promises";
import os from "node:os";
import { randomBytes } from "node:crypto";
import pg from "pg";
import { loadConfig } from "../platform/config.ts";
import { startNode, type MarqueeNode } from "../platform/node.ts";
import { bookingTurnLocalEvent } from "../actors/booking.service.ts";
import type { CommitStats } from "../actors/protocol.ts";
import { auditDatabase, formatAudit } from "./audit.ts";

const seatCount = Number(process.env.BENCH_SEATS ?? 100_000);
const clients = Number(process.env.BENCH_CLIENTS ?? 500);
const seatsPerRow = 50;
const rowsPerSection = 500;
const postgresUrl = process.env.BENCH_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432";
const runId = `${Date.now().toString(36)}_${randomBytes(3).toString("hex")}`;
const databaseName = `marquee_bench_best_${runId}`;
const databaseUrl = `${postgresUrl}/${databaseName}`;
const resultsUrl = new URL("./results/booking.json", import.meta.url);

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const percentile = (sorted: Float64Array, fraction: number): number =>
  sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))];
const round = (value: number, digits: number) => Number(value.toFixed(digits));

/** Sections of 500 rows of 50 seats (the last ones shorter) until `seatCount` seats. */
function sections(): { name: string; priceCents: number; rows: { label: string; seats: number }[] }[] {
  const result = [];
  for (let first = 0, index = 0; first < seatCount; index++) {
    const rows = [];
    for (let row = 0; row < rowsPerSection && first < seatCount; row++) {
      const seats = Math.min(seatsPerRow, seatCount - first);
      rows.push({ label: String(row + 1), seats });
      first += seats;
    }
    result.push({ name: `Section ${index + 1}`, priceCents: 20_000 - index * 2_000, rows });
  }
  return result;
}

async function createEvent(node: MarqueeNode): Promise<string> {
  const meta = { user: { id: "bench-admin", role: "admin" } };
  const venue: any = await node.broker.call(
    "catalog.createVenue",
    { name: "Bench Stadium", city: "Lisbon", country: "PT" },
    { meta },
  );
  const created: any = await node.broker.call(
    "catalog.createEvent",
    {
      name: "Best Available Bench",
      type: "concert",
      venueId: venue.id,
      startsAt: new Date(Date.now() + 30 * 86_400_000).toISOString(),
      onSaleAt: new Date(Date.now() - 60_000).toISOString(),
      sections: sections(),
    },
    { meta, timeout: 120_000 },
  );
  if (created.ticketCount !== seatCount) throw new Error(`created ${created.ticketCount} seats`);
  return created.event.id;
}

async function run() {
  const config = loadConfig({
    ...process.env,
    DATABASE_URL: databaseUrl,
    PORT: "0",
    SERVICES: "catalog,booking",
    NAMESPACE: `bench_${runId}`,
    REDIS_KEY_PREFIX: `bench:${runId}:`,
    LOG_LEVEL: process.env.LOG_LEVEL ?? "warn",
    DEMO_DATA: "false",
  });
  const node = await startNode(config);
  try {
    const eventId = await createEvent(node);
    const broker = node.broker;
    // The choice times, unaggregated, as the actors report them per turn.
    let choiceTimes = new Float64Array(1 << 16);
    let choiceCount = 0;
    broker.localBus.on(bookingTurnLocalEvent, (stats: CommitStats) => {
      for (const durationMs of stats.bestAvailableDecideMs) {
        if (choiceCount === choiceTimes.length) {
          const grown = new Float64Array(choiceTimes.length * 2);
          grown.set(choiceTimes);
          choiceTimes = grown;
        }
        choiceTimes[choiceCount++] = durationMs;
      }
    });

    let users = 0;
    let holds = 0;
    let seatsHeld = 0;
    let refused = 0;
    let errors = 0;
    let latencies = new Float64Array(1 << 16);
    let latencyCount = 0;
    const record = (startedAt: number) => {
      if (latencyCount === latencies.length) {
        const grown = new Float64Array(latencies.length * 2);
        grown.set(latencies);
        latencies = grown;
      }
      latencies[latencyCount++] = performance.now() - startedAt;
    };
    const client = async (index: number) => {
      const random = mulberry32(index + 1);
      for (;;) {
        // Mostly pairs to fours, some singles.
        let quantity = random() < 0.1 ? 1 : 2 + Math.floor(random() * 3);
        for (;;) {
          const startedAt = performance.now();
          try {
            const answer: any = await broker.call(
              "booking.reserve",
              { eventId, quantity },
              { meta: { user: { id: `fan-${users++}`, role: "user" } } },
            );
            record(startedAt);
            holds++;
            seatsHeld += answer.ticketIds.length;
            break;
          } catch (error) {
            record(startedAt);
            const failure = error as { type?: string; data?: any };
            if (failure.type !== "TICKET_UNAVAILABLE") {
              errors++;
              if (errors > 100) throw error;
              continue;
            }
            refused++;
            if (failure.data?.details?.ticketsAvailable === 0) return; // sold out
            if (quantity > 1) quantity--;
          }
        }
      }
    };

    process.stdout.write(`best available: ${seatCount} seats, ${clients} clients, empty to sold out ... `);
    const cpuBefore = process.cpuUsage();
    const startedAt = performance.now();
    await Promise.all(Array.from({ length: clients }, (_, index) => client(index)));
    const elapsedSeconds = (performance.now() - startedAt) / 1_000;
    const cpu = process.cpuUsage(cpuBefore);
    console.log("done");

    // Sold out, durably: every seat is in a hold row, and the database invariants hold.
    const db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
    let heldRows: number;
    try {
      heldRows = (await db.query(`SELECT count(*)::int AS n FROM holds WHERE event_id = $1`, [eventId]))
        .rows[0].n;
      const audit = await auditDatabase(db, eventId);
      if (!audit.ok) throw new Error(formatAudit(audit));
    } finally {
      await db.end();
    }
    if (heldRows !== seatCount || seatsHeld !== seatCount)
      throw new Error(`not sold out cleanly: ${seatsHeld} seats answered, ${heldRows} hold rows`);

    const choices = choiceTimes.slice(0, choiceCount).sort();
    const latency = latencies.slice(0, latencyCount).sort();
    const metric: any = broker.metrics.getMetric("marquee.booking.best_available.decide.duration.ms");
    const exposed = metric?.get?.() ?? {};
    return {
      holdsPerSec: Math.round(holds / elapsedSeconds),
      seatsPerSec: Math.round(seatsHeld / elapsedSeconds),
      requestsPerSec: Math.round(latencyCount / elapsedSeconds),
      secondsToSellOut: round(elapsedSeconds, 2),
      holds,
      seats: seatsHeld,
      refused,
      errors,
      choiceUs: {
        p50: round(percentile(choices, 0.5) * 1_000, 1),
        p99: round(percentile(choices, 0.99) * 1_000, 1),
        max: round((choices[choices.length - 1] ?? 0) * 1_000, 1),
        samples: choiceCount,
        measured: "decide() of each best-available command inside the actor (choice + hold)",
      },
      requestMs: {
        p50: round(percentile(latency, 0.5), 2),
        p99: round(percentile(latency, 0.99), 2),
      },
      processCpuMsPerHold: round((cpu.user + cpu.system) / 1_000 / Math.max(1, holds), 4),
      metricSamples: exposed.count ?? 0,
      workers: config.workerPoolSize,
    };
  } finally {
    await node.stop();
  }
}

async function dropBenchDatabase(): Promise<void> {
  const client = new pg.Client({ connectionString: `${postgresUrl}/postgres` });
  await client.connect();
  await client.query(`DROP DATABASE IF EXISTS "${databaseName}" WITH (FORCE)`).catch(() => {});
  await client.end();
}

let figures;
try {
  figures = await run();
} finally {
  await dropBenchDatabase();
}
const result = {
  ...figures,
  workload: {
    seats: seatCount,
    seatsPerRow,
    clients,
    quantities: "2-4 side by side (10% singles), fewer when none fit",
  },
  machine: { cores: os.availableParallelism(), node: process.version, loadAverage: os.loadavg() },
  command: "npm run bench:best-available",
  at: new Date().toISOString(),
};
console.log(
  `best available: ${result.holdsPerSec} holds/s (${result.seatsPerSec} seats/s, ${result.requestsPerSec} req/s), ` +
    `sold out ${result.seats} seats in ${result.secondsToSellOut} s with ${result.holds} holds, ` +
    `${result.refused} refusals, ${result.errors} errors; request p50 ${result.requestMs.p50} ms, ` +
    `p99 ${result.requestMs.p99} ms`,
);
console.log(
  `choice inside the actor: p50 ${result.choiceUs.p50} us, p99 ${result.choiceUs.p99} us, ` +
    `max ${result.choiceUs.max} us over ${result.choiceUs.samples} choices ` +
    `(metric marquee.booking.best_available.decide.duration.ms counted ${result.metricSamples}); ` +
    `load average ${os
      .loadavg()
      .map((value) => value.toFixed(1))
      .join(" ")}`,
);
// Merge into the booking results: other benchmarks own the other keys.
await mkdir(new URL("./results/", import.meta.url), { recursive: true });
let existing: Record<string, unknown> = {};
try {
  existing = JSON.parse(await readFile(resultsUrl, "utf8"));
} catch {
  /* no results yet */
}
await writeFile(resultsUrl, `${JSON.stringify({ ...existing, bestAvailable: result }, null, 2)}\n`);
console.log("wrote loadtest/results/booking.json (bestAvailable)");
process.exit(0);
