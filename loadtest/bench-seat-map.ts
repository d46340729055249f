// `npm run bench:seatmap`: seat maps for a crowd (issue 15). One Marquee node (a child process with
// every service but the indexer, a database of its own), driven over HTTP by this process:
//   1. rendering in process, 100,000 seats: the Ticket objects + JSON.stringify (the path before
//      domain/seat-map-json.ts) against SeatMapJson after one change, and the compact form;
//   2. per size (20,000 and 100,000 seats, loadtest/seat-map/measure.ts): bytes per answer (full list,
//      compact, layout; raw, gzip, br); 100 readers flat out on the compact map, then on the full list
//      with gzip, a booker changing a seat meanwhile; reserve+release pairs/s alone, with the 100
//      readers polling the compact map at ~1,000 maps/s in all, and with them flat out;
//   3. the invariant audit of the database.
// Settings: BENCH_SEATS (default "20000,100000"), BENCH_READERS (100), BENCH_BOOKERS (16),
// BENCH_PHASE_MS (10000). Prints the figures and writes loadtest/results/seat-map.json.
import { execSync } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import { fileURLToPath } from "node:url";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import pg from "pg";
import { loadConfig } from "../platform/config.ts";
import { createTokenVerifier } from "../gateway/auth.ts";
import { buildSeatLayout, ticketsFromStatuses } from "../domain/seat-layout.ts";
import { SeatMapJson } from "../domain/seat-map-json.ts";
import { compactSeatMapJson } from "../domain/seat-map-compact.ts";
import { auditDatabase, formatAudit } from "./audit.ts";
import { startCluster } from "./cluster.ts";
import { benchSections } from "./seat-map/bench-event.ts";
import { createAgent, percentile } from "./seat-map/http-load.ts";
import { measureSize, type SizeResult } from "./seat-map/measure.ts";

const settings = {
  seats: (process.env.BENCH_SEATS ?? "20000,100000").split(",").map(Number),
  readers: Number(process.env.BENCH_READERS ?? 100),
  bookers: Number(process.env.BENCH_BOOKERS ?? 16),
  phaseMs: Number(process.env.BENCH_PHASE_MS ?? 10_000),
  pollIntervalMs: 100,
};
/** Issue 15's targets, and today's 77 full-list reads/s of a 20,000-seat map with 100 readers. */
const targets = {
  compactReadsPerSecond: 2_000,
  fullGzipReadsPerSecond: 3 * 77,
  compactGzipBytesMax: 40_000,
  pairsRatioMin: 0.7,
};

const runId = Date.now().toString(36);
const databaseName = `marquee_bench_seatmap_${runId}`;
const databaseUrl = `postgres://postgres@127.0.0.1:5432/${databaseName}`;

const summary = (values: number[]) => ({ p50Ms: percentile(values, 50), p99Ms: percentile(values, 99) });

function renderInProcess(seats = 100_000) {
  const layout = buildSeatLayout(benchSections(seats));
  const statuses = new Uint8Array(layout.total);
  const [objects, text, compact]: number[][] = [[], [], []];
  const map = new SeatMapJson("ev_bench", layout);
  map.render(statuses); // the first render of an event makes every chunk
  for (let round = 0; round < 20; round++) {
    statuses[(round * 7_919) % layout.total] = 1 + (round % 2);
    let started = performance.now();
    JSON.stringify(ticketsFromStatuses("ev_bench", layout, statuses));
    objects.push(performance.now() - started);
    started = performance.now();
    map.render(statuses);
    text.push(performance.now() - started);
    started = performance.now();
    compactSeatMapJson("ev_bench", round, statuses);
    compact.push(performance.now() - started);
  }
  return {
    seats,
    objectsAndStringify: summary(objects),
    seatMapJson: summary(text),
    compact: summary(compact),
    compactBytesThirdTaken: compactBytesThirdTaken(layout.total),
  };
}

/** The compact form's size when a third of the seats, at random, are held or booked (the bench's own
 * event has few changes, so its compact answers compress better than a sale in progress does). */
