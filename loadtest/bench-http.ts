// `npm run bench:http`: the buy path through HTTP (issue 14). One node as `npm start` runs it (every
// service in one process, no transporter; a child process with a database of its own), driven by
// keep-alive clients in this process (loadtest/http/): for 100 and for 1,000 requests in flight,
// reserve+confirm (distinct buyers and seats), reserve+release and best available+confirm, each
// phase on a fresh hot event of 20,000 seats, with the Postgres transactions per operation from
// pg_stat_database; waiting-room joins through HTTP (distinct users, one hot event, at each number
// in flight); GET /health/live against a bare node:http server; then the same buy phases against the classic baseline engine (loadtest/classic/) through
// the same gateway. The invariant audit runs after each engine's phases. Not a test: it prints the
// figures and writes loadtest/results/http.json (exit 1 on an audit violation).
// Settings: BENCH_SECONDS (10 per phase), BENCH_SEATS (20000), BENCH_IN_FLIGHT ("100,1000": buy and
// join phases), BENCH_CONNECTIONS (100, the trivial-route phase), BENCH_PARTS ("buy,join,trivial";
// a part of them writes loadtest/results/http-<parts>.json instead, e.g. http-join-trivial.json).
import { execSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { serviceFactories } from "../services.ts";
import { classicNodeScript } from "./classic/classic-node.ts";
import { oneAddressManyClientsEnv } from "./client-caps-env.ts";
import { startCluster } from "./cluster.ts";
import type { EngineTarget } from "./http/engine-phases.ts";
import { benchParts, measureHttp, type BenchPart, type RunningEngine } from "./http/measure.ts";
import { createSigner } from "./http/tokens.ts";

const settings = {
  seconds: Number(process.env.BENCH_SECONDS ?? 10),
  seats: Number(process.env.BENCH_SEATS ?? 20_000),
  inFlight: (process.env.BENCH_IN_FLIGHT ?? "100,1000").split(",").map(Number),
  connections: Number(process.env.BENCH_CONNECTIONS ?? 100),
  parts: (process.env.BENCH_PARTS ?? benchParts.join(",")).split(",") as BenchPart[],
};
for (const part of settings.parts)
  if (!benchParts.includes(part))
    throw new Error(`BENCH_PARTS: ${part} is not one of ${benchParts.join(", ")}`);
const allParts = benchParts.every((part) => settings.parts.includes(part));
const resultsFile = allParts
  ? "http.json"
  : `http-${benchParts.filter((part) => settings.parts.includes(part)).join("-")}.json`;
const postgresUrl = process.env.BENCH_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432";
const runId = `${Date.now().toString(36)}_${randomBytes(3).toString("hex")}`;
const authSecret = randomBytes(32).toString("hex");
const databases: string[] = [];

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** One node with every service, as `npm start` runs it; the classic one's booking on the baseline. */
async function startEngine(engine: "marquee" | "classic"): Promise<RunningEngine> {
  const databaseUrl = `${postgresUrl}/marquee_bench_http_${runId}_${engine}`;
  databases.push(databaseUrl);
  const cluster = await startCluster({
    databaseUrl,
    port: await freePort(),
    transporter: "", // none: the services of one process call each other in it, as with npm start
    topology: [{ name: engine, services: Object.keys(serviceFactories), gateway: true }],
    bookingNodeScript: engine === "classic" ? classicNodeScript : undefined,
    env: {
      LOG_LEVEL: process.env.LOG_LEVEL ?? "warn",
      AUTH_SECRET: authSecret,
      // Thousands of buyers from one address: no per-client limit may stand in for the engine's.
      RATE_LIMIT_PER_WINDOW: "1000000000",
      ...oneAddressManyClientsEnv,
    },
  });
  const target: EngineTarget = {
    engine,
    baseUrl: cluster.baseUrl,
    databaseUrl,
    sign: createSigner(authSecret),
    bestAvailable: engine === "marquee",
  };
  return {
    target,
    async stop() {
      await cluster.stop();
    },
  };
}

async function dropDatabases(): Promise<void> {
  const admin = new pg.Client({ connectionString: `${postgresUrl}/postgres` });
  await admin.connect();
  try {
    for (const url of databases)
      await admin.query(`DROP DATABASE IF EXISTS "${new URL(url).pathname.slice(1)}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

async function main(): Promise<void> {
  const loadAverageBefore = os.loadavg();
  const uptimeBefore = execSync("uptime").toString().trim();
  console.log(`http bench: ${JSON.stringify(settings)}; ${uptimeBefore}`);
  try {
    const measurements = await measureHttp({
      seats: settings.seats,
      inFlight: settings.inFlight,
      durationMs: settings.seconds * 1000,
      connections: settings.connections,
      parts: settings.parts,
      startMarquee: () => startEngine("marquee"),
      startClassic: () => startEngine("classic"),
      log: (message) => console.log(message),
    });
    const results = {
      generatedAt: new Date().toISOString(),
      command: allParts ? "npm run bench:http" : `BENCH_PARTS=${settings.parts.join(",")} npm run bench:http`,
      settings,
      machine: { cpus: os.availableParallelism(), loadAverageBefore, loadAverageAfter: os.loadavg() },
      uptimeBefore,
      uptimeAfter: execSync("uptime").toString().trim(),
      ...measurements,
    };
    const directory = fileURLToPath(new URL("./results/", import.meta.url));
    await mkdir(directory, { recursive: true });
    await writeFile(`${directory}${resultsFile}`, JSON.stringify(results, null, 2) + "\n");
    if (results.ratios) console.log(`ratios (Marquee / classic ops/s): ${JSON.stringify(results.ratios)}`);
    console.log(`http bench: loadtest/results/${resultsFile} (${results.uptimeAfter})`);
    if (!measurements.auditOk) process.exitCode = 1;
  } finally {
    await dropDatabases();
  }
}

await main();
process.exit(process.exitCode ?? 0);
