// Health and metrics for nodes that run no gateway (actor nodes, the indexer): a tiny HTTP server on
// HEALTH_PORT answering `GET /health/live` and `GET /health/ready` like the gateway does, so that an
// orchestrator (Docker Compose, Kubernetes) can probe every role the same way, and `GET /metrics`
// with this node's own metrics (the booking, waiting-room and indexer metrics live in the registry of
// the node that runs them), with the gateway's rules: no host identity, METRICS_TOKEN when set
// (platform/metrics-server.ts). Nothing else is served.
import http from "node:http";
import type Moleculer from "moleculer";
import type { Runtime } from "./runtime.ts";
import { redisIsUp } from "./redis.ts";
import { answerMetrics } from "./metrics-server.ts";

type CheckState = "up" | "down" | "degraded";

/** Postgres must answer; Redis or the transporter being down only degrades (as in the contract). */
export async function nodeReadiness(
  runtime: Runtime,
  broker: Moleculer.ServiceBroker,
): Promise<{ ready: boolean; body: Record<string, unknown> }> {
  const checks: Record<string, CheckState> = {};
  try {
    await runtime.db.query({ text: "SELECT 1", query_timeout: 2_000 } as any);
    checks.postgres = "up";
  } catch {
    checks.postgres = "down";
  }
  checks.redis = redisIsUp(runtime.redis) ? "up" : "degraded";
  if (runtime.config.transporter) checks.transporter = (broker as any).transit?.connected ? "up" : "degraded";
  const states = Object.values(checks);
  const ready = !states.includes("down");
  const status = !ready ? "down" : states.includes("degraded") ? "degraded" : "ok";
  const services = [...new Set(broker.services.map((service) => service.name))].sort();
  return { ready, body: { status, checks, services } };
}

export async function startHealthServer(
  port: number,
  runtime: Runtime,
  broker: Moleculer.ServiceBroker,
): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { "Content-Type": "application/json; charset=utf-8" });
      res.end(JSON.stringify(body));
    };
    const path = req.url?.split("?")[0];
    if (req.method === "GET" && path === "/health/live") return send(200, { status: "ok" });
    if (req.method === "GET" && path === "/metrics") return answerMetrics(runtime.config, broker, req, res);
    if (req.method === "GET" && path === "/health/ready") {
      nodeReadiness(runtime, broker).then(
        ({ ready, body }) => send(ready ? 200 : 503, body),
        () => send(503, { status: "down" }),
      );
      return;
    }
    send(404, { error: { code: "NOT_FOUND", message: "Not found" } });
  });
  server.requestTimeout = 5_000;
  server.headersTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "0.0.0.0", () => resolve());
  });
  return server;
}
