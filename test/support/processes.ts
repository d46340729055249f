// Private copies of services for tests that must stop one (never the shared ones): started on a free
// port, stopped by PID.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Whether a port can be bound on every address (as a node's HEALTH_PORT binds it) right now. */
function portBindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "0.0.0.0", () => server.close(() => resolve(true)));
  });
}

/**
 * `count` consecutive free ports (`npm run cluster` gives its nodes the ports after the gateway's),
 * below the kernel's ephemeral range (32768-60999): a run of ports inside it can be taken at any
 * moment as the source port of some client connection on the machine, which failed a start in CI
 * with EADDRINUSE.
 */
export async function freePortRun(count: number): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * (32_000 - 20_000 - count));
    let free = true;
    for (let port = base; free && port < base + count; port++) free = await portBindable(port);
    if (free) return base;
  }
  throw new Error(`no run of ${count} free ports below 32000`);
}

export async function waitForPort(port: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, "127.0.0.1");
      socket.once("connect", () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on port ${port}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export interface PrivateService {
  url: string;
  port: number;
  process: ChildProcess;
  stop(): Promise<void>;
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGKILL");
  await exited;
}

/** A throwaway redis-server (no persistence) on a free port. */
export async function startRedisServer(): Promise<PrivateService> {
  const port = await freePort();
  const child = spawn(
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
    { stdio: "ignore" },
  );
  await waitForPort(port);
  return { url: `redis://127.0.0.1:${port}`, port, process: child, stop: () => stopProcess(child) };
}

export interface RestartableRedisServer {
  url: string;
  port: number;
  /** SIGTERM by PID (a clean shutdown: the append-only file is flushed); resolves once it exited. */
  stop(): Promise<void>;
  /** Starts it again on the same port and data directory. */
  start(): Promise<void>;
  /** Stops it and removes its data directory. */
  destroy(): Promise<void>;
}

/**
 * A redis-server on a free port that a test can stop and start again. With `persistent` it keeps an
 * append-only file in a temporary directory, so it comes back with its data, as a production Redis
 * with AOF would.
 */
export async function startRestartableRedisServer(
  options: { persistent?: boolean } = {},
): Promise<RestartableRedisServer> {
  const port = await freePort();
  const directory = await mkdtemp(path.join(os.tmpdir(), "marquee-redis-"));
  let child: ChildProcess | null = null;

  async function start(): Promise<void> {
    if (child) return;
    child = spawn(
      "redis-server",
      ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--dir", directory].concat([
        "--appendonly",
        options.persistent ? "yes" : "no",
      ]),
      { stdio: "ignore" },
    );
    await waitForPort(port);
  }

  async function stop(): Promise<void> {
    const running = child;
    child = null;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => running.once("exit", () => resolve()));
    process.kill(running.pid!, "SIGTERM");
    await exited;
  }

  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop,
    start,
    async destroy() {
      await stop();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

/**
 * A TCP relay to PostgreSQL on a free port: a node pointed at it works until `stop()` closes the relay
 * and every connection through it, as if the database went away.
 */
export async function startTcpRelay(
  targetPort: number,
  targetHost = "127.0.0.1",
): Promise<{
  port: number;
  stop(): Promise<void>;
}> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, targetHost);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.once("close", () => sockets.delete(socket));
      socket.on("error", () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    port,
    async stop() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

export interface RestartableNatsServer {
  url: string;
  port: number;
  /** The running server's PID (null while stopped). */
  readonly pid: number | null;
  /** Stops it by PID with the signal (SIGKILL by default: a crash); resolves once it exited. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same port. */
  start(): Promise<void>;
}

export const natsServerBinary = process.env.NATS_SERVER_BINARY || "/usr/sbin/nats-server";

/** A private nats-server (`nats-server -p N -a 127.0.0.1`) that a test can stop and start again. */
export async function startNatsServer(): Promise<RestartableNatsServer> {
  const port = await freePort();
  let child: ChildProcess | null = null;

  async function start(): Promise<void> {
    if (child) return;
    child = spawn(natsServerBinary, ["-p", String(port), "-a", "127.0.0.1"], { stdio: "ignore" });
    await waitForPort(port);
  }

  async function stop(signal: NodeJS.Signals = "SIGKILL"): Promise<void> {
    const running = child;
    child = null;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => running.once("exit", () => resolve()));
    process.kill(running.pid!, signal);
    await exited;
  }

  await start();
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    get pid() {
      return child?.pid ?? null;
    },
    stop,
    start,
  };
}
