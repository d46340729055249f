// Bounds on what one client can hold of the gateway's HTTP server before a request even reaches
// moleculer-web: header size, how long headers may trickle in (slowloris), how often Node enforces
// that, and how many connections may be open at once (a connection flood).
import type { Server } from "node:http";
import type { Config } from "../platform/config.ts";
import { httpConnectionsCheckIntervalMs, httpHeaderBytesMax } from "../domain/limits.ts";

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
