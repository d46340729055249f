// The `indexer` service: runs the CDC indexer (indexer.ts) on every node that starts it; one of them
// is active at a time (advisory lock), the others stand by. After each write it drops the cached
// event details of the events it touched and tells every search node that the index moved.
import type { ServiceSchema } from "moleculer";
import type { Runtime } from "../platform/runtime.ts";
import { createJsonCache } from "../platform/cache.ts";
import { eventDetailsCacheKey } from "../catalog/event-cache.ts";
import { searchIndexChangedEvent, type SearchIndexChanged } from "../domain/messages.ts";
import { Indexer, type IndexerStatus } from "./indexer.ts";
import { createSearchIndex, type SearchIndex } from "./search-index.ts";
import { createIndexerMetrics, type IndexerStatusReporter } from "./metrics.ts";

/** How often the lag gauge is refreshed (it grows while the indexer is stuck). */
const metricsIntervalMs = 1_000;

export function createIndexerService(runtime: Runtime): ServiceSchema {
  const { config } = runtime;
  const cache = createJsonCache(runtime.redis);
  let indexer: Indexer | null = null;
  let index: SearchIndex | null = null;
  let metricsTimer: NodeJS.Timeout | null = null;
  let reportStatus: IndexerStatusReporter = () => {};

  return {
    name: "indexer",
    actions: {
      /** Leadership, position and lag of this node's indexer. */
      status: {
        visibility: "public",
        handler(): IndexerStatus | null {
          return indexer?.status() ?? null;
        },
      },
    },

    created(this: any) {
      if (this.broker.isMetricsEnabled()) reportStatus = createIndexerMetrics(this.broker);
    },

    async started(this: any) {
      const broker = this.broker;
      const report = (status: IndexerStatus) => reportStatus(status);
      index = await createSearchIndex(config, { db: runtime.db });
      indexer = new Indexer({
        databaseUrl: config.databaseUrl,
        index,
        logger: this.logger,
        onDocumentsWritten: (eventIds) => cache.delete(eventIds.map(eventDetailsCacheKey)),
        onPositionAdvanced: async (position) => {
          const payload: SearchIndexChanged = { position };
          await broker.broadcast(searchIndexChangedEvent, payload);
        },
        onStatus: report,
      });
      indexer.start();
      metricsTimer = setInterval(() => indexer && report(indexer.status()), metricsIntervalMs);
      metricsTimer.unref();
    },

    async stopped() {
      if (metricsTimer) clearInterval(metricsTimer);
      await indexer?.stop();
      await index?.close();
    },
  } as ServiceSchema;
}
