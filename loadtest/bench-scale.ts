// `npm run bench:scale`: does the buy path's cost grow with the data? One node as `npm start` runs it
// (every service in one process; a child process on a fresh database of its own), then for each size
// the booking tables are bulk-loaded up to that many ticket rows (events of 50,000 seats, 40% sold)
// and the same fixed load runs through HTTP (loadtest/scale/): activation of a 50,000-seat event,
// reserve+confirm at 100 in flight, the compact and the full seat map, a search. Writes
// loadtest/results/scale.json (`largestTicketRows`, the figures per size, the disk per million
// tickets, `growth` = reserve+confirm p99 at the largest size / at the smallest); the invariant audit
// runs after each size's load and on the whole database at the end (exit 1 on a violation). The
// database is dropped at the end (--keep keeps it).
//   npm run bench:scale -- [--sizes 1e6,1e7,3e7] [--seconds 10] [--in-flight 100] [--readers 16]
//                          [--seats-per-event 50000] [--load-connections 2] [--keep]
import { execSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import pg from "pg";
import { serviceFactories } from "../services.ts";
import { oneAddressManyClientsEnv } from "./client-caps-env.ts";
import { startCluster } from "./cluster.ts";
import { createSigner } from "./http/tokens.ts";
import { measureScale } from "./scale/measure.ts";
import { parseScaleArguments } from "./scale/arguments.ts";
import { ArgumentError } from "./cli-numbers.ts";

const postgresUrl = process.env.BENCH_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432";
const databaseName = `marquee_bench_scale_${Date.now().toString(36)}_${randomBytes(3).toString("hex")}`;
const databaseUrl = `${postgresUrl}/${databaseName}`;
const authSecret = randomBytes(32).toString("hex");

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function startNode() {
  const cluster = await startCluster({
    databaseUrl,
    port: await freePort(),
    transporter: "",
    topology: [{ name: "node", services: Object.keys(serviceFactories), gateway: true }],
    env: {
      LOG_LEVEL: process.env.LOG_LEVEL ?? "warn",
      AUTH_SECRET: authSecret,
      RATE_LIMIT_PER_WINDOW: "1000000000",
      ...oneAddressManyClientsEnv,
    },
  });
  return {
    target: { baseUrl: cluster.baseUrl, databaseUrl, sign: createSigner(authSecret) },
    async stop() {
      await cluster.stop();
    },
  };
}

async function dropDatabase(): Promise<void> {
  const admin = new pg.Client({ connectionString: `${postgresUrl}/postgres` });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${databaseName}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      sizes: { type: "string", default: "1e6,1e7,3e7" },
      seconds: { type: "string", default: "10" },
      "in-flight": { type: "string", default: "100" },
      readers: { type: "string", default: "16" },
      "seats-per-event": { type: "string", default: "50000" },
      "load-connections": { type: "string", default: "2" },
      keep: { type: "boolean", default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  const settings = parseScaleArguments(values);
  const loadAverageBefore = os.loadavg();
  const uptimeBefore = execSync("uptime").toString().trim();
  console.log(`scale bench: ${JSON.stringify(settings)}; ${databaseName}; ${uptimeBefore}`);
  try {
    const measurements = await measureScale({
      ...settings,
      readMs: settings.seconds * 500,
      durationMs: settings.seconds * 1000,
      activationRepeats: 5,
      start: startNode,
      log: (message) => console.log(message),
    });
    const results = {
      generatedAt: new Date().toISOString(),
      command: `npm run bench:scale -- ${process.argv.slice(2).join(" ")}`.trim(),
      settings,
      machine: { cpus: os.availableParallelism(), loadAverageBefore, loadAverageAfter: os.loadavg() },
      uptimeBefore,
      uptimeAfter: execSync("uptime").toString().trim(),
      ...measurements,
    };
    const directory = fileURLToPath(new URL("./results/", import.meta.url));
    await mkdir(directory, { recursive: true });
    await writeFile(`${directory}scale.json`, JSON.stringify(results, null, 2) + "\n");
    console.log(`growth (reserve+confirm p99, largest / smallest size): ${measurements.growth}`);
    console.log(`scale bench: loadtest/results/scale.json (${results.uptimeAfter})`);
    if (!measurements.auditOk) process.exitCode = 1;
  } finally {
    if (!values.keep) await dropDatabase();
  }
}

try {
  await main();
} catch (error) {
  if (!(error instanceof ArgumentError || (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")))
    throw error;
  console.error(`bench:scale: ${(error as Error).message}`);
  process.exitCode = 2;
}
process.exit(process.exitCode ?? 0);
