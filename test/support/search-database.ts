// A migrated database of its own, filled by plain SQL (fast), for tests that drive the indexer directly.
import pg from "pg";
import { createPool, ensureDatabase, type Database } from "../../platform/database.ts";
import { migrate } from "../../platform/migrate.ts";
import { freshDatabaseUrl } from "./system.ts";

export interface SearchDatabase {
  url: string;
  db: Database;
  /** Inserts a venue (and returns its id). */
  venue(id: string, name: string, city?: string): Promise<string>;
  /** Inserts events `${prefix}${from}` .. `${prefix}${to}` at a venue, in one transaction. */
  events(
    prefix: string,
    from: number,
    to: number,
    venueId: string,
    name?: (i: number) => string,
  ): Promise<string[]>;
  close(): Promise<void>;
}

export async function createSearchDatabase(): Promise<SearchDatabase> {
  const url = await freshDatabaseUrl();
  await ensureDatabase(url);
  const db = createPool(url, { max: 4 });
  await migrate(db);
  return {
    url,
    db,
    async venue(id, name, city = "Lisbon") {
      await db.query(
        "INSERT INTO venues (id, name, city, country, lat, lng) VALUES ($1, $2, $3, 'Portugal', 38.7, -9.1)",
        [id, name, city],
      );
      return id;
    },
    async events(prefix, from, to, venueId, name = (i) => `Show number ${i}`) {
      const ids: string[] = [];
      const names: string[] = [];
      for (let i = from; i <= to; i++) {
        ids.push(`${prefix}${i}`);
        names.push(name(i));
      }
      await db.query(
        `INSERT INTO events (id, name, description, type, venue_id, starts_at, on_sale_at, sections, ticket_count)
         SELECT id, name, 'generated', 'concert', $3, now() + interval '30 days', now(), '[]', 0
         FROM unnest($1::text[], $2::text[]) AS e(id, name)`,
        [ids, names, venueId],
      );
      return ids;
    },
    async close() {
      await db.end();
    },
  };
}

/** Drops a database created by createSearchDatabase. */
export async function dropSearchDatabase(url: string): Promise<void> {
  const name = new URL(url).pathname.slice(1);
  const client = new pg.Client({ connectionString: new URL("/postgres", url).toString() });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}
