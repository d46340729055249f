// A Redis Cluster and a NATS cluster of local processes, for the tests that run Marquee past one
// machine's engines (test/support/with-clusters.ts, test/faults/cluster-kill.test.ts): every node on
// free ports, its files in a temporary directory, stopped by PID and the directory removed at the end.
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { Redis, type Cluster } from "ioredis";
import { parseHostPort } from "../../platform/config-reader.ts";
import { createRedis, createRedisCluster, type RedisClient } from "../../platform/redis.ts";
import { freePort, natsServerBinary, waitForPort } from "./processes.ts";

const run = promisify(execFile);
export const redisServerBinary = process.env.REDIS_SERVER_BINARY || "/usr/bin/redis-server";
export const redisCliBinary = process.env.REDIS_CLI_BINARY || "/usr/bin/redis-cli";
const readyTimeoutMs = 30_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `count` distinct free ports (a port handed out twice would make two nodes fight over it). */
async function freePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}

async function killProcess(child: ChildProcess, signal: NodeJS.Signals = "SIGKILL"): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  process.kill(child.pid!, signal);
  await exited;
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = readyTimeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(100);
  }
}

export interface RedisClusterNode {
  port: number;
  child: ChildProcess;
}

export interface RedisClusterProcesses {
  nodes: RedisClusterNode[];
  /** REDIS_CLUSTER_NODES for Marquee: every node, `127.0.0.1:P,...`. */
  seeds: string;
  /** The port of the master serving the slot of `key` now. */
  masterOf(key: string): Promise<number>;
  /** SIGKILLs the node on `port` (a crash). */
  kill(port: number): Promise<void>;
  /** Resolves once every live node says the cluster is ok and every slot has a live master. */
  waitHealthy(timeoutMs?: number): Promise<void>;
  /** Lua script calls (EVAL and EVALSHA) the live nodes have run: proof that clients used the cluster. */
  scriptCalls(): Promise<number>;
  stop(): Promise<void>;
}

export interface RedisClusterOptions {
  masters?: number;
  /** Replicas per master: with one, a killed master's replica takes its slots over. */
  replicas?: number;
  /** cluster-node-timeout: how long a silent master goes before a failover (Redis's default: 15 s). */
  nodeTimeoutMs?: number;
}

/** One admin connection a call (no prefix, no retries): the tests' view of one node. */
async function onNode<T>(port: number, use: (redis: Redis) => Promise<T>): Promise<T> {
  const redis = new Redis({ port, host: "127.0.0.1", lazyConnect: true, maxRetriesPerRequest: 0 });
  redis.on("error", () => {});
  try {
    await redis.connect();
    return await use(redis);
  } finally {
    redis.disconnect();
  }
}

/** `CLUSTER NODES` as lines: id, port, flags, slots. */
async function clusterNodes(port: number) {
  const text = (await onNode(port, (redis) => redis.call("CLUSTER", "NODES"))) as string;
  return text
    .trim()
    .split("\n")
    .map((line) => {
      const [id, address, flags, , , , , , ...slots] = line.split(" ");
      return { id, port: Number(address.split("@")[0].split(":").pop()), flags: flags.split(","), slots };
    });
}

/**
 * `masters` redis-servers with cluster mode on (no persistence), made one cluster by
 * `redis-cli --cluster create`, with `replicas` replicas per master.
 */
