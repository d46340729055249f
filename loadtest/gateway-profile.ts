// `npm run profile:gateway`: server CPU per request through the gateway, by stage. Starts one node in
// this process (all services, as `npm start` does, on a fresh database) and a bare node:http server
// beside it, then drives each kind of request from a client in its own process (keep-alive, bounded
// concurrency): the bare server, GET /health/live, GET /events/:id, POST /booking/reserve + release
// with bearer tokens, POST /events/:id/queue (join: a new user each time), a buy (a new user reserving
// one best-available seat and confirming it with tok_ok: two requests). Each kind runs twice: without a profiler for µs of CPU per request
// (process.cpuUsage: this process, all its threads, so the server only), then under V8's sampling
// profiler for the main thread's time by stage (loadtest/gateway-profile-stages.ts). Prints a table, writes
// loadtest/results/gateway-profile.json. Options (env): PROFILE_REQUESTS (per kind, default 20000),
// PROFILE_CONCURRENCY (default 50), PROFILE_ROUNDS (unprofiled runs per kind, the least CPU kept;
// default 3), PROFILE_KINDS (comma-separated, default all), PROFILE_SAVE=1 (also
// writes each kind's profile as loadtest/results/gateway-profile-<kind>.cpuprofile, for Chrome DevTools).
import { execFile } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import http from "node:http";
import { Session } from "node:inspector/promises";
import type { Profiler } from "node:inspector";
import os from "node:os";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import pg from "pg";
import { loadConfig } from "../platform/config.ts";
import { startNode, type MarqueeNode } from "../node.ts";
import { createTokenVerifier } from "../gateway/auth.ts";
import type { ClientJob, ClientResult } from "./gateway-profile-client.ts";
import { createAgent, request } from "./seat-map/http-load.ts";
import { stageTimes, topFunctions } from "./gateway-profile-stages.ts";

const run = promisify(execFile);
const kinds = (process.env.PROFILE_KINDS ?? "bare,live,event,reserve-release,join,buy").split(
  ",",
) as ClientJob["kind"][];
const requests = Number(process.env.PROFILE_REQUESTS ?? 20_000);
const concurrency = Number(process.env.PROFILE_CONCURRENCY ?? 50);
const rounds = Number(process.env.PROFILE_ROUNDS ?? 3);
const clientTimeoutMs = 600_000;
const samplingIntervalMicros = 100;
const resultsDirectory = fileURLToPath(new URL("./results/", import.meta.url));

interface KindResult {
  kind: ClientJob["kind"];
  requests: number;
  perSecond: number;
  cpuMicrosPerRequest: number;
  cpuMicrosPerRequestRuns: number[];
  statuses: Record<string, number>;
  /** µs of CPU per request by stage: the profiled run's shares of the unprofiled runs' CPU. */
  stages: Record<string, number>;
  topFunctions: { name: string; micros: number }[];
}

async function runClient(job: ClientJob): Promise<ClientResult> {
  const client = fileURLToPath(new URL("./gateway-profile-client.ts", import.meta.url));
  const { stdout } = await run(process.execPath, ["--import", "tsx", client, JSON.stringify(job)], {
    timeout: clientTimeoutMs,
    maxBuffer: 1 << 20,
  });
  return JSON.parse(stdout.trim().split("\n").at(-1)!) as ClientResult;
}

/** One unprofiled run: requests per second and CPU µs per request of this process. */
async function measure(job: ClientJob): Promise<{ result: ClientResult; cpuMicrosPerRequest: number }> {
  const before = process.cpuUsage();
  const result = await runClient(job);
  const spent = process.cpuUsage(before);
  return { result, cpuMicrosPerRequest: (spent.user + spent.system) / result.answers };
}

async function profile(session: Session, job: ClientJob): Promise<Profiler.Profile> {
  await session.post("Profiler.enable");
  await session.post("Profiler.setSamplingInterval", { interval: samplingIntervalMicros });
  await session.post("Profiler.start");
  const ran = await runClient(job).then(
    (result) => ({ result }),
    (error: unknown) => ({ error }),
  );
  const { profile: sampled } = await session.post("Profiler.stop");
  await session.post("Profiler.disable");
  if ("error" in ran) throw ran.error;
  return sampled;
}

