// A lone indexer in its own process, for the test that SIGKILLs it mid-stream.
// Usage: tsx test/support/indexer-process.ts <databaseUrl> <outboxBatchMax> <documentBatchMax>
import { createPool } from "../../platform/database.ts";
import { Indexer } from "../../indexer/indexer.ts";
import { PostgresIndex } from "../../indexer/postgres-index.ts";

const [databaseUrl, outboxBatchMax, documentBatchMax] = process.argv.slice(2);
const pool = createPool(databaseUrl, { max: 2 });
const quiet = { info() {}, warn() {}, error: (...args: unknown[]) => console.error(...args) };
const indexer = new Indexer({
  databaseUrl,
  index: new PostgresIndex(pool),
  logger: quiet,
  outboxBatchMax: Number(outboxBatchMax),
  documentBatchMax: Number(documentBatchMax),
  pollIntervalMs: 50,
  retryIntervalMs: 50,
});
indexer.start();
console.log("indexer started");