function compactBytesThirdTaken(seats: number) {
  const statuses = Uint8Array.from({ length: seats }, () =>
    Math.random() < 1 / 3 ? 1 + Math.round(Math.random()) : 0,
  );
  const text = Buffer.from(compactSeatMapJson("ev_bench", 1, statuses));
  return {
    identity: text.length,
    gzip: gzipSync(text, { level: 6 }).length,
    br: brotliCompressSync(text, { params: { [constants.BROTLI_PARAM_QUALITY]: 5 } }).length,
  };
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function targetsMet(sizes: SizeResult[]) {
  const at = (seats: number) => sizes.find((size) => size.seats === seats);
  const check = (measured: number | undefined, target: number, atLeast = true) =>
    measured === undefined
      ? null
      : { target, measured, met: atLeast ? measured >= target : measured <= target };
  return {
    compactReadsPerSecond20k: check(at(20_000)?.compact.perSecond, targets.compactReadsPerSecond),
    fullGzipReadsPerSecond20k: check(at(20_000)?.fullGzip.perSecond, targets.fullGzipReadsPerSecond),
    compactGzipBytes100k: check(at(100_000)?.bytes.compact.gzip, targets.compactGzipBytesMax, false),
    pairsRatioWithPolledReaders20k: check(
      at(20_000)?.pairsWithPolledReaders.ratioToAlone,
      targets.pairsRatioMin,
    ),
  };
}

async function audit() {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return await auditDatabase(client);
  } finally {
    await client.end();
  }
}

async function dropDatabase() {
  const admin = new pg.Client({ connectionString: databaseUrl.replace(/\/[^/]+$/, "/postgres") });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${databaseName}" WITH (FORCE)`).finally(() => admin.end());
}

async function measureOnNode(): Promise<{ sizes: SizeResult[]; auditOk: boolean }> {
  const port = await freePort();
  const cluster = await startCluster({
    databaseUrl,
    port,
    topology: [
      { name: "node", services: ["api", "catalog", "search", "booking", "waiting-room"], gateway: true },
    ],
    env: { LOG_LEVEL: process.env.LOG_LEVEL ?? "warn", RATE_LIMIT_PER_WINDOW: "1000000000" },
  });
  try {
    const tokens = createTokenVerifier(loadConfig({ ...process.env, NODE_ENV: "development" }));
    const bearer = async (id: string, role: "user" | "admin" = "user") =>
      `Bearer ${await tokens.issue({ id, role })}`;
    const context = {
      agent: createAgent(settings.readers + settings.bookers + 4),
      baseUrl: cluster.baseUrl,
      adminAuthorization: await bearer("bench-admin", "admin"),
      bookers: await Promise.all(
        Array.from({ length: settings.bookers }, (_, index) => bearer(`booker-${index}`)),
      ),
      readers: settings.readers,
      phaseMs: settings.phaseMs,
      pollIntervalMs: settings.pollIntervalMs,
      log: (message: string) => console.log(message),
    };
    const sizes: SizeResult[] = [];
    for (const seats of settings.seats) sizes.push(await measureSize(context, seats));
    const report = await audit();
    console.log(formatAudit(report));
    return { sizes, auditOk: report.ok };
  } finally {
    await cluster.stop();
  }
}

async function main() {
  const loadBefore = os.loadavg();
  const uptimeBefore = execSync("uptime").toString().trim();
  console.log(`seat map bench: ${uptimeBefore}`);
  const inProcess = renderInProcess();
  console.log(
    `rendering in process, ${inProcess.seats} seats: objects + JSON.stringify p50 ${inProcess.objectsAndStringify.p50Ms} ms; SeatMapJson p50 ${inProcess.seatMapJson.p50Ms} ms; compact p50 ${inProcess.compact.p50Ms} ms; compact with a third taken ${JSON.stringify(inProcess.compactBytesThirdTaken)} bytes`,
  );
  try {
    const { sizes, auditOk } = await measureOnNode();
    const results = {
      generatedAt: new Date().toISOString(),
      command: "npm run bench:seatmap",
      settings,
      machine: {
        cpus: os.availableParallelism(),
        loadAverageBefore: loadBefore,
        loadAverageAfter: os.loadavg(),
      },
      uptimeBefore,
      uptimeAfter: execSync("uptime").toString().trim(),
      inProcess,
      sizes,
      targets: targetsMet(sizes),
      auditOk,
    };
    const directory = fileURLToPath(new URL("./results/", import.meta.url));
    await mkdir(directory, { recursive: true });
    await writeFile(`${directory}seat-map.json`, JSON.stringify(results, null, 2) + "\n");
    console.log(`targets: ${JSON.stringify(results.targets)}`);
    console.log(`seat map: loadtest/results/seat-map.json (${results.uptimeAfter})`);
    if (!auditOk) process.exitCode = 1;
  } finally {
    await dropDatabase();
  }
}

await main();
process.exit(process.exitCode ?? 0);
