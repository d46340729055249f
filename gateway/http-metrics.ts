// `marquee_http_request_duration_seconds{route, method, status}`: every request the gateway's
// handler sees (REST, health, metrics, SSE, the web UI; Socket.IO's own requests never reach it), from
// its arrival to the end of its answer, by route template (gateway/route-templates.ts), method and
// status. An SSE stream counts when it ends, for as long as it lasted. A request whose client left
// before the answer began is status 499 (nginx's "client closed request").
import type { IncomingMessage, ServerResponse } from "node:http";
import { performance } from "node:perf_hooks";
import { httpRequestSeriesMax } from "../domain/limits.ts";
import { LabelledHistogram } from "../platform/labelled-histogram.ts";
import type { MetricFamily } from "../platform/prometheus-text.ts";
import { createRouteMatcher } from "./route-templates.ts";

const knownMethods = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);
/** From a cached answer to a slow confirm (the payment provider's timeout is 10 s). */
const bounds = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const clientClosedRequest = 499;

export interface HttpRequestMetrics {
  /** Starts timing the request; it is counted when its answer ends or its connection closes. */
  observe(request: IncomingMessage, response: ServerResponse): void;
  collect(): MetricFamily[];
}

export function createHttpRequestMetrics(templates: readonly string[]): HttpRequestMetrics {
  const routeOf = createRouteMatcher(templates);
  const histogram = new LabelledHistogram({
    name: "marquee_http_request_duration_seconds",
    help: "HTTP requests to the gateway: time from arrival to the end of the answer, by route template, method and status",
    bounds,
    seriesMax: httpRequestSeriesMax,
    overflowLabels: { route: "other", method: "other", status: "other" },
  });
  return {
    observe(request, response) {
      const started = performance.now();
      const route = routeOf(request.url ?? "");
      const method = knownMethods.has(request.method ?? "") ? request.method! : "OTHER";
      response.once("close", () => {
        const status = response.headersSent ? response.statusCode : clientClosedRequest;
        const seconds = (performance.now() - started) / 1_000;
        histogram.observe(`${route} ${method} ${status}`, () => ({ route, method, status }), seconds);
      });
    },
    collect: () => [histogram.family()],
  };
}
