// Starts Marquee as several processes over NATS on this machine: one gateway, two actor nodes and
// the indexer (`npm run cluster`), for the rush and the fault tests. Each node is
// `node --import=tsx main.ts` with its SERVICES (booking nodes may get another entry script:
// `bookingNodeScript`); all share one database and one Moleculer namespace.
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { serviceFactories } from "../services.ts";
import { stopTimeoutMs } from "../domain/limits.ts";
import { loadConfig, type Config } from "../platform/config.ts";
import { handleStopSignals } from "../platform/stop-signals.ts";
import { oneAddressManyClientsEnv } from "./client-caps-env.ts";

export interface ClusterNodeSpec {
  name: string;
  services: string[];
  /** The gateway node listens on the cluster's port. */
  gateway?: boolean;
  /** Another node's HEALTH_PORT (its /health/* and /metrics); none when unset. */
  healthPort?: number;
}

export const defaultTopology: ClusterNodeSpec[] = [
  { name: "gateway", services: ["api", "catalog", "search"], gateway: true },
  { name: "actor-1", services: ["booking", "waiting-room"] },
  { name: "actor-2", services: ["booking", "waiting-room"] },
  { name: "indexer", services: ["indexer", "webhooks"] },
];

export interface ClusterOptions {
  databaseUrl: string;
  port: number;
  transporter?: string;
  namespace?: string;
  redisUrl?: string;
  redisKeyPrefix?: string;
  topology?: ClusterNodeSpec[];
  env?: Record<string, string>;
  /**
   * The entry script of the nodes that run the `booking` service (default main.ts): the rush starts
   * its baseline cluster with loadtest/classic/classic-node.ts (a `booking` on the classic engine).
   */
  bookingNodeScript?: string;
  /** Where node output goes: inherit (terminal), or ignore. */
  output?: "inherit" | "ignore";
  /** Appends each node's output to `<logDirectory>/<name>.log` instead (fault tests keep it for a post-mortem). */
  logDirectory?: string;
  /** Called when a node exits that was not asked to (kill, stop): `npm run cluster` says so. */
  onNodeExit?: (exit: NodeExit) => void;
}

/** How a node process ended: its exit code, or the signal that ended it. */
export interface NodeExit {
  name: string;
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface RunningNode {
  spec: ClusterNodeSpec;
  process: ChildProcess;
}

export interface Cluster {
  baseUrl: string;
  nodes: RunningNode[];
  /** Starts a node again (after a kill) with the same spec. */
  restart(name: string): Promise<RunningNode>;
  kill(name: string, signal?: NodeJS.Signals): Promise<void>;
  /** SIGTERM to every node (SIGKILL after the grace time); how each one ended, those that had died included. */
  stop(): Promise<NodeExit[]>;
}

const repositoryRoot = fileURLToPath(new URL("..", import.meta.url));
const mainScript = fileURLToPath(new URL("../main.ts", import.meta.url));
const readyTimeoutMs = 60_000;
/** A node stops by itself within stopTimeoutMs (platform/stop-signals.ts); past this it gets SIGKILL. */
const stopGraceMs = stopTimeoutMs + 500;

export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const namespace = options.namespace ?? `cluster-${process.pid}-${Date.now().toString(36)}`;
  // Only roles whose services exist in this build (keeps the script valid as services are added).
  const topology = (options.topology ?? defaultTopology)
    .map((spec) => ({ ...spec, services: spec.services.filter((name) => name in serviceFactories) }))
    .filter((spec) => spec.services.length > 0);
  const baseUrl = `http://127.0.0.1:${options.port}`;
  const nodes: RunningNode[] = [];

