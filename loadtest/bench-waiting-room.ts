// `npm run bench:waiting-room`: the waiting room's throughput and admission accuracy, on this machine.
//   1. raw `redis-benchmark` ZADD (random members, pipelined x16), the ceiling for comparison;
//   2. 1,000,000 joins through the real join path (createLine().join: one Lua script each),
//      half before the sale (lottery scores) and half after (arrival order), bounded concurrency;
//   3. position queries (the poll path) for random members of the million;
//   4. admission rate: the real waiting-room actor on the million-strong line, ticking on a simulated
//      clock for 10 minutes, then on real timers for a few seconds; admitted/min vs admitPerMinute.
// Runs against a redis-server of its own on a free port (BENCH_REDIS_URL to use another), under a
// key prefix of its own that it deletes afterwards. Writes loadtest/results/waiting-room.json.
// BENCH_JOINS, BENCH_CONCURRENCY, BENCH_CONNECTIONS override the sizes (keep runs short while others
// share the CPU).
import { execFile } from "node:child_process";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import type { Redis } from "ioredis";
import { ManualClock, systemClock, type Clock } from "../domain/clock.ts";
import { waitingRoomDefaults } from "../domain/event.ts";
import { admissionBatchMax } from "../domain/limits.ts";
import { createRedis } from "../platform/redis.ts";
import { createAdmissionTokens } from "../actors/waiting-room/admission-token.ts";
import { createEventSettingsCache, type EventSettings } from "../actors/waiting-room/event-settings.ts";
import { WaitingRoomActor } from "../actors/waiting-room/waiting-room-actor.ts";
import { waitingRoomKeys } from "../actors/waiting-room/keys.ts";
import { createLine, type Line, type LineEvent } from "../actors/waiting-room/line.ts";
import { startRedisServer } from "../test/support/processes.ts";

