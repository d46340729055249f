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

const metricNames = {
  lag: "marquee.search.indexing_lag_seconds",
  leader: "marquee.search.indexer_leader",
  position: "marquee.search.indexer_position",
  documents: "marquee.search.indexed_documents_total",
};
/** How often the lag gauge is refreshed (it grows while the indexer is stuck). */
const metricsIntervalMs = 1_000;

/** The indexer's gauges and counter (registered when metrics are enabled). */
function registerMetrics(metrics: any): void {
  metrics.register({
    type: "gauge",
    name: metricNames.lag,
    description: "Seconds since the oldest catalog change not yet in the search index was committed",
    unit: "seconds",
  });
  metrics.register({ type: "gauge", name: metricNames.leader, description: "1 on the active indexer" });
  metrics.register({
    type: "gauge",
    name: metricNames.position,
    description: "Outbox position of the index",
  });
  metrics.register({
    type: "counter",
    name: metricNames.documents,
    description: "Documents written or removed",
  });
}

/**
 * Sets the metrics from an indexer status. The documents counter grows by what was written since
 * the last report (the status carries a running total).
 */
function statusReporter(): (broker: any, status: IndexerStatus) => void {
  let documentsReported = 0;
  return (broker, status) => {
    if (!broker.isMetricsEnabled()) return;
    broker.metrics.set(metricNames.lag, status.lagSeconds);
    broker.metrics.set(metricNames.leader, status.leader ? 1 : 0);
    if (status.position !== null) broker.metrics.set(metricNames.position, status.position);
    if (status.documentsWritten > documentsReported) {
      broker.metrics.increment(metricNames.documents, null, status.documentsWritten - documentsReported);
      documentsReported = status.documentsWritten;
    }
  };
}

export function createIndexerService(runtime: Runtime): ServiceSchema {
  const { config } = runtime;
  const cache = createJsonCache(runtime.redis);
  let indexer: Indexer | null = null;
  let index: SearchIndex | null = null;
  let metricsTimer: NodeJS.Timeout | null = null;
  const reportStatus = statusReporter();

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
      if (this.broker.isMetricsEnabled()) registerMetrics(this.broker.metrics);
    },

    async started(this: any) {
      const broker = this.broker;
      const report = (status: IndexerStatus) => reportStatus(broker, status);
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
