// The gateway's HTTP server: where it listens, and bounds on what one client can hold of it before a
// request even reaches moleculer-web: how long a request may take to arrive, header size, how long
// headers may trickle in (slowloris), how often Node enforces that, and how many connections may be
// open at once (a connection flood).
import type { Server } from "node:http";
import type { Config } from "../platform/config.ts";
import {
  httpConnectionsCheckIntervalMs,
  httpHeaderBytesMax,
  httpRequestReceiveTimeoutMs,
} from "../domain/limits.ts";

/**
 * The longest an action the gateway calls may take before its timeout answers (creating an event:
 * catalog/event-admin-actions.ts; a confirm takes 30 s, every other call the broker's 10 s). A test
 * checks it against the timeouts of every registered action.
 */
export const actionTimeoutMsMax = 120_000;
/** Time past an action's timeout for its error answer to be written on a loaded event loop. */
export const httpAnswerMarginMs = 10_000;
/**
 * How long a connection may go without a byte either way before Node destroys it (`server.timeout`).
 * A request waiting on an action sends nothing until the action answers or times out, so this must
 * outlast the longest action timeout: at 30 s it cut a confirm waiting out its own 30 s timeout (a
 * reply lost with a NATS server) a moment before the gateway wrote the 503, and the client got a closed
 * connection instead of an answer. Slow senders are bounded by `requestTimeout` and `headersTimeout`.
 */
export const httpSocketIdleTimeoutMs = actionTimeoutMsMax + httpAnswerMarginMs;

/** moleculer-web's settings for the server it creates. */
export function httpServerSettings(config: Pick<Config, "port">): Record<string, unknown> {
  return {
    port: config.port,
    ip: "0.0.0.0",
    httpServerTimeout: httpSocketIdleTimeoutMs,
    // A request (headers and body, at most 64 KiB) must arrive within this; Node's default is 300 s.
    requestTimeout: httpRequestReceiveTimeoutMs,
  };
}

/** Applied once moleculer-web has created the server, before it listens. */
export function applyHttpServerLimits(
  server: Server,
  config: Pick<Config, "httpConnectionsMax" | "httpHeadersTimeoutMs">,
): void {
  // Both are options of http.createServer that Node reads from the server object: maxHeaderSize for
  // each new connection, connectionsCheckingInterval when the server starts listening (moleculer-web
  // listens in `started`, after this).
  const options = server as Server & { maxHeaderSize: number; connectionsCheckingInterval: number };
  options.maxHeaderSize = httpHeaderBytesMax;
  options.connectionsCheckingInterval = httpConnectionsCheckIntervalMs;
  // Node requires headersTimeout <= requestTimeout (set from the gateway's settings).
  server.headersTimeout = Math.min(config.httpHeadersTimeoutMs, server.requestTimeout || Infinity);
  server.maxConnections = config.httpConnectionsMax;
}
