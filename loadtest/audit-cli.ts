// `npm run audit [-- --event <eventId>]`: checks the invariants of the database in DATABASE_URL.
// Exits non-zero on any violation.
import pg from "pg";
import { loadConfig } from "../platform/config.ts";
import { auditDatabase, formatAudit } from "./audit.ts";

const eventFlag = process.argv.indexOf("--event");
const eventId = eventFlag >= 0 ? process.argv[eventFlag + 1] : null;
const client = new pg.Client({ connectionString: loadConfig().databaseUrl, statement_timeout: 120_000 });
await client.connect();
try {
  const report = await auditDatabase(client, eventId);
  console.log(formatAudit(report));
  process.exitCode = report.ok ? 0 : 1;
} finally {
  await client.end();
}
