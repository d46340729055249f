// The HTTP benchmark's phases beside the buy path, by autocannon (raw keep-alive sockets, the
// cheapest client on a machine the node shares): waiting-room joins (`POST /events/:id/queue`, a
// fresh user per join) on an event with the waiting room on, and a trivial route (GET /health/live)
// against a bare `node:http` server answering the same JSON (bare-server.ts), in the same run.
import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import type { Signer } from "./tokens.ts";

export interface CannonSummary {
  requests: number;
  requestsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  /** Answers that were not 2xx, errors and timeouts. */
  failures: number;
}

export interface CannonOptions {
  url: string;
  connections: number;
  durationMs: number;
  requests?: autocannon.Request[];
}

const bareServerScript = fileURLToPath(new URL("./bare-server.ts", import.meta.url));
const bareServerStartMs = 20_000;

export async function cannon(options: CannonOptions): Promise<CannonSummary> {
  const result = await autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.durationMs / 1000,
    requests: options.requests,
    timeout: 30,
  });
  const ok = result["2xx"];
  return {
    requests: ok,
    requestsPerSec: Number((ok / Math.max(result.duration, 0.001)).toFixed(1)),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    failures: result.non2xx + result.errors + result.timeouts,
  };
}

/**
 * Joins of distinct users to the waiting room of `eventId`, `connections` at a time (keep-alive, each
 * connection sends its next join once the last is answered); `tag` keeps the users of one run apart
 * from another's on the same event.
 */
export function waitingRoomJoins(
  baseUrl: string,
  eventId: string,
  sign: Signer,
  settings: { connections: number; durationMs: number; tag: string },
): Promise<CannonSummary> {
  let joiner = 0;
  const { tag, ...load } = settings;
  return cannon({
    url: baseUrl,
    ...load,
    requests: [
      {
        method: "POST",
        path: `/events/${eventId}/queue`,
        setupRequest: (request) => ({
          ...request,
          headers: { ...request.headers, authorization: sign(`joiner-${tag}-${joiner++}`) },
        }),
      },
    ],
  });
}

/** Starts the bare server and answers its base URL and a stop function. */
export async function startBareServer(): Promise<{ baseUrl: string; stop(): void }> {
  const child = fork(bareServerScript, [], {
    execArgv: ["--import=tsx"],
    stdio: ["ignore", "ignore", "inherit", "ipc"],
  });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("bare server did not start")), bareServerStartMs);
    child.once("message", (message: { port: number }) => {
      clearTimeout(timer);
      resolve(message.port);
    });
    child.once("exit", (code) => reject(new Error(`bare server exited (${code})`)));
  });
  return { baseUrl: `http://127.0.0.1:${port}`, stop: () => child.kill() };
}

/** GET /health/live of the gateway, then of a bare server, the same connections and time each. */
export async function trivialRoute(
  gatewayUrl: string,
  settings: { connections: number; durationMs: number },
) {
  const gateway = await cannon({ url: `${gatewayUrl}/health/live`, ...settings });
  const bare = await startBareServer();
  try {
    const bareResult = await cannon({ url: `${bare.baseUrl}/health/live`, ...settings });
    return {
      gateway,
      bare: bareResult,
      ratio: Number((gateway.requestsPerSec / Math.max(bareResult.requestsPerSec, 0.1)).toFixed(2)),
    };
  } finally {
    bare.stop();
  }
}
