// Numbered forward-only SQL migrations (migrations/NNNN_name.sql), run at start under an advisory
// lock so that two nodes starting together migrate once.
import { readdir, readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import path from "node:path";
import type { Database } from "./database.ts";

const migrationsDirectory = fileURLToPath(new URL("../migrations/", import.meta.url));
const migrationLockKey = 7_346_224_001; // arbitrary, fixed: "marquee migrations"

export interface MigrateOptions {
  /** Apply the migrations up to and including this file only (tests of a migration on older data). */
  through?: string;
}

/** Applies the migrations not applied yet, in order; returns the files it applied. */
export async function migrate(pool: Database, options: MigrateOptions = {}): Promise<string[]> {
  const files = (await readdir(migrationsDirectory))
    .filter((name) => /^\d{4}_[a-z0-9_]+\.sql$/.test(name))
    .filter((name) => options.through === undefined || name <= options.through)
    .sort();
  const client = await pool.connect();
  const applied: string[] = [];
  let failure: Error | undefined;
  try {
    await client.query("SET statement_timeout = 0"); // a big migration may take longer than a query
    await client.query("SELECT pg_advisory_lock($1)", [migrationLockKey]);
    await client.query(
      "CREATE TABLE IF NOT EXISTS schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())",
    );
    const done = new Set(
      (await client.query("SELECT name FROM schema_migrations")).rows.map((row) => row.name),
    );
    for (const file of files) {
      if (done.has(file)) continue;
      const sql = await readFile(path.join(migrationsDirectory, file), "utf8");
      await client.query("BEGIN");
      try {
        await client.query(sql);
        await client.query("INSERT INTO schema_migrations (name) VALUES ($1)", [file]);
        await client.query("COMMIT");
      } catch (error) {
        await client.query("ROLLBACK").catch(() => {});
        throw new Error(`migration ${file} failed: ${(error as Error).message}`);
      }
      applied.push(file);
    }
  } catch (error) {
    failure = error as Error;
    throw error;
  } finally {
    await client.query("SELECT pg_advisory_unlock($1)", [migrationLockKey]).catch(() => {});
    // After a failure the connection is destroyed (its session lock and any transaction go with it).
    client.release(failure);
  }
  return applied;
}
