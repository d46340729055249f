// Who may read `/metrics` and where (contract v1.1 "Operations"). With METRICS_TOKEN set, only a
// request with `Authorization: Bearer <METRICS_TOKEN>` gets the text (compared in constant time; 401
// otherwise). With METRICS_PORT set, the gateway serves metrics on that port only, on this small HTTP
// server (like platform/health-server.ts; nothing else is served there), and `/metrics` on the
// public port is a 404. Either way the text carries no host identity (platform/prometheus.ts).
import { createHash, timingSafeEqual } from "node:crypto";
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import type Moleculer from "moleculer";
import { metricsRequestTimeoutMs } from "../domain/limits.ts";
import type { Config } from "./config.ts";
import { renderMetrics } from "./prometheus.ts";

type MetricsAccess = Pick<Config, "metricsToken" | "metricsPort">;

const digest = (text: string): Buffer => createHash("sha256").update(text).digest();

/** Whether the request may read metrics: always without a token configured, else with exactly that bearer token. */
export function metricsAuthorized(token: string | null, authorization: string | undefined): boolean {
  if (token === null) return true;
  const sent = /^Bearer (\S+)$/.exec(authorization ?? "")?.[1] ?? "";
  // Digests of equal length, so the comparison takes the same time whatever was sent.
  return timingSafeEqual(digest(sent), digest(token));
}

function sendError(response: ServerResponse, status: 401 | 404, headers: Record<string, string> = {}): void {
  const error =
    status === 401
      ? { code: "UNAUTHENTICATED", message: "The metrics token is required" }
      : { code: "NOT_FOUND", message: "Not found" };
  response.writeHead(status, { "Content-Type": "application/json; charset=utf-8", ...headers });
  response.end(JSON.stringify({ error }));
}

/** Answers `GET /metrics`: the Prometheus text, or 401 without the token it needs. */
export function answerMetrics(
  access: MetricsAccess,
  broker: Moleculer.ServiceBroker,
  request: IncomingMessage,
  response: ServerResponse,
): void {
  if (!metricsAuthorized(access.metricsToken, request.headers.authorization))
    return sendError(response, 401, { "WWW-Authenticate": 'Bearer realm="metrics"' });
  response.writeHead(200, { "Content-Type": "text/plain; version=0.0.4; charset=utf-8" });
  response.end(renderMetrics(broker));
}

/** The public port's `/metrics`: answered there unless METRICS_PORT moved it (then 404). */
export function answerPublicMetrics(
  access: MetricsAccess,
  broker: Moleculer.ServiceBroker,
  request: IncomingMessage,
  response: ServerResponse,
): void {
  if (access.metricsPort !== null) return sendError(response, 404);
  answerMetrics(access, broker, request, response);
}

export interface MetricsServer {
  readonly port: number;
  close(): Promise<void>;
}

/** The server on METRICS_PORT; null when METRICS_PORT is unset (metrics on the public port). */
export async function startMetricsServer(
  access: MetricsAccess,
  broker: Moleculer.ServiceBroker,
): Promise<MetricsServer | null> {
  if (access.metricsPort === null) return null;
  const server = http.createServer((request, response) => {
    if (request.method === "GET" && request.url?.split("?")[0] === "/metrics")
      return answerMetrics(access, broker, request, response);
    sendError(response, 404);
  });
  server.requestTimeout = metricsRequestTimeoutMs;
  server.headersTimeout = metricsRequestTimeoutMs;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(access.metricsPort!, "0.0.0.0", () => resolve());
  });
  return {
    port: (server.address() as { port: number }).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