async function profileKind(session: Session, job: ClientJob): Promise<KindResult> {
  await runClient({ ...job, requests: Math.min(job.requests, 2_000) }); // warm-up (JIT, pools)
  // The least CPU per request of a few runs: others sharing the machine only ever add to it.
  const runs = [];
  for (let run = 0; run < rounds; run++) runs.push(await measure(job));
  const { result, cpuMicrosPerRequest } = runs.reduce((least, run) =>
    run.cpuMicrosPerRequest < least.cpuMicrosPerRequest ? run : least,
  );
  const sampled = await profile(session, job);
  if (process.env.PROFILE_SAVE)
    await writeFile(`${resultsDirectory}gateway-profile-${job.kind}.cpuprofile`, JSON.stringify(sampled));
  const times = stageTimes(sampled);
  // The profiler's own cost inflates what it samples: each stage gets its share of the CPU the
  // unprofiled runs measured (which also counts other threads: V8's GC helpers, libuv's pool).
  const busy = [...times.values()].reduce((sum, micros) => sum + micros, 0);
  const perRequest = (micros: number) => round((micros / busy) * cpuMicrosPerRequest);
  const stages = Object.fromEntries(
    [...times].sort((a, b) => b[1] - a[1]).map(([stage, micros]) => [stage, perRequest(micros)]),
  );
  return {
    kind: job.kind,
    requests: result.answers,
    perSecond: Math.round(result.answers / (result.elapsedMs / 1_000)),
    cpuMicrosPerRequest: round(cpuMicrosPerRequest),
    cpuMicrosPerRequestRuns: runs.map((run) => round(run.cpuMicrosPerRequest)),
    statuses: result.statuses,
    stages,
    topFunctions: topFunctions(sampled, 15).map(({ name, micros }) => ({
      name,
      micros: perRequest(micros),
    })),
  };
}

const round = (value: number) => Math.round(value * 10) / 10;

/** An event of `seats` seats, through the admin API (as an operator would create one). */
async function createEvent(baseUrl: string, adminToken: string, seats: number, waitingRoom = false) {
  // Rows of at most seatsPerRowMax seats: a big event as a venue lays it out.
  const seatsPerRowMax = 100;
  const rows = Array.from({ length: Math.ceil(seats / seatsPerRowMax) }, (_, index) => ({
    label: String(index + 1),
    seats: Math.min(seatsPerRowMax, seats - index * seatsPerRowMax),
  }));
  const agent = createAgent(1);
  const headers = { authorization: `Bearer ${adminToken}` };
  const post = async (path: string, body: unknown) => {
    const answer = await request(agent, baseUrl + path, { method: "POST", headers, body });
    if (answer.status !== 201) throw new Error(`${path}: ${answer.status} ${answer.body}`);
    return JSON.parse(answer.body.toString());
  };
  const performer = await post("/admin/performers", { name: "Profile Performer", genre: "pop" });
  const venue = await post("/admin/venues", { name: "Profile Hall", city: "Lisbon", country: "Portugal" });
  const { event } = await post("/admin/events", {
    name: "Profile Concert",
    description: "The gateway profile's event",
    type: "concert",
    venueId: venue.id,
    performerIds: [performer.id],
    startsAt: new Date(Date.now() + 30 * 86_400_000).toISOString(),
    onSaleAt: new Date(Date.now() - 3_600_000).toISOString(),
    sections: [{ name: "Floor", priceCents: 5_000, rows }],
    ...(waitingRoom ? { waitingRoom: { enabled: true } } : {}),
  });
  const tickets = await request(agent, `${baseUrl}/events/${event.id}/tickets`);
  agent.destroy();
  const ids = JSON.parse(tickets.body.toString()).tickets.map((ticket: { id: string }) => ticket.id);
  return { eventId: event.id as string, ticketIds: ids as string[] };
}