const run = promisify(execFile);
const integerFromEnv = (name: string, fallback: number) => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer`);
  return value;
};
const joinCount = integerFromEnv("BENCH_JOINS", 1_000_000);
const concurrency = integerFromEnv("BENCH_CONCURRENCY", 512);
const connections = integerFromEnv("BENCH_CONNECTIONS", 2);
const statusQueries = Math.min(joinCount, 200_000);
const keyPrefix = `bench-waiting-room-${process.pid}:`;
const admitPerMinute = 6_000;
const simulatedMinutes = 10;
const realTimeSeconds = 5;
const realTimeAdmitPerMinute = 60_000;
const tickMs = 250;
const eventId = "ev_bench";
const keys = waitingRoomKeys(eventId);

async function waitReady(redis: Redis): Promise<void> {
  if (redis.status !== "ready") await new Promise((resolve) => redis.once("ready", resolve));
}

/** Runs `count` tasks with at most `limit` in flight; returns elapsed seconds. */
async function bounded(
  count: number,
  limit: number,
  task: (index: number) => Promise<unknown>,
): Promise<number> {
  let next = 0;
  const started = process.hrtime.bigint();
  const worker = async () => {
    while (next < count) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, worker));
  return Number(process.hrtime.bigint() - started) / 1e9;
}

async function rawZadd(host: string, port: number, pipeline: number, requests: number): Promise<number> {
  const { stdout } = await run(
    "redis-benchmark",
    [
      "-h",
      host,
      "-p",
      String(port),
      "-q",
      "-n",
      String(requests),
      "-r",
      "1000000",
      "-P",
      String(pipeline),
    ].concat(["zadd", `${keyPrefix}raw:z`, "__rand_int__", "member:__rand_int__"]),
    { maxBuffer: 1 << 20 },
  );
  // `-q` ends with a line "<command>: NNN.NN requests per second, p50=..." (progress lines use \r).
  const match = /([\d.]+) requests per second/.exec(stdout.split("\r").pop() ?? stdout);
  if (!match) throw new Error(`cannot read redis-benchmark output: ${stdout.slice(-200)}`);
  return Number(match[1]);
}

/** user + system CPU seconds of a process (Linux /proc), 0 when unknown. */
async function processCpuSeconds(pid: number | undefined): Promise<number> {
  if (pid === undefined) return 0;
  try {
    const stat = await readFile(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return 0;
  }
}

async function deletePrefixed(redis: Redis): Promise<number> {
  // SCAN patterns are not prefixed by the client; DEL arguments are.
  let cursor = "0";
  let deleted = 0;
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", `${keyPrefix}*`, "COUNT", 1000);
    cursor = next;
    if (keys.length > 0) deleted += await redis.unlink(...keys.map((key) => key.slice(keyPrefix.length)));
  } while (cursor !== "0");
  return deleted;
}

function makeActor(redis: Redis, event: EventSettings, clock: Clock): WaitingRoomActor {
  return new WaitingRoomActor({
    eventId: event.eventId,
    redis,
    clock,
    ownerId: `bench.${process.pid}`,
    settings: createEventSettingsCache(async () => event, { ttlMs: 60_000 }),
    tokens: createAdmissionTokens("bench-secret"),
    notify: () => {},
    isPreferredOwner: () => true,
    onRetire: () => {},
    logger: console,
    tickMs,
  });
}

interface JoinFigures {
  joinsPerSec: number;
  joinSeconds: number;
  joinNodeCpuSeconds: number;
  joinRedisCpuSeconds: number;
}

/** 2. `joinCount` joins through the real join path: half before the sale (lottery), half after. */
async function measureJoins(
  admin: Redis,
  lines: Line[],
  lineEvent: LineEvent,
  times: { earlyNow: number; lateNow: number },
  redisPid: number | undefined,
): Promise<JoinFigures> {
  const half = Math.floor(joinCount / 2);
  let positioned = 0;
  const redisCpuBefore = await processCpuSeconds(redisPid);
  const nodeCpuBefore = process.cpuUsage();
  const joinSeconds = await bounded(joinCount, concurrency, async (index) => {
    const answer = await lines[index % connections].join(
      lineEvent,
      `user-${index}`,
      index < half ? times.earlyNow : times.lateNow,
    );
    if (answer.position !== null) positioned++;
  });
  const joinsPerSec = joinCount / joinSeconds;
  const nodeCpu = process.cpuUsage(nodeCpuBefore);
  const joinNodeCpuSeconds = (nodeCpu.user + nodeCpu.system) / 1e6;
  const joinRedisCpuSeconds = (await processCpuSeconds(redisPid)) - redisCpuBefore;
  const waitingCount = await admin.zcard(keys.waiting);
  if (waitingCount !== joinCount) throw new Error(`expected ${joinCount} waiting, found ${waitingCount}`);
  if (positioned !== joinCount - half)
    throw new Error(`expected ${joinCount - half} positions, got ${positioned}`);
  console.log(
    `joins: ${Math.round(joinsPerSec)}/s (${joinSeconds.toFixed(1)} s; CPU: node ${joinNodeCpuSeconds.toFixed(1)} s, ` +
      `redis ${joinRedisCpuSeconds.toFixed(1)} s)`,
  );
  return { joinsPerSec, joinSeconds, joinNodeCpuSeconds, joinRedisCpuSeconds };
}

/** 3. Position queries (the poll path) for random members of the line; answers queries per second. */
async function measurePositionQueries(lines: Line[], lineEvent: LineEvent, nowMs: number): Promise<number> {
  let seed = 1;
  const randomUser = () => `user-${(seed = (seed * 48_271) % 2_147_483_647) % joinCount}`;
  const statusSeconds = await bounded(statusQueries, concurrency, async (index) => {
    const answer = await lines[index % connections].status(lineEvent, randomUser(), nowMs);
    if (!answer || answer.position === null) throw new Error("a member lost its place");
  });
  const positionQueriesPerSec = statusQueries / statusSeconds;
  console.log(`position queries: ${Math.round(positionQueriesPerSec)}/s`);
  return positionQueriesPerSec;
}

/** 4a. Admission on a simulated clock: 10 minutes of 250 ms ticks, capacity not binding. */
async function measureSimulatedAdmission(admin: Redis, event: EventSettings) {
  const simulatedClock = new ManualClock(event.onSaleAtMs);
  const simulated = makeActor(admin, event, simulatedClock);
  let admittedSimulated = 0;
  const ticks = (simulatedMinutes * 60_000) / tickMs;
  const simulationStarted = Date.now();
  for (let tick = 0; tick < ticks; tick++) {
    admittedSimulated += (await simulated.tick()).admitted.length;
    simulatedClock.advance(tickMs);
  }
  await simulated.stop();
  const admittedPerMinute = admittedSimulated / simulatedMinutes;
  const admissionRateErrorPct = ((admittedPerMinute - admitPerMinute) / admitPerMinute) * 100;
  console.log(
    `admission (simulated ${simulatedMinutes} min in ${((Date.now() - simulationStarted) / 1000).toFixed(1)} s): ` +
      `${admittedPerMinute}/min for ${admitPerMinute}/min configured (${admissionRateErrorPct.toFixed(3)}%)`,
  );
  return { admittedSimulated, admissionRateErrorPct };
}

/** 4b. Admission on real timers for a few seconds, at a higher rate. */
async function measureRealTimeAdmission(admin: Redis, event: EventSettings) {
  event.waitingRoom = { ...event.waitingRoom, admitPerMinute: realTimeAdmitPerMinute };
  await admin.del(keys.state); // fresh token bucket for the new rate
  const realTime = makeActor(admin, event, systemClock);
  event.onSaleAtMs = Date.now() - 1;
  event.startsAtMs = Date.now() + 86_400_000;
  // The first ticks release the bucket's burst (one second's worth, in batches of at most
  // admissionBatchMax); the rate is measured once the bucket is empty.
  while ((await realTime.tick()).admitted.length >= admissionBatchMax);
  const before = await admin.zcard(keys.waiting);
  const realStarted = Date.now();
  realTime.start();
  await new Promise((resolve) => setTimeout(resolve, realTimeSeconds * 1000));
  await realTime.stop();
  const realElapsedMinutes = (Date.now() - realStarted) / 60_000;
  const admittedReal = before - (await admin.zcard(keys.waiting));
  const realPerMinute = admittedReal / realElapsedMinutes;
  const admissionRateErrorPctRealTime =
    ((realPerMinute - realTimeAdmitPerMinute) / realTimeAdmitPerMinute) * 100;
  console.log(
    `admission (real ${realTimeSeconds} s): ${Math.round(realPerMinute)}/min for ${realTimeAdmitPerMinute}/min ` +
      `configured (${admissionRateErrorPctRealTime.toFixed(2)}%)`,
  );
  return { admittedReal, admissionRateErrorPctRealTime, realElapsedMinutes };
}

async function main(): Promise<void> {
  const ownServer = process.env.BENCH_REDIS_URL ? null : await startRedisServer();
  const redisUrl = process.env.BENCH_REDIS_URL ?? ownServer!.url;
  const url = new URL(redisUrl);
  const clients = Array.from({ length: connections }, () => createRedis(redisUrl, keyPrefix));
  await Promise.all(clients.map(waitReady));
  const [admin] = clients;
  try {
    console.log(
      `redis ${redisUrl}; ${joinCount} joins, ${concurrency} in flight over ${connections} connections`,
    );
    const rawZaddPerSec = await rawZadd(url.hostname, Number(url.port || 6379), 16, 1_000_000);
    const rawZaddUnpipelinedPerSec = await rawZadd(url.hostname, Number(url.port || 6379), 1, 200_000);
    console.log(
      `raw redis-benchmark ZADD: ${rawZaddPerSec}/s pipelined x16, ${rawZaddUnpipelinedPerSec}/s unpipelined`,
    );

    const tokens = createAdmissionTokens("bench-secret");
    const lines = clients.map((client) => createLine(client, tokens));
    const clock = new ManualClock(Date.parse("2027-01-10T10:00:00Z"));
    const onSaleAtMs = clock.now() + 3_600_000;
    const settings = { ...waitingRoomDefaults, enabled: true, admitPerMinute, maxActiveShoppers: 1_000_000 };
    const lineEvent: LineEvent = { eventId, onSaleAtMs, settings };
    // First half joins before the sale (lottery), the second half after it opens (arrival order).
    const times = { earlyNow: onSaleAtMs - 60_000, lateNow: onSaleAtMs + 1 };
    const joins = await measureJoins(admin, lines, lineEvent, times, ownServer?.process.pid);
    const positionQueriesPerSec = await measurePositionQueries(lines, lineEvent, times.lateNow);

    const event: EventSettings = {
      eventId,
      onSaleAtMs,
      startsAtMs: onSaleAtMs + 86_400_000,
      waitingRoom: settings,
    };
    const simulated = await measureSimulatedAdmission(admin, event);
    const realTime = await measureRealTimeAdmission(admin, event);
    await writeResults({
      joinsPerSec: Math.round(joins.joinsPerSec),
      rawZaddPerSec,
      ratio: Number((joins.joinsPerSec / rawZaddPerSec).toFixed(3)),
      rawZaddUnpipelinedPerSec,
      ratioUnpipelined: Number((joins.joinsPerSec / rawZaddUnpipelinedPerSec).toFixed(3)),
      joinSeconds: Number(joins.joinSeconds.toFixed(2)),
      joinNodeCpuSeconds: Number(joins.joinNodeCpuSeconds.toFixed(2)),
      joinRedisCpuSeconds: Number(joins.joinRedisCpuSeconds.toFixed(2)),
      positionQueriesPerSec: Math.round(positionQueriesPerSec),
      admissionRateErrorPct: Number(simulated.admissionRateErrorPct.toFixed(3)),
      admissionRateErrorPctRealTime: Number(realTime.admissionRateErrorPctRealTime.toFixed(2)),
      joins: joinCount,
      concurrency,
      connections,
      positionQueries: statusQueries,
      admitPerMinute,
      simulatedMinutes,
      admittedSimulated: simulated.admittedSimulated,
      realTimeAdmitPerMinute,
      admittedRealTime: realTime.admittedReal,
      realTimeSeconds: Number((realTime.realElapsedMinutes * 60).toFixed(2)),
      redis: ownServer ? "private redis-server on a free port" : redisUrl,
      measuredAt: new Date().toISOString(),
    });
  } finally {
    const deleted = await deletePrefixed(admin).catch(() => 0);
    console.log(`deleted ${deleted} bench keys`);
    for (const client of clients) client.disconnect();
    await ownServer?.stop();
  }
}

async function writeResults(results: Record<string, unknown>): Promise<void> {
  const directory = fileURLToPath(new URL("./results/", import.meta.url));
  await mkdir(directory, { recursive: true });
  await writeFile(`${directory}waiting-room.json`, JSON.stringify(results, null, 2) + "\n");
  console.log(JSON.stringify(results, null, 2));
}

await main();