export async function startRedisCluster(options: RedisClusterOptions = {}): Promise<RedisClusterProcesses> {
  const masters = options.masters ?? 3;
  const replicas = options.replicas ?? 0;
  const count = masters * (1 + replicas);
  const directory = await mkdtemp(path.join(os.tmpdir(), "marquee-redis-cluster-"));
  const ports = await freePorts(count * 2);
  const nodes: RedisClusterNode[] = [];
  const stop = async () => {
    await Promise.all(nodes.map((node) => killProcess(node.child)));
    await rm(directory, { recursive: true, force: true });
  };
  try {
    for (let index = 0; index < count; index++) {
      const [port, busPort] = [ports[index * 2], ports[index * 2 + 1]];
      const child = spawn(
        redisServerBinary,
        ["--port", String(port), "--cluster-port", String(busPort), "--bind", "127.0.0.1"].concat(
          ["--cluster-enabled", "yes", "--cluster-config-file", `nodes-${port}.conf`],
          ["--cluster-node-timeout", String(options.nodeTimeoutMs ?? 1_000)],
          // The slots of the masters alive keep being served while one master is down.
          ["--cluster-require-full-coverage", "no"],
          ["--save", "", "--appendonly", "no", "--dir", directory],
        ),
        { stdio: "ignore" },
      );
      nodes.push({ port, child });
    }
    await Promise.all(nodes.map((node) => waitForPort(node.port)));
    await run(
      redisCliBinary,
      ["--cluster", "create", ...nodes.map((node) => `127.0.0.1:${node.port}`)].concat([
        "--cluster-replicas",
        String(replicas),
        "--cluster-yes",
      ]),
      { timeout: readyTimeoutMs },
    );
  } catch (error) {
    await stop();
    throw error;
  }
  const live = () => nodes.filter((node) => node.child.exitCode === null && node.child.signalCode === null);
  const cluster: RedisClusterProcesses = {
    nodes,
    seeds: nodes.map((node) => `127.0.0.1:${node.port}`).join(","),
    async masterOf(key) {
      const [port] = live().map((node) => node.port);
      const slot = (await onNode(port, (redis) => redis.call("CLUSTER", "KEYSLOT", key))) as number;
      const master = (await clusterNodes(port)).find(
        (node) =>
          node.flags.includes("master") &&
          !node.flags.includes("fail") &&
          node.slots.some((range) => {
            const [from, to = from] = range.split("-").map(Number);
            return slot >= from && slot <= to;
          }),
      );
      if (!master) throw new Error(`no live master serves slot ${slot}`);
      return master.port;
    },
    async kill(port) {
      const node = nodes.find((candidate) => candidate.port === port);
      if (!node) throw new Error(`no cluster node on port ${port}`);
      await killProcess(node.child);
    },
    async waitHealthy(timeoutMs = readyTimeoutMs) {
      await until(
        "the Redis Cluster to be healthy",
        async () => {
          for (const node of live()) {
            const info = (await onNode(node.port, (redis) => redis.call("CLUSTER", "INFO"))) as string;
            if (!/cluster_state:ok/.test(info) || !/cluster_slots_ok:16384/.test(info)) return undefined;
            const replication = await onNode(node.port, (redis) => redis.info("replication"));
            if (/role:slave/.test(replication) && !/master_link_status:up/.test(replication))
              return undefined;
          }
          return true;
        },
        timeoutMs,
      );
    },
    async scriptCalls() {
      let calls = 0;
      for (const node of live()) {
        const stats = await onNode(node.port, (redis) => redis.info("commandstats"));
        for (const match of stats.matchAll(/^cmdstat_(?:eval|evalsha):calls=(\d+)/gm))
          calls += Number(match[1]);
      }
      return calls;
    },
    stop,
  };
  await cluster.waitHealthy().catch(async (error) => {
    await stop();
    throw error;
  });
  return cluster;
}

export interface NatsClusterServer {
  port: number;
  clusterPort: number;
  monitorPort: number;
  child: ChildProcess;
}

export interface NatsClusterProcesses {
  servers: NatsClusterServer[];
  /** TRANSPORTER for Marquee: every server, `nats://127.0.0.1:P,...`. */
  url: string;
  /** Client connections per server now (from each server's /varz), by port. */
  connections(): Promise<Map<number, number>>;
  /** SIGKILLs the server on `port` (a crash). */
  kill(port: number): Promise<void>;
  /** Messages the live servers received from clients and routes: proof that clients used the cluster. */
  messagesIn(): Promise<number>;
  stop(): Promise<void>;
}

