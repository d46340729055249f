// Configuration from the environment, read once and passed down explicitly (no hidden globals),
// so tests and several nodes in one process can each run with their own settings.
import os from "node:os";
import {
  httpConnectionsPerNodeMaxDefault,
  httpHeadersReceiveTimeoutMsDefault,
  realtimeCoalesceMsDefault,
  realtimeCoalesceMsMax,
  sseHeartbeatMsDefault,
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
  /** SSE heartbeat comment interval (REALTIME_HEARTBEAT_MS). */
  realtimeHeartbeatMs: number;
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

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const realtimeCoalesceMs = integer(env, "REALTIME_COALESCE_MS", realtimeCoalesceMsDefault);
  if (realtimeCoalesceMs > realtimeCoalesceMsMax)
    throw new Error(`REALTIME_COALESCE_MS must be at most ${realtimeCoalesceMsMax}`);
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
    realtimeHeartbeatMs: integer(env, "REALTIME_HEARTBEAT_MS", sseHeartbeatMsDefault, 100),
  };
}
