// Checks the booking invariants in the DATABASE (not in any process's memory): run it after every
// concurrency test. The checks are the audit's (loadtest/audit.ts), shared with `npm run audit`.
import pg from "pg";
import { auditDatabase } from "../../loadtest/audit.ts";

/** The violations found, one line each (empty = every invariant holds). */
export async function findDatabaseViolations(databaseUrl: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const report = await auditDatabase(client);
    return report.checks.flatMap((check) =>
      check.examples.map((row) => `${check.name}: ${JSON.stringify(row)}`),
    );
  } finally {
    await client.end();
  }
}

/** Rows of a query against a test database (for assertions). */
export async function queryDatabase(
  databaseUrl: string,
  sql: string,
  values: unknown[] = [],
): Promise<any[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return (await client.query(sql, values)).rows;
  } finally {
    await client.end();
  }
}
