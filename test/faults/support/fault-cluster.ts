// A Marquee cluster for one fault test: gateway, two actor nodes (and the indexer when it exists) as
// separate `tsx main.ts` processes over a private nats-server (or a NATS cluster of three), on a fresh
// database and a unique namespace, optionally on a private redis-server or a Redis Cluster. Node output
// goes to log files that are printed when a test fails. Everything is stopped by PID and the database
// dropped at the end.
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { startCluster, type Cluster } from "../../../loadtest/cluster.ts";
import { auditDatabase, formatAudit, type AuditReport } from "../../../loadtest/audit.ts";
import { createPool, type Database } from "../../../platform/database.ts";
import { pendingPaymentAbandonMs, recoveryIntervalMs } from "../../../domain/limits.ts";
import { loadConfig } from "../../../platform/config.ts";
import { createTokenVerifier } from "../../../gateway/auth.ts";
import { createEventFixture, type EventFixture } from "../../support/catalog.ts";
import { LoadLoop, type OperationRecord } from "./load.ts";
import {
  dropDatabase,
  freshDatabaseUrl,
  createHttpClient,
  uniqueName,
  type JsonAnswer,
  type RequestOptions,
} from "../../support/system.ts";
import {
  freePort,
  startNatsServer,
  startRestartableRedisServer,
  type RestartableNatsServer,
  type RestartableRedisServer,
} from "../../support/processes.ts";
import {
  startNatsCluster,
  startRedisCluster,
  type NatsClusterProcesses,
  type RedisClusterProcesses,
} from "../../support/clusters.ts";

export interface FaultCluster {
  cluster: Cluster;
  baseUrl: string;
  databaseUrl: string;
  /** A small pool for the test's own checks (never the nodes'). */
  db: Database;
  /** The private nats-server (null when the nodes run over a NATS cluster instead). */
  nats: RestartableNatsServer | null;
  /** Three nats-servers routed as one cluster, when asked for. */
  natsCluster: NatsClusterProcesses | null;
  /** The private redis-server, when asked for (else the shared one with a unique key prefix). */
  redis: RestartableRedisServer | null;
  /** A Redis Cluster of three masters, each with a replica, when asked for (REDIS_CLUSTER_NODES). */
  redisCluster: RedisClusterProcesses | null;
  namespace: string;
  logDirectory: string;
  request(method: string, path: string, options?: RequestOptions): Promise<JsonAnswer>;
  /** A token signed with the cluster's (development) secret, minted here: no request needed. */
  token(userId: string, role?: "user" | "admin"): Promise<string>;
  createEvent(options?: Parameters<typeof createEventFixture>[1]): Promise<EventFixture>;
  /** The node (owner prefix) whose actor holds each event's fencing epoch now. */
  owners(eventIds: string[]): Promise<Map<string, string>>;
  audit(eventId?: string): Promise<AuditReport>;
  /** The tail of every node's log (for a failing test's message). */
  logs(linesPerNode?: number): Promise<string>;
  stop(): Promise<void>;
}

export interface FaultClusterOptions {
  privateRedis?: boolean;
  /** The nodes on a Redis Cluster (three masters, three replicas, 1 s node timeout). */
  redisCluster?: boolean;
  /** The nodes over a NATS cluster of three servers instead of one nats-server. */
  natsCluster?: boolean;
  env?: Record<string, string>;
}

/** Node settings that keep the fault tests within 2 shared cores and make every check strict. */
const nodeEnv: Record<string, string> = {
  NODE_ENV: "test",
  LOG_LEVEL: "warn",
  WORKER_POOL_SIZE: "1",
  RATE_LIMIT_PER_WINDOW: "1000000",
  ACTOR_PARANOID_CHECKS: "true",
  HOLD_TTL_SECONDS: "600",
};

