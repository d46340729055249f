// Seat-map metrics in Moleculer's registry (GET /metrics): renders by form (N readers of one version
// cost one) and snapshots fetched from the actors by reason (cold start, gap, failed revalidation).
import type Moleculer from "moleculer";
import { metricRegistrar } from "../platform/metrics.ts";
import type { FetchReason } from "./seat-map-reader.ts";
import type { RenderKind } from "./seat-map-renders.ts";

const names = {
  renders: "marquee.seatmap.renders.total",
  fetches: "marquee.seatmap.snapshot.fetches.total",
} as const;

export interface SeatMapMetrics {
  render(kind: RenderKind): void;
  fetch(reason: FetchReason): void;
}

export function createSeatMapMetrics(broker: Moleculer.ServiceBroker): SeatMapMetrics {
  const register = metricRegistrar(broker.metrics);
  register({
    type: "counter",
    name: names.renders,
    labelNames: ["form"],
    description: "Seat-map answers rendered (once per published snapshot and form)",
  });
  register({
    type: "counter",
    name: names.fetches,
    labelNames: ["reason"],
    description: "Seat snapshots fetched from the event's actor (cold start, gap, revalidation)",
  });
  return {
    render: (kind) => broker.metrics.increment(names.renders, { form: kind }),
    fetch: (reason) => broker.metrics.increment(names.fetches, { reason }),
  };
}
