// Real-time metrics in Moleculer's registry (rendered at GET /metrics): connections, streams,
// followed events, lagging clients, frames, resyncs, how long after its commit a frame leaves, and
// connections refused by a per-client cap.
import type Moleculer from "moleculer";
import { metricRegistrar } from "../../platform/metrics.ts";

const names = {
  sockets: "marquee.realtime.sockets",
  sseStreams: "marquee.realtime.sse.streams",
  eventsFollowed: "marquee.realtime.events.followed",
  laggingSockets: "marquee.realtime.sockets.lagging",
  frames: "marquee.realtime.frames.total",
  frameChanges: "marquee.realtime.frame.changes",
  commitToFanout: "marquee.realtime.commit_to_fanout_seconds",
  commitToArrival: "marquee.realtime.commit_to_arrival_seconds",
  refused: "marquee.realtime.refused.total",
} as const;

/** Which per-client cap refused: handshakes a second, Socket.IO connections, SSE streams. */
export type RefusalReason = "handshakes" | "connections" | "streams";

// Seconds (Prometheus's unit; commit times are epoch milliseconds).
const delayBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.5, 1, 2.5, 5];
const refusalReasons: RefusalReason[] = ["handshakes", "connections", "streams"];

export interface RealtimeMetrics {
  frame(changes: number, oldestCommittedAt: number): void;
  arrival(committedAt: number): void;
  refused(reason: RefusalReason): void;
  gauges(values: {
    sockets: number;
    sseStreams: number;
    eventsFollowed: number;
    laggingSockets: number;
  }): void;
}

export function createRealtimeMetrics(broker: Moleculer.ServiceBroker): RealtimeMetrics {
  const metrics = broker.metrics;
  const register = metricRegistrar(metrics);
  register({ type: "gauge", name: names.sockets, description: "Socket.IO connections on this gateway" });
  register({ type: "gauge", name: names.sseStreams, description: "SSE update streams on this gateway" });
  register({ type: "gauge", name: names.eventsFollowed, description: "Events this gateway follows" });
  register({
    type: "gauge",
    name: names.laggingSockets,
    description: "Sockets told to resync, not yet drained",
  });
  register({ type: "counter", name: names.frames, description: "Seat frames fanned out" });
  register({
    type: "histogram",
    name: names.frameChanges,
    buckets: [1, 5, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000],
    description: "Changes per seat frame",
  });
  register({
    type: "histogram",
    name: names.commitToFanout,
    buckets: delayBuckets,
    description: "From the commit of a frame's first delta to the start of its fan-out",
  });
  register({
    type: "histogram",
    name: names.commitToArrival,
    buckets: delayBuckets,
    description: "From the commit of a seat delta to its arrival at this gateway",
  });
  register({
    type: "counter",
    name: names.refused,
    labelNames: ["reason"],
    zeroes: refusalReasons.map((reason) => ({ reason })),
    description: "Handshakes, connections and streams refused by a per-client cap",
  });
  return {
    refused(reason) {
      metrics.increment(names.refused, { reason });
    },
    frame(changes, oldestCommittedAt) {
      metrics.increment(names.frames);
      metrics.observe(names.frameChanges, changes);
      metrics.observe(names.commitToFanout, Math.max(0, Date.now() - oldestCommittedAt) / 1_000);
    },
    arrival(committedAt) {
      if (Number.isFinite(committedAt))
        metrics.observe(names.commitToArrival, Math.max(0, Date.now() - committedAt) / 1_000);
    },
    gauges(values) {
      metrics.set(names.sockets, values.sockets);
      metrics.set(names.sseStreams, values.sseStreams);
      metrics.set(names.eventsFollowed, values.eventsFollowed);
      metrics.set(names.laggingSockets, values.laggingSockets);
    },
  };
}
