// The routes the gateway answers itself, outside moleculer-web's aliases (health, metrics, the SSE
// stream): nothing validates them through an action's params, so their documentation is this table.
import { headerRefs, parameterRef, rateLimitHeaderNames } from "./headers.ts";
import { errorContent } from "./operations.ts";
import { ref } from "./schemas/common.ts";

/** Routes answered outside moleculer-web's aliases (see gateway/raw-routes.ts and gateway/realtime/sse.ts). */
export interface RawRoute {
  method: string;
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  /** OpenAPI response objects by status. */
  responses: Record<string, unknown>;
  tags?: string[];
  security?: Record<string, string[]>[];
  parameters?: Record<string, unknown>[];
  /** A 200 is a stream that stays open (`x-marquee-stream`: clients read it as events, not a body). */
  stream?: boolean;
}

const json = (schemaName: string) => ({ "application/json": { schema: ref(schemaName) } });
/** An error of a route that answers before the rate limit (no RateLimit-* headers). */
const plainError = (description: string) => ({ description, content: errorContent() });
/** A shared error answer (after the rate limit), with what it means on this route. */
const sharedError = (status: string, description: string) => ({
  $ref: `#/components/responses/E${status}`,
  description,
});

export const rawRoutes: RawRoute[] = [
  {
    method: "GET",
    path: "/health/live",
    operationId: "health.live",
    summary: "200 while the process runs (answered before the rate limit: probes are never throttled)",
    responses: { "200": { description: "alive", content: json("Liveness") } },
  },
  {
    method: "GET",
    path: "/health/ready",
    operationId: "health.ready",
    summary: "200 when Postgres and the booking actors can take requests (Redis/NATS down = degraded)",
    responses: {
      "200": { description: "ready (status ok or degraded)", content: json("Readiness") },
      "503": {
        description: "not ready (status down); the failing parts are named",
        content: json("Readiness"),
      },
    },
  },
  {
    method: "GET",
    path: "/metrics",
    operationId: "metrics",
    summary: "Prometheus metrics of this node, without host identity",
    description:
      "`Authorization: Bearer <METRICS_TOKEN>` when METRICS_TOKEN is set; served on METRICS_PORT instead " +
      "of this port when that is set. Answered before the rate limit.",
    security: [{}, { metricsToken: [] }],
    responses: {
      "200": {
        description: "Prometheus text format",
        content: { "text/plain": { schema: { type: "string" } } },
      },
      "401": plainError("UNAUTHENTICATED: METRICS_TOKEN is set and was not sent"),
      "404": plainError("NOT_FOUND: METRICS_PORT is set (metrics are served there)"),
    },
  },
  {
    method: "GET",
    path: "/events/{eventId}/updates",
    operationId: "realtime.updates",
    summary: "Server-sent events of an event's seat map",
    description:
      "`event: seats` frames (data: a SeatsFrame, `id` = its toVersion), a heartbeat comment every few " +
      "seconds, `event: resync` (data: a ResyncNotice) when the client must refetch " +
      "/events/{eventId}/tickets; resumes after `Last-Event-ID` while those frames are buffered.",
    tags: ["realtime"],
    parameters: [
      { name: "eventId", in: "path", required: true, schema: { type: "string" } },
      parameterRef("LastEventId"),
    ],
    responses: {
      "200": {
        description: "the stream (stays open)",
        headers: headerRefs(rateLimitHeaderNames),
        content: { "text/event-stream": { schema: { type: "string" } } },
      },
      "400": sharedError("400", "VALIDATION_ERROR: a malformed event id or Last-Event-ID"),
      "404": sharedError("404", "NOT_FOUND: unknown event"),
      "429": sharedError(
        "429",
        "RATE_LIMITED: this client holds all its streams on this node, or its rate limit",
      ),
      "503": sharedError("503", "OVERLOADED: too many streams on this gateway node"),
    },
    stream: true,
  },
];
