// Waiting-room metrics in Moleculer's registry (rendered by the gateway at GET /metrics).
// Per-event gauges are labelled by event id; a node runs at most waitingRoomActorsPerNodeMax of them.
import type Moleculer from "moleculer";
import type { TickResult } from "./waiting-room-actor.ts";
import { metricRegistrar } from "../../platform/metrics.ts";

const names = {
  joins: "marquee.waiting_room.joins.total",
  refusals: "marquee.waiting_room.joins.refused.total",
  admitted: "marquee.waiting_room.admitted.total",
  waiting: "marquee.waiting_room.waiting",
  active: "marquee.waiting_room.active",
  rate: "marquee.waiting_room.admission.rate.per.second",
} as const;

export interface WaitingRoomMetrics {
  recordJoin(): void;
  /** A join refused with 503 (Redis unreachable or the line full). */
  recordRefusal(): void;
  recordTick(eventId: string, result: TickResult): void;
}

export function createWaitingRoomMetrics(broker: Moleculer.ServiceBroker): WaitingRoomMetrics {
  const metrics = broker.metrics;
  const register = metricRegistrar(metrics);
  register({ type: "counter", name: names.joins, description: "Waiting-room joins answered" });
  register({ type: "counter", name: names.refusals, description: "Waiting-room joins refused (503)" });
  register({ type: "counter", name: names.admitted, description: "Shoppers admitted from waiting rooms" });
  const perEvent = { labelNames: ["eventId"] };
  register({ type: "gauge", name: names.waiting, description: "People waiting, per event", ...perEvent });
  register({ type: "gauge", name: names.active, description: "Active shoppers, per event", ...perEvent });
  register({ type: "gauge", name: names.rate, description: "Measured admissions per second", ...perEvent });

  return {
    recordJoin: () => void metrics.increment(names.joins),
    recordRefusal: () => void metrics.increment(names.refusals),
    recordTick(eventId, result) {
      if (result.outcome !== "admitting" && result.outcome !== "idle") return;
      if (result.admitted.length > 0) metrics.increment(names.admitted, undefined, result.admitted.length);
      metrics.set(names.waiting, result.waitingCount, { eventId });
      metrics.set(names.active, result.activeCount, { eventId });
      metrics.set(names.rate, result.ratePerSecond, { eventId });
    },
  };
}
