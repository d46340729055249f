// PostgreSQL: a pool with timeouts on every connection, the database created if missing.
import pg from "pg";
import { databaseConnectTimeoutMs, databaseStatementTimeoutMs } from "../domain/limits.ts";

// int8 (bigint) as a JS number: our counters stay far below 2^53.
pg.types.setTypeParser(20, (value) => Number(value));

export type Database = pg.Pool;

export interface PoolOptions {
  max?: number;
  statementTimeoutMs?: number;
  applicationName?: string;
  /**
   * true: the server's jit setting; by default (false) the connections never JIT-compile a statement.
   * PostgreSQL decides on JIT from a plan's estimated cost; on the partitioned tables a short
   * statement's estimate can sum a scan of every partition and pass the thresholds, and the
   * compilation (hundreds of ms of CPU) then costs far more than the statement itself. Every
   * statement of ours is short (OLTP): none gains from JIT.
   */
  jit?: boolean;
}

export function createPool(databaseUrl: string, options: PoolOptions = {}): Database {
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: options.max ?? 10,
    connectionTimeoutMillis: databaseConnectTimeoutMs,
    idleTimeoutMillis: 30_000,
    statement_timeout: options.statementTimeoutMs ?? databaseStatementTimeoutMs,
    query_timeout: (options.statementTimeoutMs ?? databaseStatementTimeoutMs) + 1_000,
    application_name: options.applicationName ?? "marquee",
    ...(options.jit === true ? {} : { options: "-c jit=off" }),
  });
  // An idle client that loses its connection must not crash the process.
  pool.on("error", () => {});
  // Nor one that is checked out (a transaction between two statements): pg emits `error` on the client
  // itself then, and the pool listens only to idle clients. Without this, a connection cut by the
  // server (pg_terminate_backend, failover) was an uncaught exception: an actor worker stopped, a
  // node without a handler died. The client's next query fails instead, and release() drops it.
  pool.on("connect", (client) => client.on("error", () => {}));
  return pool;
}

/** Creates the database named in the URL when it does not exist yet. */
export async function ensureDatabase(databaseUrl: string): Promise<void> {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.replace(/^\//, ""));
  if (!/^[A-Za-z0-9_]+$/.test(name)) throw new Error("database name must be [A-Za-z0-9_]+");
  url.pathname = "/postgres";
  const client = new pg.Client({
    connectionString: url.toString(),
    connectionTimeoutMillis: databaseConnectTimeoutMs,
  });
  await client.connect();
  try {
    const found = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    if (found.rowCount === 0) {
      try {
        await client.query(`CREATE DATABASE "${name}"`);
      } catch (error) {
        // Two nodes starting together: the other one created it first.
        if ((error as { code?: string }).code !== "42P04" && (error as { code?: string }).code !== "23505")
          throw error;
      }
    }
  } finally {
    await client.end();
  }
}

/**
 * Checks a connection out for `work` and gives it back. A connection whose statement failed is
 * destroyed, never returned to the pool: a statement whose answer was lost (client-side query
 * timeout) may still run, and may leave a transaction open that would swallow the next user's
 * acknowledged writes (found by the actor simulation, seed 993225133).
 */
export async function withConnection<T>(
  pool: Database,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  let failure: Error | undefined;
  try {
    return await work(client);
  } catch (error) {
    failure = error as Error;
    throw error;
  } finally {
    client.release(failure);
  }
}

export interface TransactionOptions<T> {
  /** Commits only when this says so, else rolls back: a refusal the work found, not a fault. */
  commitIf?(result: T): boolean;
}

/**
 * Runs `work` in a transaction on a connection already checked out (several transactions in a row
 * on one connection); rolls back on any error, and rethrows it.
 */
export async function inTransaction<T>(
  client: pg.PoolClient,
  work: (client: pg.PoolClient) => Promise<T>,
  options: TransactionOptions<T> = {},
): Promise<T> {
  try {
    await client.query("BEGIN");
    const result = await work(client);
    await client.query(options.commitIf && !options.commitIf(result) ? "ROLLBACK" : "COMMIT");
    return result;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  }
}

/** Runs `work` in a transaction on a connection of its own; rolls back on any error. */
export function transaction<T>(pool: Database, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  return withConnection(pool, (client) => inTransaction(client, work));
}