export async function startFaultCluster(options: FaultClusterOptions = {}): Promise<FaultCluster> {
  const databaseUrl = await freshDatabaseUrl();
  const namespace = uniqueName("faults");
  const logDirectory = await mkdtemp(path.join(os.tmpdir(), "marquee-faults-"));
  const nats = options.natsCluster ? null : await startNatsServer();
  const natsCluster = options.natsCluster ? await startNatsCluster(3) : null;
  const redis = options.privateRedis ? await startRestartableRedisServer() : null;
  const redisCluster = options.redisCluster ? await startRedisCluster({ masters: 3, replicas: 1 }) : null;
  const stopEngines = async () => {
    await Promise.all([nats?.stop(), natsCluster?.stop(), redis?.destroy(), redisCluster?.stop()]);
  };
  const port = await freePort();
  let cluster: Cluster;
  try {
    cluster = await startCluster({
      databaseUrl,
      port,
      namespace,
      transporter: natsCluster?.url ?? nats!.url,
      redisUrl: redis?.url,
      redisKeyPrefix: `${namespace}:`,
      env: {
        ...nodeEnv,
        ...(redisCluster ? { REDIS_CLUSTER_NODES: redisCluster.seeds } : {}),
        ...options.env,
      },
      logDirectory,
    });
  } catch (error) {
    await stopEngines();
    throw error;
  }
  const db = createPool(databaseUrl, { max: 3, applicationName: "marquee-fault-test" });
  const tokens = createTokenVerifier(loadConfig({ NODE_ENV: "test" }));
  const { request } = createHttpClient(cluster.baseUrl);
  const faultCluster: FaultCluster = {
    cluster,
    baseUrl: cluster.baseUrl,
    databaseUrl,
    db,
    nats,
    natsCluster,
    redis,
    redisCluster,
    namespace,
    logDirectory,
    request,
    token: (userId, role = "user") => tokens.issue({ id: userId, role }),
    createEvent: (eventOptions) => createEventFixture(faultCluster, eventOptions),
    async owners(eventIds) {
      const { rows } = await db.query(
        "SELECT event_id, owner FROM event_actors WHERE event_id = ANY($1::text[])",
        [eventIds],
      );
      return new Map(rows.map((row) => [row.event_id as string, (row.owner as string).split("/")[0]]));
    },
    audit: (eventId) => auditDatabase(db, eventId ?? null),
    async logs(linesPerNode = 40) {
      const parts: string[] = [];
      for (const file of (await readdir(logDirectory)).sort()) {
        const lines = (await readFile(path.join(logDirectory, file), "utf8")).trimEnd().split("\n");
        parts.push(`--- ${file} (last ${linesPerNode} lines)\n${lines.slice(-linesPerNode).join("\n")}`);
      }
      return parts.join("\n");
    },
    async stop() {
      await cluster.stop();
      await db.end();
      await stopEngines();
      await dropDatabase(databaseUrl).catch(() => {});
      if (process.env.FAULTS_KEEP_LOGS) console.log(`node logs kept in ${logDirectory}`);
      else await rm(logDirectory, { recursive: true, force: true });
    },
  };
  return faultCluster;
}

/** The node name of an actor node in this cluster's event_actors.owner ("actor-1-<namespace>"). */
export const nodeIdOf = (faultCluster: FaultCluster, name: string): string =>
  `${name}-${faultCluster.namespace}`;

/** Runs the audit and throws with its report (and the nodes' logs) when an invariant is broken. */
export async function assertAuditClean(faultCluster: FaultCluster): Promise<AuditReport> {
  const report = await faultCluster.audit();
  if (!report.ok) throw new Error(`${formatAudit(report)}\n${await faultCluster.logs()}`);
  return report;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `probe` until it returns a value (not undefined) or the time is up. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
  intervalMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}

/** Whether the cluster serves an action now (its route is documented as available in /openapi.json). */
export async function routeAvailable(
  faultCluster: FaultCluster,
  method: string,
  route: string,
): Promise<boolean> {
  const answer = await faultCluster.request("GET", "/openapi.json");
  const operation = answer.body?.paths?.[route]?.[method.toLowerCase()];
  return operation !== undefined && operation["x-marquee-available"] !== false;
}

/** Prints a fault test's figures and keeps them in loadtest/results/faults-<name>.json (not committed). */
export async function reportFigures(name: string, figures: Record<string, unknown>): Promise<void> {
  const directory = fileURLToPath(new URL("../../../loadtest/results/", import.meta.url));
  await writeFile(path.join(directory, `faults-${name}.json`), JSON.stringify(figures, null, 2) + "\n");
  console.log(`      figures (${name}): ${JSON.stringify(figures)}`);
}

/**
 * Waits until every payment is final: none captured without a booking (money taken ends booked or
 * refunded) and none pending (a saga cut by a fault leaves one; a node's recovery pass settles it once
 * it is older than pendingPaymentAbandonMs, asking the provider whether money was taken). Returns the
 * payments by status.
 */
export async function waitForMoneySettled(
  faultCluster: FaultCluster,
  timeoutMs = pendingPaymentAbandonMs + recoveryIntervalMs + 60_000,
): Promise<Record<string, number>> {
  await waitFor(
    "every payment to be final (booked, refunded or declined, a declined one's hold given back)",
    async () => {
      // A declined payment whose actor step failed (e.g. the event moving between nodes) still holds
      // its seats as `confirming` until recovery's next pass gives them back: not settled yet.
      const { rows } = await faultCluster.db.query(
        `SELECT count(*)::int AS open FROM payments p
         WHERE p.status = 'pending' OR (p.status = 'captured' AND p.booking_id IS NULL)
            OR (p.status = 'declined' AND EXISTS (
                  SELECT 1 FROM holds h WHERE h.event_id = p.event_id AND h.payment_id = p.id))`,
      );
      return rows[0].open === 0 ? true : undefined;
    },
    timeoutMs,
    500,
  );
  const { rows } = await faultCluster.db.query(
    "SELECT status, count(*)::int AS count FROM payments GROUP BY status ORDER BY status",
  );
  return Object.fromEntries(rows.map((row) => [row.status, row.count]));
}

