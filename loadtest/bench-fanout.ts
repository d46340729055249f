// `npm run bench:fanout`: Socket.IO fan-out of seat deltas under a rush.
//
// Processes: this one runs a core node (catalog) and the rush, which publishes real
// `booking.seatsChanged` events over NATS the way the booking actor does after each committed batch;
// one gateway node (SERVICES=api) in a child process; the clients in BENCH_CLIENT_PROCESSES child
// processes (loadtest/fanout-clients.ts), so they do not share the gateway's event loop.
// Reports delivery latency from commit to client (per seat version), frames per client per second
// and the gateway's memory, and writes loadtest/results/fanout.json.
//
// BENCH_RUSH=booking drives real single-ticket reserves and releases on the booking actor (in this
// process) instead of publishing deltas itself.
// Settings (environment): BENCH_CLIENTS (10000), BENCH_CHANGES_PER_SEC (2000), BENCH_BATCH_MS (10,
// one committed batch per 10 ms), BENCH_SECONDS (15, measured), BENCH_WARMUP_SECONDS (3),
// BENCH_CLIENT_PROCESSES (2), BENCH_SEATS (20000), REALTIME_COALESCE_MS (gateway window, 100),
// BENCH_FORMAT (compact: `seatsCompact` frames; full: the contract's `seats` frames),
// BENCH_PROFILE=1 (gateway CPU profile under loadtest/results/profiles), TRANSPORTER (nats://127.0.0.1:4222).
import { fork, spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { randomBytes } from "node:crypto";
import pg from "pg";
import { loadConfig } from "../platform/config.ts";
import { startNode } from "../node.ts";
import type { SeatChange, SeatsChanged } from "../domain/messages.ts";
import { oneAddressManyClientsEnv } from "./client-caps-env.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const resultsDir = path.join(root, "loadtest", "results");
const numberSetting = (name: string, fallback: number) => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number`);
  return value;
};

const clients = numberSetting("BENCH_CLIENTS", 10_000);
const changesPerSec = numberSetting("BENCH_CHANGES_PER_SEC", 2_000);
const batchMs = numberSetting("BENCH_BATCH_MS", 10);
const measureSeconds = numberSetting("BENCH_SECONDS", 15);
const warmupSeconds = numberSetting("BENCH_WARMUP_SECONDS", 3);
const clientProcesses = numberSetting("BENCH_CLIENT_PROCESSES", 2);
const seats = numberSetting("BENCH_SEATS", 20_000);
const coalesceMs = process.env.REALTIME_COALESCE_MS ?? "100";
const profile = process.env.BENCH_PROFILE === "1";
const format = process.env.BENCH_FORMAT === "full" ? "full" : "compact";
const rushMode = process.env.BENCH_RUSH === "booking" ? "booking" : "events";
const transporter = process.env.TRANSPORTER || "nats://127.0.0.1:4222";
const postgres = process.env.TEST_POSTGRES_URL || "postgres://postgres@127.0.0.1:5432";

const now = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const log = (message: string) => console.log(`[bench:fanout] ${message}`);

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

async function waitUntil(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (
    !(await Promise.resolve()
      .then(check)
      .catch(() => false))
  ) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

function processStats(pid: number): { rssMb: number; cpuSeconds: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  const ticks = Number(fields[11]) + Number(fields[12]); // utime + stime
  return { rssMb: rssKb / 1024, cpuSeconds: ticks / 100 };
}

/**
 * From the gateway's own histogram (GET /metrics): the time from a frame's first commit to the start
 * of its fan-out, as bucket upper bounds in ms. Splits the latency into before and after the gateway.
 */
async function gatewayFanoutDelay(
  baseUrl: string,
  metric = "commit_to_fanout",
): Promise<{ p50: number | null; p99: number | null }> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  const buckets: [number, number][] = [];
  const pattern = new RegExp(`^marquee_realtime_${metric}_seconds_bucket\\{.*le="([^"]+)".*\\} (\\d+)`);
  for (const line of text.split("\n")) {
    const match = pattern.exec(line);
    // Bounds in seconds on the wire, milliseconds in the results.
    if (match) buckets.push([match[1] === "+Inf" ? Infinity : Number(match[1]) * 1_000, Number(match[2])]);
  }
  buckets.sort((a, b) => a[0] - b[0]);
  const total = buckets.at(-1)?.[1] ?? 0;
  // null past the largest finite bucket (5 s)
  const at = (fraction: number) => {
    const bucket = buckets.find(([, count]) => count >= total * fraction);
    return bucket && total > 0 && Number.isFinite(bucket[0]) ? bucket[0] : null;
  };
  return { p50: at(0.5), p99: at(0.99) };
}

