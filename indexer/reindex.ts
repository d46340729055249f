// `npm run reindex`: rebuilds the search index of DATABASE_URL from scratch (SEARCH_BACKEND picks
// the index). Safe while Marquee runs: searches keep using the old index until the swap, and the
// indexer pauses, then continues from the rebuilt position.
import { loadConfig } from "../platform/config.ts";
import { createPool, ensureDatabase } from "../platform/database.ts";
import { migrate } from "../platform/migrate.ts";
import { createSearchIndex } from "./search-index.ts";
import { rebuildIndex } from "./rebuild.ts";

const config = loadConfig();
await ensureDatabase(config.databaseUrl);
const db = createPool(config.databaseUrl, { max: 2, applicationName: "marquee-reindex" });
try {
  await migrate(db);
  const index = await createSearchIndex(config, { db });
  await index.prepare();
  let reported = 0;
  const result = await rebuildIndex({
    databaseUrl: config.databaseUrl,
    index,
    onProgress(documents) {
      if (documents - reported >= 100_000) {
        reported = documents;
        console.log(`reindex: ${documents} documents written`);
      }
    },
  });
  await index.close();
  console.log(
    `reindex (${config.searchBackend}): ${result.documents} documents at position ${result.position} in ${result.durationMs} ms`,
  );
} finally {
  await db.end();
}
