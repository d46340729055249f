// Marquee nodes as child processes (`node --import tsx main.ts`, one process, so SIGKILL really kills
// the node: the tsx CLI would put a relay process in between).
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { createHttpClient, uniqueName, type HttpClient } from "./system.ts";
import { freePort } from "./processes.ts";
import { clusterTestEnv } from "./clusters.ts";

const projectRoot = fileURLToPath(new URL("../../", import.meta.url));

export interface NodeProcess extends HttpClient {
  child: ChildProcess;
  baseUrl: string;
  /** Everything the node wrote to stdout and stderr (for failure messages). */
  output(): string;
  /** Resolves with the exit code or signal once the process is gone. */
  exited: Promise<number | string>;
  kill(signal: NodeJS.Signals): Promise<number | string>;
}

export async function startNodeProcess(
  env: Record<string, string>,
  readyTimeoutMs = 30_000,
): Promise<NodeProcess> {
  const port = env.PORT ? Number(env.PORT) : await freePort();
  const child = spawn(process.execPath, ["--import", "tsx", "main.ts"], {
    cwd: projectRoot,
    env: {
      ...process.env,
      NODE_ENV: "test",
      LOG_LEVEL: "warn",
      DEMO_DATA: "false",
      WORKER_POOL_SIZE: "1",
      REDIS_KEY_PREFIX: `${uniqueName("mq")}:`,
      RATE_LIMIT_PER_WINDOW: "100000",
      ...clusterTestEnv(env),
      ...env,
      PORT: String(port),
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (chunk) => (output += chunk));
  child.stderr!.on("data", (chunk) => (output += chunk));
  const exited = new Promise<number | string>((resolve) =>
    child.once("exit", (code, signal) => resolve(code ?? signal ?? "unknown")),
  );
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + readyTimeoutMs;
  let gone = false;
  void exited.then(() => (gone = true));
  for (;;) {
    if (gone) throw new Error(`node exited before it was ready:\n${output}`);
    try {
      const response = await fetch(`${baseUrl}/health/ready`);
      if (response.status === 200) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`node not ready after ${readyTimeoutMs} ms:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    ...createHttpClient(baseUrl),
    child,
    baseUrl,
    output: () => output,
    exited,
    async kill(signal) {
      if (!gone) child.kill(signal);
      return exited;
    },
  };
}
