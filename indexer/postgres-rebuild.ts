// The Postgres index's rebuild: COPY into staging, write the tables in starts_at order, index them
// like the live tables, swap them in, all in one transaction; then VACUUM the new tables.
import { pipeline } from "node:stream/promises";
import { Readable } from "node:stream";
import { from as copyFrom } from "pg-copy-streams";
import type pg from "pg";
import type { Database } from "../platform/database.ts";
import type { SearchDocument } from "./search-document.ts";
import type { IndexRebuild } from "./search-index.ts";
import {
  documentColumns,
  documentColumnsFrom,
  documentsTable,
  stagedColumns,
  stagedCsvLine,
  stagedRecordType,
  termLengthMax,
  termsTable,
  venueColumns,
  venueColumnsFrom,
  venuesTable,
} from "./postgres-tables.ts";

const rebuiltTables = [documentsTable, venuesTable, termsTable];

/** Index builds over a million rows take a while: the pool's client-side query timeout is lifted. */
const rebuildQueryTimeoutMs = 3_600_000;

/** Opens the rebuild's transaction with empty `<table>_next` tables and the staging table. */
export async function beginPostgresRebuild(db: Database): Promise<IndexRebuild> {
  const client = await db.connect();
  try {
    // The whole rebuild is one transaction: the new tables are invisible until the swap commits,
    // and a rebuild that dies half-way leaves nothing behind.
    await client.query("BEGIN");
    await client.query("SET LOCAL statement_timeout = 0");
    await client.query("SET LOCAL maintenance_work_mem = '256MB'");
    await client.query(`CREATE TEMP TABLE search_staging (${stagedRecordType}) ON COMMIT DROP`);
    for (const table of rebuiltTables) {
      await client.query(`DROP TABLE IF EXISTS ${table}_next`);
      // Same columns and checks; indexes come after the load (much faster).
      await client.query(
        `CREATE TABLE ${table}_next (LIKE ${table} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`,
      );
    }
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    client.release(error as Error);
    throw error;
  }
  return new PostgresRebuild(client);
}

/**
 * VACUUM sets the visibility map of the freshly loaded tables, so counts and ordered scans can be
 * answered from the indexes alone (autovacuum would get there too, later).
 */
export async function vacuumRebuiltTables(db: Database): Promise<void> {
  const client = await db.connect();
  try {
    // VACUUM cannot run in a transaction (so no SET LOCAL); RESET restores the pool's setting.
    await client.query("SET statement_timeout = 0");
    for (const table of rebuiltTables) {
      await client.query({
        text: `VACUUM (ANALYZE) ${table}`,
        query_timeout: rebuildQueryTimeoutMs,
      } as pg.QueryConfig);
    }
    await client.query("RESET statement_timeout");
    client.release();
  } catch (error) {
    client.release(error as Error);
    throw error;
  }
}

interface IndexDefinition {
  name: string;
  definition: string;
  primary: boolean;
}

async function indexDefinitions(client: pg.PoolClient, table: string): Promise<IndexDefinition[]> {
  const { rows } = await client.query(
    `SELECT i.relname AS name, pg_get_indexdef(x.indexrelid) AS definition, x.indisprimary AS primary
     FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
     WHERE x.indrelid = to_regclass($1) ORDER BY i.relname`,
    [table],
  );
  return rows;
}

class PostgresRebuild implements IndexRebuild {
  private finished = false;

  constructor(private readonly client: pg.PoolClient) {}

  private run(text: string) {
    return this.client.query({ text, query_timeout: rebuildQueryTimeoutMs } as pg.QueryConfig);
  }

  async write(documents: SearchDocument[]): Promise<void> {
    if (this.finished) throw new Error("rebuild already finished");
    if (documents.length === 0) return;
    const stream = this.client.query(
      copyFrom(`COPY search_staging (${stagedColumns.join(", ")}) FROM STDIN (FORMAT csv)`),
    );
    await pipeline(Readable.from([documents.map(stagedCsvLine).join("")]), stream);
  }

  /** Indexes like the live table's (the migration stays the one definition), named `<table>_next_*`. */
  private async createIndexes(table: string): Promise<string[]> {
    const renames: string[] = [];
    for (const index of await indexDefinitions(this.client, table)) {
      if (!index.name.startsWith(table)) throw new Error(`index ${index.name} is not named after ${table}`);
      const nextName = `${table}_next${index.name.slice(table.length)}`;
      const match = /^CREATE (UNIQUE )?INDEX \S+ ON (ONLY )?\S+ USING (.*)$/.exec(index.definition);
      if (!match) throw new Error(`unexpected index definition: ${index.definition}`);
      await this.run(`CREATE ${match[1] ?? ""}INDEX ${nextName} ON ${table}_next USING ${match[3]}`);
      if (index.primary)
        await this.run(
          `ALTER TABLE ${table}_next ADD CONSTRAINT ${nextName} PRIMARY KEY USING INDEX ${nextName}`,
        );
      renames.push(`ALTER INDEX ${nextName} RENAME TO ${index.name}`);
    }
    return renames;
  }

  /**
   * Fills the `_next` tables from staging. Rows on disk in starts_at order: the soonest matches of
   * a query sit on the first pages.
   */
  private async fillTables(): Promise<void> {
    await this.run(
      `INSERT INTO ${documentsTable}_next (${documentColumns})
       SELECT ${documentColumnsFrom("s")} FROM search_staging s ORDER BY s.starts_at, s.event_id`,
    );
    await this.run(
      `INSERT INTO ${venuesTable}_next (${venueColumns})
       SELECT DISTINCT ON (s.venue_id) ${venueColumnsFrom("s")} FROM search_staging s ORDER BY s.venue_id, s.version DESC`,
    );
    await this.run(
      `INSERT INTO ${termsTable}_next (term)
       SELECT DISTINCT u.lexeme FROM ${documentsTable}_next d, unnest(d.search_vector) AS u
       WHERE length(u.lexeme) <= ${termLengthMax}`,
    );
  }

  async commit(): Promise<void> {
    if (this.finished) throw new Error("rebuild already finished");
    try {
      await this.fillTables();
      const renames: string[] = [];
      for (const table of rebuiltTables) {
        renames.push(...(await this.createIndexes(table)));
        await this.run(`ANALYZE ${table}_next`);
      }
      // The swap waits for running searches to finish, at most lock_timeout (then the rebuild fails).
      await this.run("SET LOCAL lock_timeout = '10s'");
      for (const table of rebuiltTables) {
        await this.run(`DROP TABLE ${table}`);
        await this.run(`ALTER TABLE ${table}_next RENAME TO ${table}`);
      }
      for (const rename of renames) await this.run(rename);
      await this.run("COMMIT");
    } catch (error) {
      await this.abort();
      throw error;
    }
    this.finished = true;
    this.client.release();
  }

  async abort(): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    await this.client.query("ROLLBACK").catch(() => {});
    this.client.release(true); // destroyed: whatever state the failure left is gone with it
  }
}
