// Configuration from the environment, read once and passed down explicitly (no hidden globals),
// so tests and several nodes in one process can each run with their own settings.
import os from "node:os";
import {
  httpConnectionsPerNodeMaxDefault,
  httpHeadersReceiveTimeoutMsDefault,
  realtimeCoalesceMsDefault,
  realtimeCoalesceMsMax,
  seatMapCoalesceMsDefault,
  sseHeartbeatMsDefault,
  startActorWorkerTimeoutMsDefault,
  startDatabaseTimeoutMsDefault,
  startDemoSeedTimeoutMsDefault,
  startMigrationsTimeoutMsDefault,
  startServiceTimeoutMsDefault,
  startTransporterTimeoutMsDefault,
  metricsTokenLengthMax,
  metricsTokenLengthMin,
  socketConnectionsPerClientMaxDefault,
  socketHandshakesPerClientPerSecondDefault,
  sseStreamsPerClientMaxDefault,
} from "../domain/limits.ts";

export interface Config {
  port: number;
  /**
   * Nodes without the gateway (SERVICES without `api`) serve /health/live and /health/ready on this
   * port when it is set (container health checks); unset = no HTTP at all on such nodes.
   */
  healthPort: number | null;
  databaseUrl: string;
  redisUrl: string;
  /** Prefix of every Redis key this node writes; tests give each run its own. */
  redisKeyPrefix: string;
  /** Unset = one process with every service; e.g. `nats://127.0.0.1:4222` for several nodes. */
  transporter: string | null;
  /** Moleculer namespace: nodes only see nodes of the same namespace (tests isolate runs with it). */
  namespace: string;
  nodeId: string | null;
  /** Services this node starts; `all` starts every one. */
  services: string[];
  holdTtlSeconds: number;
  authSecret: string;
  authJwksUrl: string | null;
  authDevTokens: boolean;
  searchBackend: "postgres" | "elasticsearch";
  elasticsearchUrl: string | null;
  demoData: boolean;
  workerPoolSize: number;
  /** The payment provider of the confirm saga (PAYMENT_PROVIDER; actors/payments/providers.ts). */
  paymentProvider: PaymentProviderName;
  /** Check every invariant of a seat state after each actor turn (O(seats) per turn: tests only). */
  actorParanoidChecks: boolean;
  /**
   * Test hook for crash tests: the confirm saga sleeps this long between recording a capture and
   * booking, so a test can SIGKILL the node in that window. Refused in production.
   */
  testPauseAfterCaptureMs: number;
  /** Per-client rate limit: requests per window. */
  rateLimitPerWindow: number;
  rateLimitWindowMs: number;
  /** Open TCP connections per gateway node (HTTP_CONNECTIONS_MAX; see domain/limits.ts). */
  httpConnectionsMax: number;
  /** A request's headers must arrive within this (HTTP_HEADERS_TIMEOUT_MS; slow clients). */
  httpHeadersTimeoutMs: number;
  /** Trust `X-Forwarded-For` only when this is set (the address of the proxy in front). */
  trustedProxy: string | null;
  logLevel: string;
  production: boolean;
  /** Seat deltas of one event are merged over this window before fan-out (REALTIME_COALESCE_MS). */
  realtimeCoalesceMs: number;
  /** A catalog node publishes a new seat-map snapshot per event at most this often (SEAT_MAP_COALESCE_MS). */
  seatMapCoalesceMs: number;
  /** SSE heartbeat comment interval (REALTIME_HEARTBEAT_MS). */
  realtimeHeartbeatMs: number;
  /** The timeout of each stage of a node's start (START_*_TIMEOUT_MS; domain/limits.ts). */
  startTimeouts: StartTimeouts;
  /** Per-client caps on live connections per gateway node (domain/limits.ts; the load tests raise them). */
  socketConnectionsPerClientMax: number;
  socketHandshakesPerClientPerSecond: number;
  sseStreamsPerClientMax: number;
  /** When set, `/metrics` answers only `Authorization: Bearer <METRICS_TOKEN>` (METRICS_TOKEN). */
  metricsToken: string | null;
  /** When set, the gateway serves `/metrics` on this port only, not on PORT (METRICS_PORT). */
  metricsPort: number | null;
}

