// Numbered forward-only SQL migrations (migrations/NNNN_name.sql), run at start under an advisory
// lock so that two nodes starting together migrate once.
import { readdir, readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import path from "node:path";
import type pg from "pg";
import type { Database } from "./database.ts";

const migrationsDirectory = fileURLToPath(new URL("../migrations/", import.meta.url));
const migrationLockKey = 7_346_224_001; // arbitrary, fixed: "marquee migrations"

export interface MigrateOptions {
  /** Apply the migrations up to and including this file only (tests of a migration on older data). */
  through?: string;
  /**
   * Bound of every statement, the wait for another node's migration lock included (the start's
   * migrations stage passes its timeout, so nothing it began outlives it by more); none by default.
   */
  timeoutMs?: number;
}

/** Applies the migrations not applied yet, in order; returns the files it applied. */
export async function migrate(pool: Database, options: MigrateOptions = {}): Promise<string[]> {
  const files = (await readdir(migrationsDirectory))
    .filter((name) => /^\d{4}_[a-z0-9_]+\.sql$/.test(name))
    .filter((name) => options.through === undefined || name <= options.through)
    .sort();
  const client = await pool.connect();
  // A big migration may take longer than a query: the migration's own bound replaces the pool's
  // (server side, and client side a second later; no bound at all without timeoutMs).
  const timeoutMs = Math.round(options.timeoutMs ?? 0);
  const run: Run = (text, values) =>
    client.query({
      text,
      values,
      query_timeout: timeoutMs > 0 ? timeoutMs + 1_000 : 2 ** 31 - 1, // pg reads it, its types lack it
    } as pg.QueryConfig);
  const applied: string[] = [];
  let failure: Error | undefined;
  try {
    await run(`SET statement_timeout = ${timeoutMs}`);
    await run(`SET lock_timeout = ${timeoutMs}`);
    await run("SELECT pg_advisory_lock($1)", [migrationLockKey]);
    await run(
      "CREATE TABLE IF NOT EXISTS schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())",
    );
    const done = new Set((await run("SELECT name FROM schema_migrations")).rows.map((row) => row.name));
    for (const file of files) {
      if (done.has(file)) continue;
      await applyMigration(run, file);
      applied.push(file);
    }
  } catch (error) {
    failure = error as Error;
    throw error;
  } finally {
    await run("SELECT pg_advisory_unlock($1)", [migrationLockKey]).catch(() => {});
    // After a failure the connection is destroyed (its session lock and any transaction go with it).
    client.release(failure);
  }
  return applied;
}

type Run = (text: string, values?: unknown[]) => Promise<pg.QueryResult>;

/** One migration file and its schema_migrations row, in one transaction. */
async function applyMigration(run: Run, file: string): Promise<void> {
  const sql = await readFile(path.join(migrationsDirectory, file), "utf8");
  await run("BEGIN");
  try {
    await run(sql);
    await run("INSERT INTO schema_migrations (name) VALUES ($1)", [file]);
    await run("COMMIT");
  } catch (error) {
    await run("ROLLBACK").catch(() => {});
    throw new Error(`migration ${file} failed: ${(error as Error).message}`);
  }
}
