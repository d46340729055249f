// Broker options. One process with every service when TRANSPORTER is unset; several nodes over
// NATS otherwise, each starting the services named in SERVICES.
import type { BrokerOptions } from "moleculer";
import type { Config } from "./platform/config.ts";
import { requestEventId } from "./domain/ids.ts";
import { requestTimeoutMs, stopActionsTimeoutMs } from "./domain/limits.ts";
import { loggerOptions } from "./platform/logger.ts";
import { defaultNodeId } from "./platform/node-id.ts";
import { registerPrometheusReporter } from "./platform/prometheus.ts";
import { createErrorRegenerator } from "./platform/moleculer-errors.ts";
import { transporterOption } from "./platform/transporter.ts";
import { strictValidator } from "./platform/validator.ts";

export function brokerOptions(config: Config): BrokerOptions {
  registerPrometheusReporter();
  return {
    namespace: config.namespace,
    // Not Moleculer's default (`<host name>-<pid>`): no host identity in node ids (platform/node-id.ts).
    nodeID: config.nodeId ?? defaultNodeId(config.services),
    // NATS with a publish that cannot throw past Moleculer (platform/transporter.ts).
    transporter: transporterOption(config.transporter),
    serializer: "JSON",
    // JSON lines, or pino-pretty on a terminal (LOG_FORMAT; platform/logger.ts).
    logger: loggerOptions(config),
    logLevel: config.logLevel,
    // main.ts owns SIGTERM/SIGINT (drain, then stop once, then close the pools): Moleculer's own
    // handlers stopped the broker a second time beside it ("Unable to stop all services.") and exited
    // before the pools were closed.
    skipProcessEventRegistration: true,
    // A node that stops waits for the actions it is running (a confirm from another node's gateway,
    // an actor command) before its services stop (platform/stop-signals.ts has the whole stop's bound).
    tracking: { enabled: true, shutdownTimeout: stopActionsTimeoutMs },
    // The default of 0 waits forever on a dead node.
    requestTimeout: requestTimeoutMs,
    // A SIGKILLed node is noticed in ~3 s and its calls rerouted (default 10 s / 30 s).
    heartbeatInterval: 1,
    heartbeatTimeout: 3,
    retryPolicy: { enabled: false },
    // Re-route booking commands away from a node that answers "stale owner" (see actors/).
    contextParamsCloning: false,
    registry: {
      strategy: "Shard",
      // The event a call names (`eventId`, else the event of its ticket ids): a booking command goes
      // straight to the node owning its event, which runs it locally (one hop; from the gateway with
      // gateway/event-routing.ts, as moleculer-web picks endpoints with a context of its own).
      strategyOptions: {
        shardKey: (ctx: { params?: unknown }) => requestEventId(ctx.params),
        vnodes: 10,
        ringSize: 1000,
      },
      preferLocal: false,
    },
    // Every action has a bounded number of calls in flight and a bounded queue behind them.
    bulkhead: { enabled: true, concurrency: 500, maxQueueSize: 5_000 },
    circuitBreaker: { enabled: false },
    metrics: {
      enabled: true,
      reporter: [
        { type: "NodePrometheus", options: { defaultLabels: () => ({ namespace: config.namespace }) } },
      ],
    },
    tracing: { enabled: false },
    // fastest-validator refusing null unless a schema allows it (platform/validator.ts).
    validator: strictValidator(),
    // MarqueeErrors keep their code, details and Retry-After across the transporter.
    errorRegenerator: createErrorRegenerator(),
    errorHandler(error) {
      throw error;
    },
  };
}

export default brokerOptions;