/** Milliseconds each stage of a node's start may take (see platform/start-stages.ts). */
export interface StartTimeouts {
  databaseMs: number;
  migrationsMs: number;
  transporterMs: number;
  /** Each service's start. */
  serviceMs: number;
  /** Each actor worker's "ready" (then it is killed and started again). */
  actorWorkerMs: number;
  demoSeedMs: number;
}

/** The payment providers a node can use (one so far: the simulated one with the test tokens). */
export const paymentProviderNames = ["simulated"] as const;
export type PaymentProviderName = (typeof paymentProviderNames)[number];
const isPaymentProviderName = (name: string): name is PaymentProviderName =>
  (paymentProviderNames as readonly string[]).includes(name);

export const developmentAuthSecret = "marquee-development-secret-change-me-in-production";

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, minimum = 0): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < minimum)
    throw new Error(`${name} must be an integer >= ${minimum}`);
  return value;
}

function boolean(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  return raw === "true" || raw === "1";
}

type ClientConnectionCaps = Pick<
  Config,
  "socketConnectionsPerClientMax" | "socketHandshakesPerClientPerSecond" | "sseStreamsPerClientMax"
>;

function clientConnectionCaps(env: NodeJS.ProcessEnv): ClientConnectionCaps {
  return {
    socketConnectionsPerClientMax: integer(
      env,
      "SOCKET_CONNECTIONS_PER_CLIENT_MAX",
      socketConnectionsPerClientMaxDefault,
      1,
    ),
    socketHandshakesPerClientPerSecond: integer(
      env,
      "SOCKET_HANDSHAKES_PER_CLIENT_PER_SECOND",
      socketHandshakesPerClientPerSecondDefault,
      1,
    ),
    sseStreamsPerClientMax: integer(env, "SSE_STREAMS_PER_CLIENT_MAX", sseStreamsPerClientMaxDefault, 1),
  };
}

/** METRICS_TOKEN: printable ASCII without spaces, long enough; METRICS_PORT: a port other than PORT. */
function metricsAccess(env: NodeJS.ProcessEnv): Pick<Config, "metricsToken" | "metricsPort"> {
  const token = env.METRICS_TOKEN || null;
  const tokenPattern = new RegExp(`^[\\x21-\\x7e]{${metricsTokenLengthMin},${metricsTokenLengthMax}}$`);
  if (token !== null && !tokenPattern.test(token))
    throw new Error(
      `METRICS_TOKEN must be ${metricsTokenLengthMin} to ${metricsTokenLengthMax} printable characters without spaces`,
    );
  const port = env.METRICS_PORT ? integer(env, "METRICS_PORT", 0, 1) : null;
  if (port !== null && port > 65_535) throw new Error("METRICS_PORT must be a port number (1-65535)");
  if (port !== null && port === integer(env, "PORT", 3000))
    throw new Error("METRICS_PORT must differ from PORT (the public port)");
  return { metricsToken: token, metricsPort: port };
}