/** `count` nats-servers routed to each other as one cluster (core NATS: Marquee uses no JetStream). */
export async function startNatsCluster(count = 3): Promise<NatsClusterProcesses> {
  const ports = await freePorts(count * 3);
  const name = `marquee-test-${process.pid}-${Date.now().toString(36)}`;
  const servers: NatsClusterServer[] = [];
  for (let index = 0; index < count; index++)
    servers.push({
      port: ports[index * 3],
      clusterPort: ports[index * 3 + 1],
      monitorPort: ports[index * 3 + 2],
      child: null as unknown as ChildProcess,
    });
  const stop = () => Promise.all(servers.filter((server) => server.child).map((s) => killProcess(s.child)));
  const varz = async (server: NatsClusterServer, page: string) =>
    (await (
      await fetch(`http://127.0.0.1:${server.monitorPort}/${page}`, { signal: AbortSignal.timeout(2_000) })
    ).json()) as Record<string, any>;
  try {
    for (const [index, server] of servers.entries()) {
      const routes = servers
        .filter((other) => other !== server)
        .map((other) => `nats://127.0.0.1:${other.clusterPort}`)
        .join(",");
      server.child = spawn(
        natsServerBinary,
        ["-a", "127.0.0.1", "-p", String(server.port), "-m", String(server.monitorPort)].concat(
          ["-n", `${name}-${index}`, "--cluster_name", name],
          ["--cluster", `nats://127.0.0.1:${server.clusterPort}`, "--routes", routes],
        ),
        { stdio: "ignore" },
      );
    }
    await Promise.all(servers.map((server) => waitForPort(server.port)));
    await until("the NATS servers to route to each other", async () => {
      for (const server of servers)
        if ((await varz(server, "routez")).num_routes < count - 1) return undefined;
      return true;
    });
  } catch (error) {
    await stop();
    throw error;
  }
  const live = () => servers.filter((server) => server.child.exitCode === null && !server.child.signalCode);
  return {
    servers,
    url: servers.map((server) => `nats://127.0.0.1:${server.port}`).join(","),
    async connections() {
      const counts = await Promise.all(
        live().map(async (server) => (await varz(server, "varz")).connections),
      );
      return new Map(live().map((server, index) => [server.port, Number(counts[index])]));
    },
    async messagesIn() {
      const counts = await Promise.all(
        live().map(async (server) => Number((await varz(server, "varz")).in_msgs)),
      );
      return counts.reduce((sum, count) => sum + count, 0);
    },
    async kill(port) {
      const server = servers.find((candidate) => candidate.port === port);
      if (!server) throw new Error(`no NATS server on port ${port}`);
      await killProcess(server.child);
    },
    async stop() {
      await stop();
    },
  };
}

/**
 * The NATS a test's nodes talk over: the cluster `npm run test:clusters` started (TEST_NATS_URL lists
 * its servers), else NATS_URL's server, else the local one.
 */
export const testNatsUrl = process.env.TEST_NATS_URL || process.env.NATS_URL || "nats://127.0.0.1:4222";

/**
 * Settings that point a test's node at the clusters `npm run test:clusters` started
 * (TEST_REDIS_CLUSTER_NODES), unless the test names its own Redis (a private server it stops).
 * NATS needs nothing here: the tests that use NATS take testNatsUrl, which then lists the cluster.
 */
export function clusterTestEnv(env: Record<string, string | undefined> = {}): Record<string, string> {
  const nodes = process.env.TEST_REDIS_CLUSTER_NODES;
  if (!nodes || env.REDIS_URL !== undefined || env.REDIS_CLUSTER_NODES !== undefined) return {};
  return { REDIS_CLUSTER_NODES: nodes };
}

/**
 * A Redis client with `prefix` for a test that talks to Redis itself: the cluster's under
 * `npm run test:clusters` (TEST_REDIS_CLUSTER_NODES), else REDIS_URL's; resolves once it is ready.
 */
export async function connectTestRedis(prefix: string): Promise<RedisClient> {
  const seeds = process.env.TEST_REDIS_CLUSTER_NODES;
  const redis = seeds
    ? createRedisCluster(
        seeds.split(",").map((seed) => parseHostPort(seed.trim())!),
        prefix,
      )
    : createRedis(process.env.REDIS_URL || "redis://127.0.0.1:6379", prefix);
  if (redis.status !== "ready") await new Promise((resolve) => redis.once("ready", resolve));
  return redis;
}

/** Deletes every key under `prefix` (on each master of a cluster: KEYS sees one node only). */
export async function deleteTestKeys(redis: RedisClient, prefix: string): Promise<void> {
  if (!redis.isCluster) {
    const keys = await (redis as Redis).keys(`${prefix}*`);
    // KEYS answers whole keys; the client adds the prefix to DEL's again.
    if (keys.length > 0) await redis.del(...keys.map((key) => key.slice(prefix.length)));
    return;
  }
  for (const node of (redis as Cluster).nodes("master")) {
    const keys = await node.keys(`${prefix}*`);
    // A node's own connection has no prefix, and one DEL per key: they sit in different slots.
    await Promise.all(keys.map((key) => node.del(key)));
  }
}