  const gatewaySpec = topology.find((spec) => spec.gateway);
  if (!gatewaySpec) throw new Error("the topology needs a gateway node");
  // Exits nobody asked for are reported once the cluster is up (a death while starting fails the start).
  const expected = new Set<ChildProcess>();
  const exits = new Map<string, NodeExit>();
  let up = false;
  const start = (spec: ClusterNodeSpec): RunningNode => {
    const node = launch(spec, options, namespace);
    node.process.once("exit", (code, signal) => {
      const exit = { name: spec.name, code, signal };
      if (nodes.includes(node)) exits.set(spec.name, exit);
      if (up && !expected.has(node.process)) options.onNodeExit?.(exit);
    });
    return node;
  };
  // The gateway migrates the database first; the others start once it is up.
  nodes.push(start(gatewaySpec));
  for (const spec of topology) if (spec !== gatewaySpec) nodes.push(start(spec));
  try {
    await waitReady(baseUrl, topology, nodes);
  } catch (error) {
    await Promise.all(nodes.map((node) => stopProcess(node.process, "SIGKILL")));
    throw error;
  }
  up = true;

  const cluster: Cluster = {
    baseUrl,
    nodes,
    async restart(name) {
      const spec = topology.find((candidate) => candidate.name === name);
      if (!spec) throw new Error(`no node ${name}`);
      const node = start(spec);
      exits.delete(name);
      nodes.splice(
        nodes.findIndex((candidate) => candidate.spec.name === name),
        1,
        node,
      );
      await waitReady(baseUrl, topology, nodes);
      return node;
    },
    async kill(name, signal = "SIGKILL") {
      const node = nodes.find((candidate) => candidate.spec.name === name);
      if (!node) return;
      expected.add(node.process);
      await stopProcess(node.process, signal);
    },
    async stop() {
      await Promise.all(nodes.map((node) => cluster.kill(node.spec.name, "SIGTERM")));
      return nodes.map(
        (node) => exits.get(node.spec.name) ?? { name: node.spec.name, code: null, signal: null },
      );
    },
  };
  return cluster;
}

/** Spawns one node: `node --import=tsx <script>` with the cluster's settings and the node's SERVICES. */
function launch(spec: ClusterNodeSpec, options: ClusterOptions, namespace: string): RunningNode {
  const logFile = options.logDirectory
    ? openSync(path.join(options.logDirectory, `${spec.name}.log`), "a")
    : null;
  const output = logFile ?? options.output ?? "ignore";
  // `node --import=tsx main.ts`, not the tsx CLI: the CLI runs node as a child of its own and cannot
  // pass a SIGKILL on, which would leave the "killed" node running.
  const script = spec.services.includes("booking") ? (options.bookingNodeScript ?? mainScript) : mainScript;
  const child = spawn(process.execPath, ["--import=tsx", script], {
    cwd: repositoryRoot,
    env: {
      ...process.env,
      NODE_ENV: process.env.NODE_ENV ?? "development",
      DEMO_DATA: "false",
      ...options.env,
      DATABASE_URL: options.databaseUrl,
      TRANSPORTER: options.transporter ?? "nats://127.0.0.1:4222",
      NAMESPACE: namespace,
      NODE_ID: `${spec.name}-${namespace}`,
      SERVICES: spec.services.join(","),
      PORT: String(options.port),
      ...(spec.healthPort ? { HEALTH_PORT: String(spec.healthPort) } : {}),
      ...(options.redisUrl ? { REDIS_URL: options.redisUrl } : {}),
      ...(options.redisKeyPrefix ? { REDIS_KEY_PREFIX: options.redisKeyPrefix } : {}),
    },
    stdio: ["ignore", output, output],
  });
  if (logFile !== null) closeSync(logFile); // the child has its own copy
  return { spec, process: child };
}

