// What a log line says of a request: its method and route template (`/events/{eventId}`, the alias
// moleculer-web matched, spelled as the HTTP metrics' `route` label), or, for a request answered
// before routing (the rate limit, health, SSE), its path without the query string, shortened.
import type { GatewayRequest } from "./http-message.ts";

const pathShownMax = 120;

export interface RequestRoute {
  method: string;
  /** The alias's template; absent when moleculer-web did not route the request. */
  route?: string;
  /** Only for a request that was not routed. */
  path?: string;
}

export function requestRoute(req: GatewayRequest & { $alias?: { fullPath?: string } }): RequestRoute {
  const method = req.method ?? "GET";
  const template = req.$alias?.fullPath;
  if (template) return { method, route: template.replace(/:([A-Za-z0-9_]+)/g, "{$1}") };
  const path = (req.url ?? "").split("?")[0];
  return { method, path: path.length > pathShownMax ? `${path.slice(0, pathShownMax)}...` : path };
}
