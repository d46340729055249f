// The routes the gateway answers itself, outside moleculer-web's aliases (health, metrics, the SSE
// stream): nothing validates them through an action's params, so their documentation is this table.
/** Routes answered outside moleculer-web's aliases (see gateway/raw-routes.ts and gateway/realtime/sse.ts). */
export interface RawRoute {
  method: string;
  path: string;
  summary: string;
  contentType: string;
  responses: Record<string, string>;
  tags?: string[];
  parameters?: Record<string, unknown>[];
  /** A 200 is a stream that stays open (`x-marquee-stream`: clients read it as events, not a body). */
  stream?: boolean;
}

export const rawRoutes: RawRoute[] = [
  {
    method: "GET",
    path: "/health/live",
    summary: "200 while the process runs",
    contentType: "application/json",
    responses: { "200": "alive" },
  },
  {
    method: "GET",
    path: "/health/ready",
    summary: "200 when Postgres and the booking actors can take requests (Redis/NATS down = degraded)",
    contentType: "application/json",
    responses: { "200": "ready (status ok or degraded)", "503": "not ready; the failing parts are named" },
  },
  {
    method: "GET",
    path: "/metrics",
    summary:
      "Prometheus metrics of this node, without host identity; `Authorization: Bearer <METRICS_TOKEN>` " +
      "when METRICS_TOKEN is set; on METRICS_PORT instead of this port when that is set",
    contentType: "text/plain",
    responses: {
      "200": "Prometheus text format",
      "401": "UNAUTHENTICATED: METRICS_TOKEN is set and was not sent",
      "404": "NOT_FOUND: METRICS_PORT is set (metrics are served there)",
    },
  },
  {
    method: "GET",
    path: "/events/{eventId}/updates",
    summary:
      "Server-sent events of an event's seat map: `event: seats` frames (the Socket.IO `seats` payload, " +
      "`id` = toVersion), a heartbeat comment every few seconds, `event: resync` when the client must " +
      "refetch /events/{eventId}/tickets; resumes after `Last-Event-ID` while those frames are buffered",
    contentType: "text/event-stream",
    tags: ["realtime"],
    parameters: [
      { name: "eventId", in: "path", required: true, schema: { type: "string" } },
      {
        name: "Last-Event-ID",
        in: "header",
        required: false,
        schema: { type: "string", pattern: "^(0|[1-9][0-9]{0,15})$" },
      },
    ],
    responses: {
      "200": "the stream (stays open)",
      "400": "VALIDATION_ERROR: a malformed event id or Last-Event-ID",
      "404": "NOT_FOUND: unknown event",
      "429": "RATE_LIMITED: this client holds all its streams on this node, or its rate limit (Retry-After)",
      "503": "OVERLOADED: too many streams on this gateway node (Retry-After)",
    },
    stream: true,
  },
];