/** Waits until the gateway reports every service of the topology ready; fails if a node died meanwhile. */
async function waitReady(baseUrl: string, topology: ClusterNodeSpec[], nodes: RunningNode[]): Promise<void> {
  const deadline = Date.now() + readyTimeoutMs;
  const wanted = new Set(topology.flatMap((spec) => spec.services).filter((name) => name !== "api"));
  while (Date.now() < deadline) {
    // A node that died while starting (port taken, bad config) fails the start at once.
    const dead = nodes.find((node) => node.process.exitCode !== null || node.process.signalCode !== null);
    if (dead)
      throw new Error(
        `cluster node ${dead.spec.name} exited while starting (${dead.process.exitCode ?? dead.process.signalCode})`,
      );
    try {
      const ready = await fetch(`${baseUrl}/health/ready`, { signal: AbortSignal.timeout(2_000) });
      const body = (await ready.json()) as { services?: string[] };
      const seen = new Set(body.services ?? []);
      if (ready.status === 200 && [...wanted].every((name) => seen.has(name))) return;
    } catch {
      /* not up yet */
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`cluster not ready within ${readyTimeoutMs} ms`);
}

/** Sends the signal and waits for the exit; a process still running after 10 s gets SIGKILL. */
async function stopProcess(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill(signal);
  const timer = setTimeout(() => child.kill("SIGKILL"), stopGraceMs);
  await exited;
  clearTimeout(timer);
}

/** `npm run cluster`: starts the cluster and keeps it running until SIGTERM or SIGINT (Ctrl-C). */
async function runCluster(): Promise<void> {
  const say = (line: string) => process.stdout.write(`cluster: ${line}\n`);
  const sayError = (line: string) => process.stderr.write(`cluster: ${line}\n`);
  let config: Config;
  try {
    // The nodes' own settings checked once, before any starts (SERVICES is the topology's).
    config = loadConfig({ ...process.env, SERVICES: "all" }, { serviceNames: Object.keys(serviceFactories) });
  } catch (error) {
    sayError(`cannot start: ${(error as Error).message}`);
    process.exit(1);
  }
  const cluster = await startCluster({
    databaseUrl: config.databaseUrl,
    port: config.port,
    transporter: config.transporter ?? undefined,
    // NAMESPACE when given; a fresh one otherwise (no node of another run on this NATS joins in).
    namespace: process.env.NAMESPACE ? config.namespace : undefined,
    output: "inherit",
    // Every other node serves its health and metrics on the ports after the gateway's (3001-3003).
    topology: defaultTopology.map((spec, index) =>
      spec.gateway ? spec : { ...spec, healthPort: config.port + index },
    ),
    // k6 (loadtest/k6/) drives it with thousands of users from one address.
    env: { DEMO_DATA: process.env.DEMO_DATA ?? "true", ...oneAddressManyClientsEnv },
    onNodeExit: (exit) =>
      sayError(`node ${exit.name} died (${exitText(exit)}); the other nodes keep running`),
  });
  const nodes = cluster.nodes.map(
    (node) =>
      `${node.spec.name}[${node.spec.services}] pid ${node.process.pid}` +
      (node.spec.healthPort ? ` health+metrics :${node.spec.healthPort}` : ""),
  );
  say(`up: ${nodes.join(", ")} at ${cluster.baseUrl}`);
  handleStopSignals({
    logger: { info: say, warn: sayError, error: sayError },
    timeoutMs: stopGraceMs + 500,
    async stop() {
      const exits = await cluster.stop();
      const unclean = exits.filter((exit) => exit.code !== 0);
      if (unclean.length > 0)
        throw new Error(
          `not stopped cleanly: ${unclean.map((exit) => `${exit.name} (${exitText(exit)})`).join(", ")}`,
        );
      say(`every node stopped cleanly: ${exits.map((exit) => exit.name).join(", ")}`);
    },
    // A forced or failed stop leaves no node behind.
    exit(code) {
      if (code !== 0) for (const node of cluster.nodes) node.process.kill("SIGKILL");
      process.exit(code);
    },
  });
}

const exitText = (exit: NodeExit) => (exit.signal ? `signal ${exit.signal}` : `exit code ${exit.code}`);

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await runCluster();
