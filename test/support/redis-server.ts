// A Redis server of a test's own, on a free port, for tests that stop and restart Redis (the shared
// one on 6379 is never touched). Stopped by its PID. With `persistent`, it keeps its data in an
// append-only file in a temporary directory, so a restart comes back with the data, as a production
// Redis with AOF would.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";

export interface TestRedisServer {
  port: number;
  url: string;
  readonly pid: number | undefined;
  /** SIGTERM by PID; resolves when the process has exited. */
  stop(): Promise<void>;
  /** Starts it again on the same port (and data directory). */
  start(): Promise<void>;
  /** Stops it and removes its data directory. */
  destroy(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

async function waitForPing(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, "127.0.0.1");
      socket.setTimeout(500);
      socket.once("connect", () => socket.write("PING\r\n"));
      socket.once("data", (data) => {
        socket.destroy();
        resolve(data.toString().startsWith("+PONG"));
      });
      socket.once("error", () => resolve(false));
      socket.once("timeout", () => {
        socket.destroy();
        resolve(false);
      });
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`redis-server on port ${port} did not answer`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export async function startRedisServer(options: { persistent?: boolean } = {}): Promise<TestRedisServer> {
  const port = await freePort();
  const directory = await mkdtemp(path.join(os.tmpdir(), "marquee-redis-"));
  let child: ChildProcess | null = null;

  async function start(): Promise<void> {
    if (child) return;
    const args = ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--dir", directory];
    args.push("--appendonly", options.persistent ? "yes" : "no");
    const spawned = spawn("redis-server", args, { stdio: "ignore" });
    spawned.once("exit", () => {
      if (child === spawned) child = null;
    });
    child = spawned;
    await waitForPing(port, 10_000);
  }

  async function stop(): Promise<void> {
    const running = child;
    if (!running || running.exitCode !== null || running.pid === undefined) {
      child = null;
      return;
    }
    const exited = new Promise((resolve) => running.once("exit", resolve));
    process.kill(running.pid, "SIGTERM");
    await exited;
    child = null;
  }

  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    get pid() {
      return child?.pid;
    },
    stop,
    start,
    async destroy() {
      await stop();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
