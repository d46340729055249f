// The gateway's real-time layer: seat deltas from the booking actors fanned out over Socket.IO and
// SSE, plus per-user pushes. The api service (gateway/api.service.ts) hooks it in: its Moleculer
// event handlers, `attach` in started(), `close` in stopped(), `handleRequest` among the raw routes.
import { randomUUID } from "node:crypto";
import type { IncomingMessage, Server as HttpServer, ServerResponse } from "node:http";
import type { Context, LoggerInstance, ServiceBroker, ServiceEvents } from "moleculer";
import {
  seatsChangedEvent,
  toUserEvent,
  toUsersEvent,
  type SeatsChanged,
  type ToUser,
  type ToUsers,
} from "../../domain/messages.ts";
import { invariant, MarqueeError } from "../../domain/errors.ts";
import { seatMapCallTimeoutMs, userPushesPerBroadcastMax } from "../../domain/limits.ts";
import type { Clock } from "../../domain/clock.ts";
import type { Config } from "../../platform/config.ts";
import type { TokenVerifier } from "../auth.ts";
import type { ClientOf } from "../client-key.ts";
import { createRealtimeMetrics, type RealtimeMetrics } from "./metrics.ts";
import { validUserEventName } from "./requests.ts";
import { SeatHub } from "./seat-hub.ts";
import { invalidDeltaReason } from "./seat-stream.ts";
import { createSocketServer, type SocketServer } from "./socket-server.ts";
import { createSseServer, updatesPathPattern, type SseServer } from "./sse.ts";

/** Who a connection counts against (the rate limit's client) and the clock of the handshake rate. */
export interface RealtimeClients {
  clientOf: ClientOf;
  clock: Clock;
}

export interface RealtimeGateway {
  /** Moleculer event handlers for the api service's schema. */
  events: ServiceEvents;
  attach(server: HttpServer, broker: ServiceBroker, logger: LoggerInstance): void;
  /** Raw routes: `GET /events/:eventId/updates`. True when the request was taken. */
  handleRequest(request: IncomingMessage, response: ServerResponse): Promise<boolean>;
  readonly hub: SeatHub | null;
  readonly sockets: SocketServer | null;
  close(): Promise<void>;
}

const hubSweepMs = 5_000;
const gaugeRefreshMs = 1_000;

function seatVersion(answer: unknown): number {
  const version = (answer as { version?: unknown } | null)?.version;
  invariant(
    typeof version === "number" && Number.isSafeInteger(version) && version >= 0,
    "seat map answer without a valid version",
  );
  return version;
}

/**
 * The event's current seat version, NOT_FOUND for an unknown event. Read from Postgres
 * (`catalog.seatVersion`): the actor writes `event_actors.seat_version` in the same transaction as
 * the seat changes and publishes the delta only after that commit, so deltas committed before this
 * read are stale here and the next one continues exactly from it. Not `booking.seatMap`: it would
 * wake the event's actor and carry the whole map, which past ~15,000 tickets exceeds NATS's 1 MB
 * payload.
 */
async function fetchSeatVersion(broker: ServiceBroker, eventId: string): Promise<number> {
  return seatVersion(
    await broker.call("catalog.seatVersion", { eventId }, { timeout: seatMapCallTimeoutMs }),
  );
}

/** What runs once attached to a server; hub, sockets and SSE are null again once closed. */
interface RealtimeParts {
  hub: SeatHub | null;
  sockets: SocketServer | null;
  sse: SseServer | null;
  log: LoggerInstance | null;
  metrics: RealtimeMetrics | null;
  timers: NodeJS.Timeout[];
}

/**
 * Seat deltas into the hub, user pushes to the user's sockets. Moleculer balances an emitted event
 * over the instances of one group; each gateway node is its own group, so every node gets every
 * delta and every user push, whether they are emitted or broadcast.
 */
