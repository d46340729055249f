// Routes the gateway answers before moleculer-web's action mapping (documented in
// gateway/openapi/raw-routes.ts): liveness, readiness and Prometheus metrics (behind METRICS_TOKEN
// when set, and a 404 here when METRICS_PORT serves them: platform/metrics-server.ts).
import type { IncomingMessage, ServerResponse } from "node:http";
import type { ServiceBroker } from "moleculer";
import type { Runtime } from "../platform/runtime.ts";
import { nodeReadiness } from "../platform/health-server.ts";
import { answerPublicMetrics } from "../platform/metrics-server.ts";
import { sendJson } from "./http-message.ts";

/** Services some node of the cluster offers right now. */
export function availableServices(broker: ServiceBroker): string[] {
  const list = (broker.registry as any).getServiceList({ onlyAvailable: true }) as { name: string }[];
  return [...new Set(list.map((service) => service.name))].filter((name) => !name.startsWith("$")).sort();
}

/** As every node reports (platform/health-server.ts), plus: some node offers the booking actors. */
async function answerReadiness(runtime: Runtime, broker: ServiceBroker, res: ServerResponse): Promise<void> {
  const { ready, body } = await nodeReadiness(runtime, broker);
  const services = availableServices(broker);
  const checks = {
    ...(body.checks as Record<string, string>),
    // The booking actors (on this node or another) can take requests.
    booking: (broker.registry as any).getActionEndpoints("booking.execute")?.hasAvailable() ? "up" : "down",
  };
  const down = !ready || checks.booking === "down";
  sendJson(res, down ? 503 : 200, { ...body, status: down ? "down" : body.status, checks, services });
}

/** Answers a raw route; false when the request is for another route. */
export async function handleRawRoute(
  runtime: Runtime,
  broker: ServiceBroker,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<boolean> {
  if (req.method !== "GET") return false;
  const query = req.url?.indexOf("?") ?? -1;
  const url = query === -1 ? req.url : req.url!.slice(0, query);
  if (url === "/health/live") {
    sendJson(res, 200, { status: "ok" });
    return true;
  }
  if (url === "/health/ready") {
    await answerReadiness(runtime, broker, res);
    return true;
  }
  if (url === "/metrics") {
    answerPublicMetrics(runtime.config, broker, req, res);
    return true;
  }
  return false;
}
