// Starts Marquee for a test: its own database, Redis key prefix and Moleculer namespace, so runs
// never collide. Real Postgres, Redis (and NATS when a transporter is asked for).
import { randomBytes } from "node:crypto";
import pg from "pg";
import { loadConfig, type Config } from "../../platform/config.ts";
import { startNode, type MarqueeNode, type NodeOptions } from "../../node.ts";
import type { Clock } from "../../domain/clock.ts";
import { answerProblem } from "./openapi-answers.ts";
import { clusterTestEnv } from "./clusters.ts";

export const postgresUrl = process.env.TEST_POSTGRES_URL || "postgres://postgres@127.0.0.1:5432";

export const uniqueName = (prefix: string) =>
  `${prefix}_${Date.now().toString(36)}_${randomBytes(3).toString("hex")}`;

export interface TestSystem {
  node: MarqueeNode;
  config: Config;
  baseUrl: string;
  databaseUrl: string;
  /** Issues a dev token. */
  token(userId: string, role?: "user" | "admin" | "scanner"): Promise<string>;
  /** fetch against the gateway with JSON in and out. */
  request(method: string, path: string, options?: RequestOptions): Promise<JsonAnswer>;
  stop(): Promise<void>;
}

export interface RequestOptions {
  body?: unknown;
  token?: string;
  headers?: Record<string, string>;
  /** Give up after this long (the promise rejects with a TimeoutError); default: no limit. */
  timeoutMs?: number;
}

export interface JsonAnswer {
  status: number;
  body: any;
  headers: Headers;
}

export interface StartOptions {
  env?: Record<string, string>;
  clock?: Clock;
  /** Reuse a database (several nodes of one system); default: a fresh one. */
  databaseUrl?: string;
  /** Service factories added or replaced by name (startNode's `services`), e.g. another booking engine. */
  services?: NodeOptions["services"];
}

export async function freshDatabaseUrl(): Promise<string> {
  return `${postgresUrl}/${uniqueName("marquee_test")}`;
}

export async function startSystem(options: StartOptions = {}): Promise<TestSystem> {
  const databaseUrl = options.databaseUrl ?? (await freshDatabaseUrl());
  const config = loadConfig({
    NODE_ENV: "test",
    PORT: "0",
    DATABASE_URL: databaseUrl,
    REDIS_KEY_PREFIX: `${uniqueName("mq")}:`,
    NAMESPACE: uniqueName("ns"),
    WORKER_POOL_SIZE: "1",
    RATE_LIMIT_PER_WINDOW: "100000",
    // A seat-map snapshot per version, so a test reads its own writes (the coalescing tests set it).
    SEAT_MAP_COALESCE_MS: "0",
    // Under `npm run test:clusters`: the Redis Cluster, unless the test names a Redis of its own.
    ...clusterTestEnv(options.env),
    ...options.env,
  });
  const node = await startNode(config, { clock: options.clock, services: options.services });
  const api = node.broker.getLocalService("api") as any;
  const port = api?.server?.address()?.port;
  const baseUrl = `http://127.0.0.1:${port}`;
  const client = createHttpClient(baseUrl);
  return {
    node,
    config,
    baseUrl,
    databaseUrl,
    ...client,
    async stop() {
      await node.stop();
    },
  };
}

export interface HttpClient {
  request: TestSystem["request"];
  token: TestSystem["token"];
}

/** JSON requests against a Marquee gateway (in this process or a child process). */
export function createHttpClient(baseUrl: string): HttpClient {
  async function request(method: string, path: string, opts: RequestOptions = {}): Promise<JsonAnswer> {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.body !== undefined) headers["content-type"] ??= "application/json";
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    const response = await fetch(baseUrl + path, {
      method,
      headers,
      body:
        opts.body === undefined
          ? undefined
          : typeof opts.body === "string"
            ? opts.body
            : JSON.stringify(opts.body),
      signal: opts.timeoutMs === undefined ? undefined : AbortSignal.timeout(opts.timeoutMs),
    });
    const text = await response.text();
    let body: any = text;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      /* not JSON */
    }
    // Every answer a test receives must be one the OpenAPI document describes.
    const problem = await answerProblem({
      method,
      path,
      status: response.status,
      headers: response.headers,
      body,
    });
    if (problem) throw new Error(problem);
    return { status: response.status, body, headers: response.headers };
  }

  return {
    request,
    async token(userId: string, role: "user" | "admin" | "scanner" = "user") {
      const answer = await request("POST", "/auth/token", { body: { userId, role } });
      if (answer.status !== 200) throw new Error(`token: ${answer.status} ${JSON.stringify(answer.body)}`);
      return answer.body.token;
    },
  };
}

/** Drops a test database (best effort). */
export async function dropDatabase(databaseUrl: string): Promise<void> {
  const name = new URL(databaseUrl).pathname.slice(1);
  const client = new pg.Client({ connectionString: `${postgresUrl}/postgres` });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}