function realtimeEvents(parts: RealtimeParts): ServiceEvents {
  const group = `gateway-${randomUUID()}`;
  return {
    [seatsChangedEvent]: {
      group,
      context: true,
      handler(ctx: Context<SeatsChanged>) {
        const reason = invalidDeltaReason(ctx.params);
        if (reason) return parts.log?.warn({ reason, from: ctx.nodeID }, "malformed seat delta ignored");
        parts.metrics?.arrival(ctx.params.committedAt);
        parts.hub?.receive(ctx.params);
      },
    },
    [toUserEvent]: {
      group,
      context: true,
      handler(ctx: Context<ToUser>) {
        const { userId, event, data } = ctx.params ?? ({} as ToUser);
        if (typeof userId !== "string" || !validUserEventName(event))
          return parts.log?.warn({ from: ctx.nodeID }, "malformed realtime.toUser ignored");
        parts.sockets?.toUser(userId, event, data);
      },
    },
    [toUsersEvent]: {
      group,
      context: true,
      handler(ctx: Context<ToUsers>) {
        const pushes = ctx.params?.pushes;
        if (!Array.isArray(pushes) || pushes.length > userPushesPerBroadcastMax)
          return parts.log?.warn({ from: ctx.nodeID }, "malformed realtime.toUsers ignored");
        for (const push of pushes) {
          const { userId, event, data } = push ?? ({} as ToUser);
          if (typeof userId !== "string" || !validUserEventName(event))
            parts.log?.warn({ from: ctx.nodeID }, "malformed push of realtime.toUsers ignored");
          else parts.sockets?.toUser(userId, event, data);
        }
      },
    },
  } as ServiceEvents;
}

/** The hub's sweep of idle channels and the gauges' refresh. */
function startTimers(parts: RealtimeParts, metrics: RealtimeMetrics): void {
  const sweepTimer = setInterval(() => parts.hub?.sweep(), hubSweepMs);
  const gaugeTimer = setInterval(() => {
    const { hub, sockets, sse } = parts;
    if (!hub || !sockets || !sse) return;
    metrics.gauges({
      sockets: sockets.io.engine.clientsCount,
      sseStreams: sse.clientCount,
      eventsFollowed: hub.channelCount,
      laggingSockets: sockets.laggingCount,
    });
  }, gaugeRefreshMs);
  for (const timer of [sweepTimer, gaugeTimer]) timer.unref();
  parts.timers.push(sweepTimer, gaugeTimer);
}

function attachParts(
  parts: RealtimeParts,
  { config, tokens, clients }: { config: Config; tokens: TokenVerifier; clients: RealtimeClients },
  [server, broker, logger]: Parameters<RealtimeGateway["attach"]>,
): void {
  parts.log = logger;
  const metrics = createRealtimeMetrics(broker);
  parts.metrics = metrics;
  const hub = new SeatHub({
    coalesceMs: config.realtimeCoalesceMs,
    fetchVersion: (eventId) => fetchSeatVersion(broker, eventId),
    onWarning: (message, details) => logger.warn(details, message),
    onFrame: (frame, oldestCommittedAt) => metrics.frame(frame.changes.length, oldestCommittedAt),
  });
  parts.hub = hub;
  parts.sockets = createSocketServer(server, {
    hub,
    tokens,
    clientOf: clients.clientOf,
    connectionsPerClientMax: config.socketConnectionsPerClientMax,
    handshakesPerClientPerSecond: config.socketHandshakesPerClientPerSecond,
    clock: clients.clock,
    onRefused: (reason) => metrics.refused(reason),
    onError: (message, error) => logger.error({ error }, message),
  });
  parts.sse = createSseServer({
    hub,
    heartbeatMs: config.realtimeHeartbeatMs,
    streamsPerClientMax: config.sseStreamsPerClientMax,
    onRefused: () => metrics.refused("streams"),
  });
  startTimers(parts, metrics);
}

export function createRealtimeGateway(
  config: Config,
  tokens: TokenVerifier,
  clients: RealtimeClients,
): RealtimeGateway {
  const parts: RealtimeParts = { hub: null, sockets: null, sse: null, log: null, metrics: null, timers: [] };
  return {
    events: realtimeEvents(parts),
    get hub() {
      return parts.hub;
    },
    get sockets() {
      return parts.sockets;
    },
    attach(...target) {
      attachParts(parts, { config, tokens, clients }, target);
    },
    async handleRequest(request, response) {
      const path = request.url?.split("?")[0] ?? "";
      const match = updatesPathPattern.exec(path);
      if (!match || request.method !== "GET") return false;
      const client = await clients.clientOf(request);
      if (!parts.sse)
        throw new MarqueeError("UNAVAILABLE", "Real-time updates are not running", undefined, 1);
      await parts.sse.handle(request, response, match[1], client);
      return true;
    },
    async close() {
      for (const timer of parts.timers) clearInterval(timer);
      parts.sse?.close();
      parts.hub?.close();
      await parts.sockets?.close();
      parts.sse = null;
      parts.sockets = null;
      parts.hub = null;
    },
  };
}