async function startProfiledNode(): Promise<{
  node: MarqueeNode;
  baseUrl: string;
  config: ReturnType<typeof loadConfig>;
}> {
  const suffix = `${Date.now().toString(36)}`;
  const config = loadConfig({
    ...process.env,
    NODE_ENV: "development",
    PORT: "0",
    DATABASE_URL:
      process.env.PROFILE_DATABASE_URL ?? `postgres://postgres@127.0.0.1:5432/marquee_profile_${suffix}`,
    REDIS_KEY_PREFIX: `profile_${suffix}:`,
    NAMESPACE: `profile_${suffix}`,
    LOG_LEVEL: process.env.LOG_LEVEL ?? "warn",
    RATE_LIMIT_PER_WINDOW: "1000000",
    AUTH_DEV_TOKENS: "true",
  });
  const node = await startNode(config);
  const port = (node.broker.getLocalService("api") as any).server.address().port;
  return { node, baseUrl: `http://127.0.0.1:${port}`, config };
}

/** The fresh database this run made (one event of a few seats): nothing to keep. */
async function dropDatabase(databaseUrl: string): Promise<void> {
  const url = new URL(databaseUrl);
  const name = url.pathname.slice(1);
  url.pathname = "/postgres";
  const client = new pg.Client({ connectionString: url.toString(), connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

function startBareServer(): Promise<http.Server> {
  const body = JSON.stringify({ status: "ok" });
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { "content-type": "application/json; charset=utf-8" });
    res.end(body);
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

function printTable(results: KindResult[]): void {
  const stages = [...new Set(results.flatMap((result) => Object.keys(result.stages)))];
  const cell = (text: string | number) => String(text).padStart(16);
  const lines = [
    "stage (µs CPU/request)".padEnd(28) + results.map((result) => cell(result.kind)).join(""),
    ...stages.map(
      (stage) => stage.padEnd(28) + results.map((result) => cell(result.stages[stage] ?? "-")).join(""),
    ),
    "total".padEnd(28) + results.map((result) => cell(result.cpuMicrosPerRequest)).join(""),
    "requests/s".padEnd(28) + results.map((result) => cell(result.perSecond)).join(""),
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
}

async function main(): Promise<void> {
  await mkdir(resultsDirectory, { recursive: true });
  const { node, baseUrl, config } = await startProfiledNode();
  const bare = await startBareServer();
  const session = new Session();
  session.connect();
  try {
    const tokens = createTokenVerifier(config);
    const event = await createEvent(
      baseUrl,
      await tokens.issue({ id: "profile-admin", role: "admin" }),
      concurrency,
    );
    const adminToken = await tokens.issue({ id: "profile-admin", role: "admin" });
    const queueEventId = (await createEvent(baseUrl, adminToken, 10, true)).eventId;
    // A seat per buy (two requests): the warm-up, the unprofiled rounds and the profiled run.
    const buySeats = Math.ceil((2_000 + (rounds + 1) * requests) / 2) + concurrency;
    const buyEventId = kinds.includes("buy")
      ? (await createEvent(baseUrl, adminToken, buySeats)).eventId
      : undefined;
    // The join kind's client signs a token per joiner with the node's secret.
    process.env.PROFILE_CLIENT_AUTH_SECRET = config.authSecret;
    const userTokens = await Promise.all(
      event.ticketIds.map((_, index) => tokens.issue({ id: `profile-user-${index}`, role: "user" })),
    );
    const results: KindResult[] = [];
    for (const kind of kinds) {
      const target =
        kind === "bare" ? `http://127.0.0.1:${(bare.address() as { port: number }).port}` : baseUrl;
      const job: ClientJob = {
        baseUrl: target,
        kind,
        requests,
        concurrency,
        ...event,
        queueEventId,
        buyEventId,
        tokens: userTokens,
      };
      results.push(await profileKind(session, job));
    }
    printTable(results);
    const report = {
      at: new Date().toISOString(),
      loadAverage: os.loadavg().map(round),
      cpus: os.cpus().length,
      requestsPerKind: requests,
      concurrency,
      results,
    };
    process.stdout.write(`load average ${report.loadAverage.join(" ")}\n`);
    await writeFile(`${resultsDirectory}gateway-profile.json`, `${JSON.stringify(report, null, 2)}\n`);
  } finally {
    session.disconnect();
    bare.close();
    await node.stop();
    if (!process.env.PROFILE_DATABASE_URL) await dropDatabase(config.databaseUrl);
  }
}

await main();
