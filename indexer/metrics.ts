// Indexer metrics in Moleculer's registry (rendered by the indexer node at /metrics on its
// HEALTH_PORT): the lag of the search index behind the catalog, leadership, position and documents.
import type Moleculer from "moleculer";
import { metricRegistrar } from "../platform/metrics.ts";
import type { IndexerStatus } from "./indexer.ts";

const names = {
  lag: "marquee.search.indexing_lag_seconds",
  leader: "marquee.search.indexer_leader",
  position: "marquee.search.indexer_position",
  documents: "marquee.search.indexed_documents_total",
} as const;

/** Sets the indexer's metrics from its status (after each pass, and every second: the lag grows while it is stuck). */
export type IndexerStatusReporter = (status: IndexerStatus) => void;

export function createIndexerMetrics(broker: Moleculer.ServiceBroker): IndexerStatusReporter {
  const metrics = broker.metrics;
  const register = metricRegistrar(metrics);
  register({
    type: "gauge",
    name: names.lag,
    description:
      "Seconds since the oldest catalog change not yet in the search index was committed (0 on a standby)",
  });
  register({ type: "gauge", name: names.leader, description: "1 on the active indexer, 0 on a standby" });
  register({ type: "gauge", name: names.position, description: "Outbox position of the index" });
  register({ type: "counter", name: names.documents, description: "Documents written or removed" });
  // The status carries a running total: the counter grows by what was written since the last report.
  let documentsReported = 0;
  return (status) => {
    metrics.set(names.lag, status.lagSeconds);
    metrics.set(names.leader, status.leader ? 1 : 0);
    if (status.position !== null) metrics.set(names.position, status.position);
    if (status.documentsWritten > documentsReported) {
      metrics.increment(names.documents, undefined, status.documentsWritten - documentsReported);
      documentsReported = status.documentsWritten;
    }
  };
}