/**
 * The hooks of a fault suite: one cluster for its tests (started before them, stopped after), its
 * nodes' logs printed when a test fails. Call in a `describe`; the getter is for inside the tests.
 */
export function useFaultCluster(options: FaultClusterOptions = {}): () => FaultCluster {
  let faults: FaultCluster | undefined;
  before(async () => {
    faults = await startFaultCluster(options);
  });
  afterEach(async function () {
    if (this.currentTest?.state === "failed" && faults) console.log(await faults.logs());
  });
  after(async () => {
    await faults?.stop();
  });
  return () => {
    if (!faults) throw new Error("the fault cluster did not start");
    return faults;
  };
}

/** `count` events of 120 seats in 4 rows, named `<name> <index>`. */
export async function createLoadEvents(
  faultCluster: FaultCluster,
  count: number,
  name: string,
): Promise<EventFixture[]> {
  const events: EventFixture[] = [];
  for (let index = 0; index < count; index++)
    events.push(await faultCluster.createEvent({ seats: 120, rows: 4, name: `${name} ${index}` }));
  return events;
}

/** The booking load of a fault test, started (it confirms only where some node serves confirm). */
export async function startBookingLoad(
  faultCluster: FaultCluster,
  events: EventFixture[],
  options: { users: number; concurrency: number; seed: number; requestTimeoutMs?: number },
): Promise<LoadLoop> {
  const load = new LoadLoop({
    request: faultCluster.request,
    token: (userId) => faultCluster.token(userId),
    events,
    confirm: await routeAvailable(faultCluster, "POST", "/booking/confirm"),
    ...options,
  });
  await load.start();
  return load;
}

/** Answers counted by `<status> <code>` (and whatever `prefix` puts first). */
export function countStatuses<T extends { status: number; code?: string | null }>(
  records: T[],
  prefix: (record: T) => string = () => "",
): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const record of records) {
    const key = `${prefix(record)}${record.status}${record.code ? ` ${record.code}` : ""}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

/**
 * A reserve answer that proves the event's actor serves: a hold, or a refusal of seats taken (late in
 * a run an event may be sold out or fully held, and the actor saying so proves it as a hold does).
 */
const reserveDecided = ({ status, code }: { status: number; code?: string | null }) =>
  status === 200 || (status === 409 && (code === "TICKET_UNAVAILABLE" || code === "TICKET_LIMIT_REACHED"));

/**
 * Milliseconds from `since` until the actor of every one of `events` decided one of the load's
 * reserves sent after it (reserveDecided). A load whose slots all wait on replies a fault lost measures
 * its own stall: where replies can be lost, everyEventReservable probes instead.
 */
export function waitForEveryEventServed(
  load: LoadLoop,
  events: EventFixture[],
  since: number,
): Promise<number> {
  const decided = (record: OperationRecord) => record.op === "reserve" && reserveDecided(record);
  return waitFor(
    "every event to take reserves again",
    async () => {
      const served = new Set(
        load
          .answeredSince(since)
          .filter((record) => record.sentAt >= since && decided(record))
          .map((record) => record.eventId),
      );
      return served.size === events.length ? Date.now() - since : undefined;
    },
    60_000,
  );
}

/**
 * Milliseconds from `since` until each of `keys` has an answer `send` counts as served, to a request
 * sent after `since`; a new request (numbered `probe`) every 200 ms for each key not yet served, sent
 * without waiting for the ones before: a request whose reply a fault lost (a killed NATS server) waits
 * for its 10 s timeout, and a probe that waited on it (or a load whose slots all did) would measure that
 * stall, not the service's.
 */
export function everyProbeAnswered(
  what: string,
  sinceMs: number,
  send: (probe: number, key: string) => Promise<string | undefined>,
  keys: string[],
): Promise<number> {
  const served = new Set<string>();
  let probe = 0;
  return waitFor(
    what,
    async () => {
      for (const key of keys.filter((candidate) => !served.has(candidate)))
        void send(probe++, key)
          .then((servedKey) => servedKey !== undefined && served.add(servedKey))
          .catch(() => {});
      return served.size === keys.length ? Date.now() - sinceMs : undefined;
    },
    30_000,
    200,
  );
}

/** everyProbeAnswered for reserves: every event decided one by a new user (reserveDecided). */
export function everyEventReservable(
  faults: FaultCluster,
  events: EventFixture[],
  sinceMs: number,
): Promise<number> {
  const firstTicket = new Map(events.map((event) => [event.eventId, event.ticketIds[0]]));
  return everyProbeAnswered(
    "every event to take reserves again",
    sinceMs,
    async (probe, eventId) => {
      const answer = await faults.request("POST", "/booking/reserve", {
        token: await faults.token(`reserve-probe-${probe}`),
        body: { ticketIds: [firstTicket.get(eventId)] },
        timeoutMs: 15_000,
      });
      return reserveDecided({ status: answer.status, code: answer.body?.error?.code }) ? eventId : undefined;
    },
    [...firstTicket.keys()],
  );
}