function startTimeouts(env: NodeJS.ProcessEnv): StartTimeouts {
  const timeout = (name: string, fallback: number) => integer(env, `START_${name}_TIMEOUT_MS`, fallback, 1);
  return {
    databaseMs: timeout("DATABASE", startDatabaseTimeoutMsDefault),
    migrationsMs: timeout("MIGRATIONS", startMigrationsTimeoutMsDefault),
    transporterMs: timeout("TRANSPORTER", startTransporterTimeoutMsDefault),
    serviceMs: timeout("SERVICE", startServiceTimeoutMsDefault),
    actorWorkerMs: timeout("ACTOR_WORKER", startActorWorkerTimeoutMsDefault),
    demoSeedMs: timeout("DEMO_SEED", startDemoSeedTimeoutMsDefault),
  };
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const realtimeCoalesceMs = integer(env, "REALTIME_COALESCE_MS", realtimeCoalesceMsDefault);
  if (realtimeCoalesceMs > realtimeCoalesceMsMax)
    throw new Error(`REALTIME_COALESCE_MS must be at most ${realtimeCoalesceMsMax}`);
  const seatMapCoalesceMs = integer(env, "SEAT_MAP_COALESCE_MS", seatMapCoalesceMsDefault);
  if (seatMapCoalesceMs > realtimeCoalesceMsMax)
    throw new Error(`SEAT_MAP_COALESCE_MS must be at most ${realtimeCoalesceMsMax}`);
  const production = env.NODE_ENV === "production";
  const authSecret = env.AUTH_SECRET || developmentAuthSecret;
  if (production && authSecret === developmentAuthSecret && !env.AUTH_JWKS_URL) {
    throw new Error("AUTH_SECRET or AUTH_JWKS_URL must be set in production");
  }
  // The dev token issuer mints admin tokens for anyone who asks: never in production, whatever the flag.
  if (production && boolean(env, "AUTH_DEV_TOKENS", false))
    throw new Error(
      "AUTH_DEV_TOKENS=true is refused with NODE_ENV=production: POST /auth/token would let anyone mint an admin token (unset AUTH_DEV_TOKENS)",
    );
  const searchBackend = env.SEARCH_BACKEND || "postgres";
  if (searchBackend !== "postgres" && searchBackend !== "elasticsearch") {
    throw new Error("SEARCH_BACKEND must be postgres or elasticsearch");
  }
  const paymentProvider = env.PAYMENT_PROVIDER || "simulated";
  if (!isPaymentProviderName(paymentProvider))
    throw new Error(`PAYMENT_PROVIDER must be one of: ${paymentProviderNames.join(", ")}`);
  return {
    port: integer(env, "PORT", 3000),
    healthPort: env.HEALTH_PORT ? integer(env, "HEALTH_PORT", 0) : null,
    databaseUrl: env.DATABASE_URL || "postgres://postgres@127.0.0.1:5432/marquee",
    redisUrl: env.REDIS_URL || "redis://127.0.0.1:6379",
    redisKeyPrefix: env.REDIS_KEY_PREFIX || "marquee:",
    transporter: env.TRANSPORTER || null,
    namespace: env.NAMESPACE || "marquee",
    nodeId: env.NODE_ID || null,
    services: (env.SERVICES || "all")
      .split(",")
      .map((name) => name.trim())
      .filter(Boolean),
    holdTtlSeconds: integer(env, "HOLD_TTL_SECONDS", 600, 1),
    authSecret,
    authJwksUrl: env.AUTH_JWKS_URL || null,
    authDevTokens: boolean(env, "AUTH_DEV_TOKENS", !production),
    searchBackend,
    elasticsearchUrl: env.ELASTICSEARCH_URL || null,
    demoData: boolean(env, "DEMO_DATA", false),
    workerPoolSize: integer(env, "WORKER_POOL_SIZE", os.availableParallelism(), 1),
    paymentProvider,
    actorParanoidChecks: boolean(env, "ACTOR_PARANOID_CHECKS", false),
    testPauseAfterCaptureMs: production ? 0 : integer(env, "TEST_PAUSE_AFTER_CAPTURE_MS", 0),
    rateLimitPerWindow: integer(env, "RATE_LIMIT_PER_WINDOW", 600, 1),
    rateLimitWindowMs: integer(env, "RATE_LIMIT_WINDOW_MS", 10_000, 100),
    httpConnectionsMax: integer(env, "HTTP_CONNECTIONS_MAX", httpConnectionsPerNodeMaxDefault, 1),
    httpHeadersTimeoutMs: integer(env, "HTTP_HEADERS_TIMEOUT_MS", httpHeadersReceiveTimeoutMsDefault, 100),
    trustedProxy: env.TRUSTED_PROXY || null,
    logLevel: env.LOG_LEVEL || (env.NODE_ENV === "test" ? "warn" : "info"),
    production,
    realtimeCoalesceMs,
    seatMapCoalesceMs,
    realtimeHeartbeatMs: integer(env, "REALTIME_HEARTBEAT_MS", sseHeartbeatMsDefault, 100),
    startTimeouts: startTimeouts(env),
    ...clientConnectionCaps(env),
    ...metricsAccess(env),
  };
}
