// `npm run measure:rows`: the bytes each row of the booking tables takes on disk, measured on the
// real schema: a scratch database made from migrations/, bulk-loaded with generated events
// (loadtest/scale/bulk-load.ts: 50,000-seat events, 40% sold in pairs, with the rows a confirm
// leaves), vacuumed and analysed, then per table the mean pg_column_size of its rows, and its heap,
// indexes and total (pg_total_relation_size, TOAST included) divided by its rows. Writes
// loadtest/results/rows.json, which `npm run plan` reads; the database is dropped at the end.
// Options: --events N (4), --seats-per-event N (50000).
import { randomBytes } from "node:crypto";
import { mkdir, readdir, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import pg from "pg";
import { createPool, ensureDatabase } from "../platform/database.ts";
import { migrate } from "../platform/migrate.ts";
import { ArgumentError, readNumber } from "./cli-numbers.ts";
import {
  bookedSeatsPerTen,
  bookingTables,
  relationBytesSql,
  ensureBulkCatalog,
  loadTicketRows,
  seatsPerBooking,
  settleAfterLoad,
} from "./scale/bulk-load.ts";

const postgresUrl = process.env.BENCH_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432";
const databaseName = `marquee_measure_rows_${Date.now().toString(36)}_${randomBytes(3).toString("hex")}`;
const databaseUrl = `${postgresUrl}/${databaseName}`;

export interface TableRowBytes {
  rows: number;
  /** Mean pg_column_size of a whole row (its data as a composite value). */
  columnBytesMean: number;
  heapBytesPerRow: number;
  indexBytesPerRow: number;
  /** pg_total_relation_size (heap, indexes, TOAST, free space and visibility maps, all partitions) per row. */
  totalBytesPerRow: number;
  indexes: string[];
}

async function measureTable(client: pg.Client, table: string): Promise<TableRowBytes> {
  const { rows } = await client.query(
    `SELECT (SELECT count(*) FROM ${table})::bigint AS rows,
            (SELECT coalesce(avg(pg_column_size(t.*)), 0) FROM ${table} t)::float8 AS column_bytes,
            sizes.heap, sizes.indexes, sizes.total,
            (SELECT coalesce(array_agg(indexname ORDER BY indexname), '{}') FROM pg_indexes WHERE tablename = '${table}') AS names
     FROM (${relationBytesSql}) AS sizes`,
    [table],
  );
  const row = rows[0];
  const count = Number(row.rows);
  const per = (bytes: string) => (count > 0 ? Number((Number(bytes) / count).toFixed(1)) : 0);
  return {
    rows: count,
    columnBytesMean: Number(Number(row.column_bytes).toFixed(1)),
    heapBytesPerRow: per(row.heap),
    indexBytesPerRow: per(row.indexes),
    totalBytesPerRow: per(row.total),
    indexes: row.names,
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      events: { type: "string", default: "4" },
      "seats-per-event": { type: "string", default: "50000" },
    },
    strict: true,
    allowPositionals: false,
  });
  const events = readNumber("events", values.events, { min: 1, max: 200 });
  const seatsPerEvent = readNumber("seats-per-event", values["seats-per-event"], {
    min: 2_000,
    max: 200_000,
  });
  await ensureDatabase(databaseUrl);
  try {
    const pool = createPool(databaseUrl, { max: 1, statementTimeoutMs: 600_000 });
    const migrations = await migrate(pool).finally(() => pool.end());
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      const catalog = await ensureBulkCatalog(client);
      await loadTicketRows(databaseUrl, events * seatsPerEvent, { seatsPerEvent, ...catalog });
      await settleAfterLoad(client);
      const tables: Record<string, TableRowBytes> = {};
      for (const table of bookingTables) tables[table] = await measureTable(client, table);
      const results = {
        generatedAt: new Date().toISOString(),
        command: `npm run measure:rows -- ${process.argv.slice(2).join(" ")}`.trim(),
        postgres: (await client.query("SHOW server_version")).rows[0].server_version as string,
        migrations: migrations.length > 0 ? migrations : await migrationFiles(),
        sample: {
          events,
          seatsPerEvent,
          soldFraction: bookedSeatsPerTen / 10,
          ticketsPerBooking: seatsPerBooking,
        },
        tables,
      };
      const directory = fileURLToPath(new URL("./results/", import.meta.url));
      await mkdir(directory, { recursive: true });
      await writeFile(`${directory}rows.json`, JSON.stringify(results, null, 2) + "\n");
      for (const [table, bytes] of Object.entries(tables))
        console.log(
          `${table}: ${bytes.rows} rows, ${bytes.columnBytesMean} B of data, ${bytes.totalBytesPerRow} B a row in all (heap ${bytes.heapBytesPerRow}, indexes ${bytes.indexBytesPerRow})`,
        );
      console.log("measure:rows: loadtest/results/rows.json");
    } finally {
      await client.end();
    }
  } finally {
    await dropDatabase();
  }
}

async function migrationFiles(): Promise<string[]> {
  return (await readdir(new URL("../migrations/", import.meta.url))).filter((name) => name.endsWith(".sql"));
}

async function dropDatabase(): Promise<void> {
  const admin = new pg.Client({ connectionString: `${postgresUrl}/postgres` });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${databaseName}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

try {
  await main();
} catch (error) {
  if (!(error instanceof ArgumentError || (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")))
    throw error;
  console.error(`measure:rows: ${(error as Error).message}`);
  process.exitCode = 2;
}
