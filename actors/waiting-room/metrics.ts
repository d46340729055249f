// Waiting-room metrics in Moleculer's registry (rendered by the node that runs the waiting-room
// actors, at /metrics on its HEALTH_PORT or its gateway). Per-event series are labelled by event id
// (a node runs at most waitingRoomActorsPerNodeMax actors) and exist only while this node's actor
// looks after the event: an actor that retires or another node owns takes its series away, so a
// line is never counted twice or frozen at its last length.
import type Moleculer from "moleculer";
import type { TickResult } from "./waiting-room-actor.ts";
import { metricRegistrar, removeSeries } from "../../platform/metrics.ts";

const names = {
  joins: "marquee.waiting_room.joins.total",
  refusals: "marquee.waiting_room.joins.refused.total",
  admitted: "marquee.waiting_room.admitted.total",
  waiting: "marquee.waiting_room.waiting",
  active: "marquee.waiting_room.active",
  admissible: "marquee.waiting_room.admissible",
} as const;

const perEventNames = [names.admitted, names.waiting, names.active, names.admissible];

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
  const perEvent = { labelNames: ["event_id"] };
  register({
    type: "counter",
    name: names.admitted,
    description: "Shoppers admitted from the waiting room, per event",
    ...perEvent,
  });
  register({
    type: "gauge",
    name: names.waiting,
    description: "People waiting in line, per event",
    ...perEvent,
  });
  register({ type: "gauge", name: names.active, description: "Active shoppers, per event", ...perEvent });
  register({
    type: "gauge",
    name: names.admissible,
    description:
      "People waiting there is room for now (on sale, below maxActiveShoppers), per event: " +
      "stays above 0 only while admissions are held back by admitPerMinute or stalled",
    ...perEvent,
  });

  return {
    recordJoin: () => void metrics.increment(names.joins),
    recordRefusal: () => void metrics.increment(names.refusals),
    recordTick(eventId, result) {
      const labels = { event_id: eventId };
      if (result.outcome !== "admitting" && result.outcome !== "idle") {
        // Retired, or the lease is another node's: that node reports the line now.
        for (const name of perEventNames) removeSeries(metrics, name, labels);
        return;
      }
      metrics.increment(names.admitted, labels, result.admitted.length);
      metrics.set(names.waiting, result.waitingCount, labels);
      metrics.set(names.active, result.activeCount, labels);
      metrics.set(names.admissible, result.admissible, labels);
    },
  };
}
