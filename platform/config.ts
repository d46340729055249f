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
  natsServersMax,
  redisClusterSeedNodesMax,
} from "../domain/limits.ts";
import { ConfigReader, type HostPort } from "./config-reader.ts";
import { webhookSettings, type WebhookSettings } from "./webhook-config.ts";

export { ConfigError } from "./config-reader.ts";

export interface Config {
  port: number;
  /**
   * Nodes without the gateway (SERVICES without `api`) serve /health/live and /health/ready on this
   * port when it is set (container health checks); unset = no HTTP at all on such nodes.
   */
  healthPort: number | null;
  databaseUrl: string;
  redisUrl: string;
  /**
   * Seed nodes of a Redis Cluster (REDIS_CLUSTER_NODES): when set, the node talks to the cluster with
   * ioredis's Cluster client and REDIS_URL is not used (platform/redis.ts).
   */
  redisClusterNodes: HostPort[] | null;
  /** Prefix of every Redis key this node writes; tests give each run its own. */
  redisKeyPrefix: string;
  /**
   * Unset = one process with every service; e.g. `nats://127.0.0.1:4222` for several nodes, or several
   * NATS servers of one cluster separated by commas (the client moves to another when one goes).
   */
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
  /** Seals each event's e-ticket signing key (TICKET_KEY_SECRET; AUTH_SECRET's when unset). */
  ticketKeySecret: string;
  searchBackend: "postgres" | "elasticsearch";
  elasticsearchUrl: string | null;
  demoData: boolean;
  workerPoolSize: number;
  /** The payment provider of the confirm saga (PAYMENT_PROVIDER; actors/payments/providers.ts). */
  paymentProvider: PaymentProviderName;
  /** Check every invariant of a seat state after each actor turn (O(seats) per turn: tests only). */
  actorParanoidChecks: boolean;
  /**
   * Test hook for crash tests: the confirm saga sleeps this long between the charge and the booking
   * commit, so a test can SIGKILL the node in that window. Refused in production.
   */
  testPauseAfterCaptureMs: number;
  /**
   * Test hook: a file where the simulated payment provider keeps its charges, so that, like a real
   * provider, it still knows them after the node is killed (SIMULATED_PROVIDER_LEDGER). Not in production.
   */
  simulatedProviderLedger: string | null;
  /** Per-client rate limit: requests per window. */
  rateLimitPerWindow: number;
  rateLimitWindowMs: number;
  /** Open TCP connections per gateway node (HTTP_CONNECTIONS_MAX; see domain/limits.ts). */
  httpConnectionsMax: number;
  /** A request's headers must arrive within this (HTTP_HEADERS_TIMEOUT_MS; slow clients). */
  httpHeadersTimeoutMs: number;
  /** Trust `X-Forwarded-For` only when this is set (the address of the proxy in front). */
  trustedProxy: string | null;
  logLevel: LogLevel;
  /** `pretty` (pino-pretty, for a terminal) or `json` (one object a line, for log shippers). */
  logFormat: LogFormat;
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
  /** Webhook delivery: retries, private targets, polling (WEBHOOK_*; platform/webhook-config.ts). */
  webhooks: WebhookSettings;
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

/** Moleculer's log levels (LOG_LEVEL). */
export const logLevels = ["fatal", "error", "warn", "info", "debug", "trace"] as const;
export type LogLevel = (typeof logLevels)[number];
export const logFormats = ["pretty", "json"] as const;
export type LogFormat = (typeof logFormats)[number];

export const developmentAuthSecret = "marquee-development-secret-change-me-in-production";

export interface LoadConfigOptions {
  /**
   * The services this build can run (services.ts plus a launcher's own): SERVICES naming another is a
   * problem. Unchecked when absent (platform/ may not import the composition root).
   */
  serviceNames?: string[];
  /** Whether stdout is a terminal (LOG_FORMAT's default: pretty there, JSON elsewhere). */
  stdoutIsTty?: boolean;
}

/** Letters, digits, `_` and `-`: the namespace is part of every NATS subject and Redis key of a node. */
const namespacePattern = /^[A-Za-z0-9_-]{1,100}$/;

type ClientConnectionCaps = Pick<
  Config,
  "socketConnectionsPerClientMax" | "socketHandshakesPerClientPerSecond" | "sseStreamsPerClientMax"
>;

function clientConnectionCaps(read: ConfigReader): ClientConnectionCaps {
  return {
    socketConnectionsPerClientMax: read.integer(
      "SOCKET_CONNECTIONS_PER_CLIENT_MAX",
      socketConnectionsPerClientMaxDefault,
      { min: 1 },
    ),
    socketHandshakesPerClientPerSecond: read.integer(
      "SOCKET_HANDSHAKES_PER_CLIENT_PER_SECOND",
      socketHandshakesPerClientPerSecondDefault,
      { min: 1 },
    ),
    sseStreamsPerClientMax: read.integer("SSE_STREAMS_PER_CLIENT_MAX", sseStreamsPerClientMaxDefault, {
      min: 1,
    }),
  };
}

/** METRICS_TOKEN: printable ASCII without spaces, long enough; METRICS_PORT: a port other than PORT. */
function metricsAccess(read: ConfigReader, publicPort: number): Pick<Config, "metricsToken" | "metricsPort"> {
  const token = read.text("METRICS_TOKEN") ?? null;
  const tokenPattern = new RegExp(`^[\\x21-\\x7e]{${metricsTokenLengthMin},${metricsTokenLengthMax}}$`);
  if (token !== null && !tokenPattern.test(token))
    read.problem(
      "METRICS_TOKEN",
      `must be ${metricsTokenLengthMin} to ${metricsTokenLengthMax} printable characters without spaces`,
    );
  const port = read.text("METRICS_PORT") === undefined ? null : read.port("METRICS_PORT", 0, false) || null;
  if (port !== null && port === publicPort)
    read.problem("METRICS_PORT", "must differ from PORT (the public port)");
  return { metricsToken: token, metricsPort: port };
}

function startTimeouts(read: ConfigReader): StartTimeouts {
  const timeout = (name: string, fallback: number) =>
    read.integer(`START_${name}_TIMEOUT_MS`, fallback, { min: 1 });
  return {
    databaseMs: timeout("DATABASE", startDatabaseTimeoutMsDefault),
    migrationsMs: timeout("MIGRATIONS", startMigrationsTimeoutMsDefault),
    transporterMs: timeout("TRANSPORTER", startTransporterTimeoutMsDefault),
    serviceMs: timeout("SERVICE", startServiceTimeoutMsDefault),
    actorWorkerMs: timeout("ACTOR_WORKER", startActorWorkerTimeoutMsDefault),
    demoSeedMs: timeout("DEMO_SEED", startDemoSeedTimeoutMsDefault),
  };
}

/**
 * TRANSPORTER: NATS URLs (one server, or several of one cluster separated by commas) are checked here,
 * each one; another Moleculer transporter string is passed on as it is. A URL is never shown in a
 * problem (it may carry a password).
 */
function transporterSetting(read: ConfigReader): string | null {
  const raw = read.text("TRANSPORTER");
  if (raw === undefined || !/^nats:\/\//i.test(raw.trim())) return raw ?? null;
  const urls = raw.split(",").map((entry) => entry.trim());
  if (urls.length > natsServersMax) {
    read.problem("TRANSPORTER", `names ${urls.length} NATS servers, at most ${natsServersMax} are allowed`);
    return null;
  }
  for (const [index, url] of urls.entries()) {
    let parsed: URL | null = null;
    try {
      parsed = new URL(url);
    } catch {
      /* the problem below */
    }
    if (
      parsed === null ||
      parsed.protocol !== "nats:" ||
      parsed.hostname === "" ||
      !["", "/"].includes(parsed.pathname)
    ) {
      read.problem(
        "TRANSPORTER",
        `entry ${index + 1} must be a URL nats://host:port (several separated by commas)`,
      );
      return null;
    }
  }
  return urls.join(",");
}

/**
 * REDIS_CLUSTER_NODES and REDIS_KEY_PREFIX. On a cluster the prefix may hold no `{` or `}`: a hash tag
 * in it would put every key of the node in one slot (one master doing all the work).
 */
function redisPlacement(read: ConfigReader): Pick<Config, "redisClusterNodes" | "redisKeyPrefix"> {
  const redisClusterNodes = read.hostPorts("REDIS_CLUSTER_NODES", redisClusterSeedNodesMax);
  const redisKeyPrefix = read.text("REDIS_KEY_PREFIX") ?? "marquee:";
  if (redisClusterNodes !== null && /[{}]/.test(redisKeyPrefix))
    read.problem(
      "REDIS_KEY_PREFIX",
      "may not contain { or } with REDIS_CLUSTER_NODES (a hash tag there puts every key in one slot)",
    );
  return { redisClusterNodes, redisKeyPrefix };
}

/** Where the node listens and which others it joins. */
function placement(read: ConfigReader, options: LoadConfigOptions) {
  const namespace = read.text("NAMESPACE") ?? "marquee";
  if (!namespacePattern.test(namespace))
    read.problem("NAMESPACE", "must be 1 to 100 letters, digits, _ or - (it is part of NATS subjects)");
  const services = (read.text("SERVICES") ?? "all")
    .split(",")
    .map((name) => name.trim())
    .filter(Boolean);
  if (services.length === 0)
    read.problem("SERVICES", "names no service (all, or a list such as api,catalog)");
  const known = options.serviceNames;
  for (const name of known ? services : [])
    if (name !== "all" && !known!.includes(name))
      read.problem("SERVICES", `unknown service ${JSON.stringify(name)} (known: all, ${known!.join(", ")})`);
  return {
    port: read.port("PORT", 3000),
    healthPort: read.text("HEALTH_PORT") === undefined ? null : read.port("HEALTH_PORT", 0),
    databaseUrl: read.url("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/marquee", [
      "postgres:",
      "postgresql:",
    ]),
    redisUrl: read.url("REDIS_URL", "redis://127.0.0.1:6379", ["redis:", "rediss:"]),
    ...redisPlacement(read),
    transporter: transporterSetting(read),
    namespace,
    nodeId: read.text("NODE_ID") ?? null,
    services: services.length > 0 ? services : ["all"],
  };
}

/** Tokens, and the refusals that keep a production node from running with development settings. */
function authentication(read: ConfigReader, production: boolean) {
  const authSecret = read.text("AUTH_SECRET") ?? developmentAuthSecret;
  const authJwksUrl = read.url("AUTH_JWKS_URL", null, ["https:", "http:"]);
  if (production && authSecret === developmentAuthSecret && authJwksUrl === null)
    read.problem("AUTH_SECRET", "AUTH_SECRET or AUTH_JWKS_URL must be set in production");
  // The dev token issuer mints admin tokens for anyone who asks: never in production, whatever the flag.
  const authDevTokens = read.boolean("AUTH_DEV_TOKENS", !production);
  if (production && authDevTokens)
    read.problem(
      "AUTH_DEV_TOKENS",
      "AUTH_DEV_TOKENS=true is refused with NODE_ENV=production: POST /auth/token would let anyone mint an admin token (unset AUTH_DEV_TOKENS)",
    );
  // The key that seals e-ticket signing keys: its own variable, so AUTH_SECRET can rotate without
  // voiding every ticket sold; AUTH_SECRET's (required in production) when unset.
  const ticketKeySecret = read.text("TICKET_KEY_SECRET") ?? authSecret;
  // (Without AUTH_SECRET and AUTH_JWKS_URL the AUTH_SECRET problem above already says it.)
  if (production && ticketKeySecret === developmentAuthSecret && authJwksUrl !== null)
    read.problem("TICKET_KEY_SECRET", "TICKET_KEY_SECRET (or AUTH_SECRET) must be set in production");
  return { authSecret, authJwksUrl, authDevTokens, ticketKeySecret };
}

function search(read: ConfigReader): Pick<Config, "searchBackend" | "elasticsearchUrl"> {
  const searchBackend = read.oneOf("SEARCH_BACKEND", ["postgres", "elasticsearch"] as const, "postgres");
  const elasticsearchUrl = read.url("ELASTICSEARCH_URL", null, ["http:", "https:"]);
  if (searchBackend === "elasticsearch" && elasticsearchUrl === null && !read.text("ELASTICSEARCH_URL"))
    read.problem("ELASTICSEARCH_URL", "must be set with SEARCH_BACKEND=elasticsearch");
  return { searchBackend, elasticsearchUrl };
}

/** Delays of the real-time paths, each within its bound. */
function realtime(read: ConfigReader) {
  return {
    realtimeCoalesceMs: read.integer("REALTIME_COALESCE_MS", realtimeCoalesceMsDefault, {
      max: realtimeCoalesceMsMax,
    }),
    seatMapCoalesceMs: read.integer("SEAT_MAP_COALESCE_MS", seatMapCoalesceMsDefault, {
      max: realtimeCoalesceMsMax,
    }),
    realtimeHeartbeatMs: read.integer("REALTIME_HEARTBEAT_MS", sseHeartbeatMsDefault, { min: 100 }),
  };
}

function logging(read: ConfigReader, env: NodeJS.ProcessEnv, options: LoadConfigOptions) {
  const tty = options.stdoutIsTty ?? process.stdout.isTTY === true;
  return {
    logLevel: read.oneOf("LOG_LEVEL", logLevels, env.NODE_ENV === "test" ? "warn" : "info"),
    logFormat: read.oneOf("LOG_FORMAT", logFormats, tty ? "pretty" : "json"),
  };
}

/**
 * The node's settings from `env`. Every problem is collected: one ConfigError lists them all, each
 * as `VARIABLE: problem`.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, options: LoadConfigOptions = {}): Config {
  const read = new ConfigReader(env);
  const production = env.NODE_ENV === "production";
  const where = placement(read, options);
  const auth = authentication(read, production);
  const config: Config = {
    ...where,
    holdTtlSeconds: read.integer("HOLD_TTL_SECONDS", 600, { min: 1 }),
    ...auth,
    ...search(read),
    demoData: read.boolean("DEMO_DATA", false),
    workerPoolSize: read.integer("WORKER_POOL_SIZE", os.availableParallelism(), { min: 1 }),
    paymentProvider: read.oneOf("PAYMENT_PROVIDER", paymentProviderNames, "simulated"),
    actorParanoidChecks: read.boolean("ACTOR_PARANOID_CHECKS", false),
    testPauseAfterCaptureMs: production ? 0 : read.integer("TEST_PAUSE_AFTER_CAPTURE_MS", 0),
    simulatedProviderLedger: production ? null : (read.text("SIMULATED_PROVIDER_LEDGER") ?? null),
    rateLimitPerWindow: read.integer("RATE_LIMIT_PER_WINDOW", 600, { min: 1 }),
    rateLimitWindowMs: read.integer("RATE_LIMIT_WINDOW_MS", 10_000, { min: 100 }),
    httpConnectionsMax: read.integer("HTTP_CONNECTIONS_MAX", httpConnectionsPerNodeMaxDefault, { min: 1 }),
    httpHeadersTimeoutMs: read.integer("HTTP_HEADERS_TIMEOUT_MS", httpHeadersReceiveTimeoutMsDefault, {
      min: 100,
    }),
    trustedProxy: read.text("TRUSTED_PROXY") ?? null,
    ...logging(read, env, options),
    production,
    ...realtime(read),
    startTimeouts: startTimeouts(read),
    ...clientConnectionCaps(read),
    ...metricsAccess(read, where.port),
    webhooks: webhookSettings(read, production, auth.ticketKeySecret),
  };
  read.check();
  return config;
}