function nextMessage<T>(child: ChildProcess, type: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: any) => {
      if (message?.type !== type) return;
      child.off("message", onMessage);
      resolve(message as T);
    };
    child.on("message", onMessage);
    child.once("exit", (code) => reject(new Error(`client process exited (${code}) before ${type}`)));
  });
}

async function main(): Promise<void> {
  const runId = `${Date.now().toString(36)}_${randomBytes(3).toString("hex")}`;
  const namespace = `bench_${runId}`;
  const databaseUrl = `${postgres}/marquee_bench_${runId}`;
  const common = {
    TRANSPORTER: transporter,
    NAMESPACE: namespace,
    DATABASE_URL: databaseUrl,
    LOG_LEVEL: "warn",
  };

  log(
    `${clients} clients (${format} frames) in ${clientProcesses} processes, ${changesPerSec} changes/s in batches every ${batchMs} ms, window ${coalesceMs} ms`,
  );
  const core = await startNode(
    loadConfig({
      ...common,
      SERVICES: rushMode === "booking" ? "catalog,booking" : "catalog",
      NODE_ID: `core-${runId}`,
      PORT: "0",
      RATE_LIMIT_PER_WINDOW: "1000000",
    }),
  );
  const broker = core.broker;
  const children: ChildProcess[] = [];
  let gateway: ChildProcess | null = null;
  try {
    // The event: BENCH_SEATS seats in rows of 1,000.
    const meta = { meta: {} };
    const venue: any = await broker.call(
      "catalog.createVenue",
      { name: "Bench Arena", city: "Lisbon", country: "Portugal" },
      meta,
    );
    const rows = Array.from({ length: Math.ceil(seats / 1_000) }, (_, index) => ({
      label: String(index + 1),
      seats: Math.min(1_000, seats - index * 1_000),
    }));
    const created: any = await broker.call(
      "catalog.createEvent",
      {
        name: "Fan-out bench",
        type: "concert",
        venueId: venue.id,
        startsAt: new Date(Date.now() + 86_400_000).toISOString(),
        sections: [{ name: "Floor", priceCents: 5_000, rows }],
      },
      meta,
    );
    const eventId: string = created.event.id;

    // The gateway node.
    const port = await freePort();
    const execArgv = ["--import", "tsx"];
    if (profile) {
      mkdirSync(path.join(resultsDir, "profiles"), { recursive: true });
      execArgv.push("--cpu-prof", `--cpu-prof-dir=${path.join(resultsDir, "profiles")}`);
    }
    gateway = spawn(process.execPath, [...execArgv, "main.ts"], {
      cwd: root,
      env: {
        ...process.env,
        ...common,
        SERVICES: "api",
        ...oneAddressManyClientsEnv, // every client connects from 127.0.0.1
        NODE_ID: `gateway-${runId}`,
        PORT: String(port),
        REALTIME_COALESCE_MS: coalesceMs,
        DEMO_DATA: "false",
      },
      stdio: ["ignore", "inherit", "inherit"],
    });
    const baseUrl = `http://127.0.0.1:${port}`;
    await waitUntil(
      "the gateway to start",
      async () => (await fetch(`${baseUrl}/health/live`)).status === 200,
    );
    await waitUntil("the nodes to see each other", () =>
      (broker.registry as any)
        .getNodeList({ onlyAvailable: true })
        .some((node: any) => node.id === `gateway-${runId}`),
    );
    await sleep(500); // the gateway's view of the core node (INFO packets cross both ways)

    // The clients.
    const perProcess = Math.ceil(clients / clientProcesses);
    const started = Date.now();
    const readiness: Promise<any>[] = [];
    for (let index = 0; index < clientProcesses; index++) {
      const count = Math.min(perProcess, clients - index * perProcess);
      if (count <= 0) break;
      const child = fork(path.join(root, "loadtest", "fanout-clients.ts"), [], {
        execArgv: ["--import", "tsx"],
        stdio: "inherit",
      });
      children.push(child);
      await nextMessage(child, "alive");
      readiness.push(nextMessage(child, "ready"));
      child.send({
        type: "start",
        url: `ws://127.0.0.1:${port}`,
        eventId,
        clients: count,
        connectConcurrency: 50,
        format,
      });
    }
    const ready = await Promise.all(readiness);
    const subscribed = ready.reduce((sum, item) => sum + item.subscribed, 0);
    const failedClients = ready.reduce((sum, item) => sum + item.failed, 0);
    log(
      `${subscribed} clients subscribed in ${((Date.now() - started) / 1000).toFixed(1)} s (${failedClients} failed${failedClients ? `: ${ready.find((item) => item.lastError)?.lastError}` : ""})`,
    );

    // Every committed batch's time, per version, from the seat deltas themselves (a listener on this
    // node, in its own group): the clients' latencies are measured against them.
    let pendingCommits: [number, number][] = [];
    let measuring = false;
    let changesMeasured = 0;
    await broker.createService({
      name: "bench-commits",
      events: {
        "booking.seatsChanged": {
          group: "bench-commits",
          context: true,
          handler(ctx: any) {
            const delta = ctx.params as SeatsChanged;
            if (delta.eventId !== eventId) return;
            for (let version = delta.fromVersion + 1; version <= delta.toVersion; version++)
              pendingCommits.push([version, delta.committedAt]);
            if (measuring) changesMeasured += delta.changes.length;
          },
        },
      },
    });
    const commitFeed = setInterval(() => {
      if (pendingCommits.length === 0) return;
      const message = { type: "commits", entries: pendingCommits };
      pendingCommits = [];
      for (const child of children) child.send(message);
    }, 50);

    // The rush, every batchMs: either committed batches published as the booking actor publishes
    // them (BENCH_RUSH=events), or real reserves and releases on the booking actor (BENCH_RUSH=booking).
    const { version: startVersion } = (await broker.call("catalog.seatVersion", { eventId })) as {
      version: number;
    };
    const changesPerBatch = Math.max(1, Math.round((changesPerSec * batchMs) / 1000));
    const statuses: SeatChange["status"][] = ["reserved", "available", "booked"];
    let version = startVersion;
    let batches = 0;
    let running = true;
    let rushFailures = 0;
    const free = Array.from({ length: seats }, (_, index) => index + 1).sort(() => Math.random() - 0.5);
    const held: { ordinal: number; userId: string; at: number }[] = [];
    let inFlight = 0;
    const command = (action: "reserve" | "release", ordinal: number, userId: string) => {
      inFlight += 1;
      return broker
        .call(
          `booking.${action}`,
          { ticketIds: [`${eventId}.${ordinal}`] },
          { meta: { user: { id: userId, role: "user" } } },
        )
        .finally(() => (inFlight -= 1));
    };
    const bookingBatch = () => {
      // Half reserves of free seats, half releases of seats held for a second or more.
      const each = Math.max(1, Math.floor(changesPerBatch / 2));
      for (let index = 0; index < each && free.length > 0 && inFlight < 5_000; index++) {
        const ordinal = free.pop()!;
        const userId = `bench-${Math.floor(Math.random() * 20_000)}`;
        command("reserve", ordinal, userId).then(
          () => held.push({ ordinal, userId, at: now() }),
          () => {
            rushFailures += 1;
            free.unshift(ordinal);
          },
        );
      }
      for (let index = 0; index < each && held.length > 0 && now() - held[0].at >= 1_000; index++) {
        const { ordinal, userId } = held.shift()!;
        command("release", ordinal, userId).then(
          () => free.unshift(ordinal),
          () => (rushFailures += 1),
        );
      }
    };
    const eventsBatch = () => {
      const changes: SeatChange[] = [];
      for (let index = 0; index < changesPerBatch; index++) {
        const ordinal = 1 + Math.floor(Math.random() * seats);
        changes.push({ ticketId: `${eventId}.${ordinal}`, status: statuses[(batches + index) % 3] });
      }
      const delta: SeatsChanged = {
        eventId,
        fromVersion: version,
        toVersion: version + 1,
        changes,
        committedAt: now(),
      };
      version += 1;
      void broker.emit("booking.seatsChanged", delta);
    };
    const rushStarted = now();
    const rush = (async () => {
      while (running) {
        const due = Math.floor((now() - rushStarted) / batchMs);
        while (batches < due && running) {
          if (rushMode === "booking") bookingBatch();
          else eventsBatch();
          batches += 1;
        }
        await sleep(Math.max(1, batchMs / 2));
      }
    })();

    await sleep(warmupSeconds * 1000);
    for (const child of children) child.send({ type: "measure", on: true });
    measuring = true;
    const measureStarted = now();
    const cpuAtStart = processStats(gateway.pid!).cpuSeconds;
    const clientCpuAtStart = children.map((child) => processStats(child.pid!).cpuSeconds);
    const selfCpuAtStart = process.cpuUsage();
    const rssSamples: number[] = [];
    while (now() - measureStarted < measureSeconds * 1000) {
      await sleep(500);
      rssSamples.push(processStats(gateway.pid!).rssMb);
    }
    for (const child of children) child.send({ type: "measure", on: false });
    const measuredMs = now() - measureStarted;
    const gatewayCpuPercent =
      ((processStats(gateway.pid!).cpuSeconds - cpuAtStart) / (measuredMs / 1000)) * 100;
    const clientsCpuPercent =
      (children.reduce(
        (sum, child, index) => sum + processStats(child.pid!).cpuSeconds - clientCpuAtStart[index],
        0,
      ) /
        (measuredMs / 1000)) *
      100;
    const selfCpu = process.cpuUsage(selfCpuAtStart);
    const rushNodeCpuPercent = ((selfCpu.user + selfCpu.system) / 1000 / measuredMs) * 100;
    const loadAverage = os.loadavg()[0];
    measuring = false;
    running = false;
    await rush;
    const gatewaySide = await gatewayFanoutDelay(baseUrl);
    const arrival = await gatewayFanoutDelay(baseUrl, "commit_to_arrival");
    await sleep(500);
    clearInterval(commitFeed);
    const message = { type: "commits", entries: pendingCommits };
    for (const child of children) child.send(message);
    await sleep(200);

    const results = await Promise.all(
      children.map((child) => {
        const result = nextMessage<any>(child, "result");
        child.send({ type: "report" });
        return result;
      }),
    );
    const histogram = new Map<number, number>();
    let samples = 0;
    for (const result of results) {
      for (const [bucket, count] of result.buckets)
        histogram.set(bucket, (histogram.get(bucket) ?? 0) + count);
      samples += result.samples;
    }
    const bucketMs: number = results[0].bucketMs;
    const percentile = (fraction: number) => {
      const target = Math.ceil(samples * fraction);
      let seen = 0;
      for (const bucket of [...histogram.keys()].sort((a, b) => a - b)) {
        seen += histogram.get(bucket)!;
        if (seen >= target) return (bucket + 1) * bucketMs;
      }
      return NaN;
    };
    const framesMeasured = results.reduce((sum, result) => sum + result.framesMeasured, 0);
    const clientsMeasured = results.reduce((sum, result) => sum + result.clients, 0);
    const report = {
      clients: clientsMeasured,
      changesPerSec: Math.round(changesMeasured / (measuredMs / 1000)),
      p50Ms: percentile(0.5),
      p99Ms: percentile(0.99),
      p999Ms: percentile(0.999),
      maxMs: percentile(1),
      framesPerClientPerSec: Number((framesMeasured / clientsMeasured / (measuredMs / 1000)).toFixed(2)),
      gatewayRssMb: Math.round(rssSamples.reduce((sum, value) => sum + value, 0) / rssSamples.length),
      gatewayRssMaxMb: Math.round(Math.max(...rssSamples)),
      gatewayCpuPercent: Math.round(gatewayCpuPercent),
      // Gateway CPU per frame written to one socket: capacity = cores / this (mostly the kernel's TCP send).
      gatewayCpuMicrosPerSocketFrame:
        framesMeasured > 0
          ? Math.round(((gatewayCpuPercent / 100) * measuredMs * 1000) / framesMeasured)
          : null,
      clientProcessesCpuPercent: Math.round(clientsCpuPercent),
      rushNodeCpuPercent: Math.round(rushNodeCpuPercent),
      machineLoadAverage1m: Number(loadAverage.toFixed(1)),
      gatewayCommitToArrivalP50Ms: arrival.p50,
      gatewayCommitToArrivalP99Ms: arrival.p99,
      gatewayCommitToFanoutP50Ms: gatewaySide.p50,
      gatewayCommitToFanoutP99Ms: gatewaySide.p99,
      latencySamples: samples,
      unmatchedFrames: results.reduce((sum, result) => sum + result.unmatched, 0),
      resyncs: results.reduce((sum, result) => sum + result.resyncs, 0),
      versionGaps: results.reduce((sum, result) => sum + result.gaps, 0),
      disconnected: results.reduce((sum, result) => sum + result.disconnected, 0),
      failedClients,
      format,
      rush: rushMode,
      rushFailures,
      coalesceMs: Number(coalesceMs),
      batchMs,
      changesPerBatch,
      measuredSeconds: Number((measuredMs / 1000).toFixed(1)),
      clientProcesses,
      latencyFrom: "committedAt of each seat version to the frame's arrival at the client",
      machine: { cpus: os.availableParallelism(), node: process.version },
      date: new Date().toISOString(),
    };
    mkdirSync(resultsDir, { recursive: true });
    writeFileSync(path.join(resultsDir, "fanout.json"), JSON.stringify(report, null, 2) + "\n");
    console.log(JSON.stringify(report, null, 2));
    log(
      `p50 ${report.p50Ms} ms, p99 ${report.p99Ms} ms (at the gateway: delta arrival p50 <= ${arrival.p50} / p99 <= ${arrival.p99} ms, fan-out start p50 <= ${gatewaySide.p50} / p99 <= ${gatewaySide.p99} ms), ${report.framesPerClientPerSec} frames/client/s, gateway RSS ${report.gatewayRssMb} MB (max ${report.gatewayRssMaxMb}), CPU ${report.gatewayCpuPercent}% (clients ${report.clientProcessesCpuPercent}%, rush node ${report.rushNodeCpuPercent}%, load average ${report.machineLoadAverage1m})`,
    );
    log(`written ${path.relative(root, path.join(resultsDir, "fanout.json"))}`);
  } finally {
    for (const child of children) if (child.exitCode === null) child.kill();
    if (gateway && gateway.exitCode === null) {
      const exited = new Promise((resolve) => gateway!.once("exit", resolve));
      gateway.kill("SIGTERM");
      await Promise.race([exited, sleep(10_000)]);
      if (gateway.exitCode === null) gateway.kill("SIGKILL");
    }
    await core.stop();
    const admin = new pg.Client({ connectionString: `${postgres}/postgres` });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS "${new URL(databaseUrl).pathname.slice(1)}" WITH (FORCE)`);
    await admin.end();
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
