// The gateway's real-time layer: seat deltas from the booking actors fanned out over Socket.IO and
// SSE, plus per-user pushes. The api service (gateway/api.service.ts) hooks it in: its Moleculer
// event handlers, `attach` in started(), `close` in stopped(), `handleRequest` among the raw routes.
import { randomUUID } from "node:crypto";
import type { IncomingMessage, Server as HttpServer, ServerResponse } from "node:http";
import type { Context, LoggerInstance, ServiceBroker, ServiceEvents } from "moleculer";
import { seatsChangedEvent, toUserEvent, type SeatsChanged, type ToUser } from "../../domain/messages.ts";
import { MarqueeError } from "../../domain/errors.ts";
import { seatMapCallTimeoutMs } from "../../domain/limits.ts";
import type { Config } from "../../platform/config.ts";
import type { TokenVerifier } from "../auth.ts";
import { createRealtimeMetrics, type RealtimeMetrics } from "./metrics.ts";
import { validUserEventName } from "./requests.ts";
import { SeatHub } from "./seat-hub.ts";
import { invalidDeltaReason } from "./seat-stream.ts";
import { createSocketServer, type SocketServer } from "./socket-server.ts";
import { createSseServer, updatesPathPattern, type SseServer } from "./sse.ts";

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
  if (typeof version !== "number" || !Number.isSafeInteger(version) || version < 0)
    throw new Error("seat map answer without a valid version");
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

export function createRealtimeGateway(config: Config, tokens: TokenVerifier): RealtimeGateway {
  // Moleculer balances an emitted event over the instances of one group. Each gateway node is its
  // own group, so every node gets every delta and every user push, whether they are emitted or broadcast.
  const group = `gateway-${randomUUID()}`;
  let hub: SeatHub | null = null;
  let sockets: SocketServer | null = null;
  let sse: SseServer | null = null;
  let sweepTimer: NodeJS.Timeout | null = null;
  let gaugeTimer: NodeJS.Timeout | null = null;
  let log: LoggerInstance | null = null;
  let metrics: RealtimeMetrics | null = null;

  const events: ServiceEvents = {
    [seatsChangedEvent]: {
      group,
      context: true,
      handler(ctx: Context<SeatsChanged>) {
        const reason = invalidDeltaReason(ctx.params);
        if (reason) return log?.warn({ reason, from: ctx.nodeID }, "malformed seat delta ignored");
        metrics?.arrival(ctx.params.committedAt);
        hub?.receive(ctx.params);
      },
    },
    [toUserEvent]: {
      group,
      context: true,
      handler(ctx: Context<ToUser>) {
        const { userId, event, data } = ctx.params ?? ({} as ToUser);
        if (typeof userId !== "string" || !validUserEventName(event))
          return log?.warn({ from: ctx.nodeID }, "malformed realtime.toUser ignored");
        sockets?.toUser(userId, event, data);
      },
    },
  } as ServiceEvents;

  return {
    events,
    get hub() {
      return hub;
    },
    get sockets() {
      return sockets;
    },

    attach(server, broker, logger) {
      log = logger;
      const realtimeMetrics = createRealtimeMetrics(broker);
      metrics = realtimeMetrics;
      hub = new SeatHub({
        coalesceMs: config.realtimeCoalesceMs,
        fetchVersion: (eventId) => fetchSeatVersion(broker, eventId),
        onWarning: (message, details) => logger.warn(details, message),
        onFrame: (frame, oldestCommittedAt) => realtimeMetrics.frame(frame.changes.length, oldestCommittedAt),
      });
      sockets = createSocketServer(server, {
        hub,
        tokens,
        onError: (message, error) => logger.error({ error }, message),
      });
      sse = createSseServer({ hub, heartbeatMs: config.realtimeHeartbeatMs });
      sweepTimer = setInterval(() => hub?.sweep(), hubSweepMs);
      sweepTimer.unref();
      gaugeTimer = setInterval(() => {
        if (!hub || !sockets || !sse) return;
        realtimeMetrics.gauges({
          sockets: sockets.io.engine.clientsCount,
          sseStreams: sse.clientCount,
          eventsFollowed: hub.channelCount,
          laggingSockets: sockets.laggingCount,
        });
      }, gaugeRefreshMs);
      gaugeTimer.unref();
    },

    async handleRequest(request, response) {
      const path = request.url?.split("?")[0] ?? "";
      const match = updatesPathPattern.exec(path);
      if (!match || request.method !== "GET") return false;
      if (!sse) throw new MarqueeError("UNAVAILABLE", "Real-time updates are not running", undefined, 1);
      await sse.handle(request, response, match[1]);
      return true;
    },

    async close() {
      if (sweepTimer) clearInterval(sweepTimer);
      if (gaugeTimer) clearInterval(gaugeTimer);
      sse?.close();
      hub?.close();
      await sockets?.close();
      sse = null;
      sockets = null;
      hub = null;
    },
  };
}
