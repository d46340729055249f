// Moleculer's own metrics (process, OS, broker, registry, requests, events, transit) under
// Prometheus names: base units (`_bytes`, `_seconds`; Moleculer measures times in ms), `_total` on
// counters only, the names Node's Prometheus client uses where it has one. Only what this table
// names is rendered: the rest repeats it (heap statistics), says nothing useful (OS type, Moleculer
// versions) or identifies the host (host name, addresses, MACs, user, kernel, arguments, pid:
// platform/prometheus.ts). Also the two process metrics Moleculer lacks: CPU seconds and start time.
import type { MetricFamily } from "./prometheus-text.ts";

export interface BuiltinRendering {
  /** The Prometheus name. */
  name: string;
  /** Multiplies every value (and histogram bound) into the base unit. */
  scale?: number;
  /** An info metric: its value becomes this label, the sample 1. */
  infoLabel?: string;
  /** Replaces Moleculer's description (which names its own unit). */
  help?: string;
}

const milliseconds = 0.001;

/** Moleculer's dotted name -> how it is rendered. */
export const builtinMetrics: Readonly<Record<string, BuiltinRendering>> = {
  "process.memory.rss": { name: "process_resident_memory_bytes" },
  "process.memory.heap.size.total": { name: "nodejs_heap_size_total_bytes" },
  "process.memory.heap.size.used": { name: "nodejs_heap_size_used_bytes" },
  "process.memory.heap.stat.heap.size.limit": { name: "nodejs_heap_size_limit_bytes" },
  "process.memory.external": { name: "nodejs_external_memory_bytes" },
  "process.memory.heap.space.size.total": { name: "nodejs_heap_space_size_total_bytes" },
  "process.memory.heap.space.size.used": { name: "nodejs_heap_space_size_used_bytes" },
  "process.memory.heap.space.size.available": { name: "nodejs_heap_space_size_available_bytes" },
  "process.uptime": { name: "process_uptime_seconds" },
  "process.internal.active.handles": { name: "nodejs_active_handles" },
  "process.internal.active.requests": { name: "nodejs_active_requests" },
  "process.versions.node": { name: "nodejs_version_info", infoLabel: "version" },
  "os.memory.free": { name: "os_memory_free_bytes" },
  "os.memory.used": { name: "os_memory_used_bytes" },
  "os.memory.total": { name: "os_memory_total_bytes" },
  "os.uptime": { name: "os_uptime_seconds" },
  "os.cpu.load.1": { name: "os_load1" },
  "os.cpu.load.5": { name: "os_load5" },
  "os.cpu.load.15": { name: "os_load15" },
  "os.cpu.total": { name: "os_cpus" },
  "moleculer.broker.started": { name: "moleculer_broker_started" },
  "moleculer.broker.local.services.total": { name: "moleculer_broker_local_services" },
  "moleculer.registry.nodes.total": { name: "moleculer_registry_nodes" },
  "moleculer.registry.nodes.online.total": { name: "moleculer_registry_nodes_online" },
  "moleculer.registry.services.total": { name: "moleculer_registry_services" },
  "moleculer.registry.service.endpoints.total": { name: "moleculer_registry_service_endpoints" },
  "moleculer.registry.actions.total": { name: "moleculer_registry_actions" },
  "moleculer.registry.action.endpoints.total": { name: "moleculer_registry_action_endpoints" },
  "moleculer.registry.events.total": { name: "moleculer_registry_events" },
  "moleculer.registry.event.endpoints.total": { name: "moleculer_registry_event_endpoints" },
  "moleculer.request.total": { name: "moleculer_request_total" },
  "moleculer.request.active": { name: "moleculer_request_active" },
  "moleculer.request.error.total": { name: "moleculer_request_error_total" },
  "moleculer.request.timeout.total": { name: "moleculer_request_timeout_total" },
  "moleculer.request.time": {
    name: "moleculer_request_duration_seconds",
    scale: milliseconds,
    help: "Time of action calls: those served here (type local) and those this node sent to others (type remote)",
  },
  "moleculer.request.bulkhead.inflight": { name: "moleculer_request_bulkhead_inflight" },
  "moleculer.request.bulkhead.queue.size": { name: "moleculer_request_bulkhead_queue_size" },
  "moleculer.event.emit.total": { name: "moleculer_event_emit_total" },
  "moleculer.event.broadcast.total": { name: "moleculer_event_broadcast_total" },
  "moleculer.event.broadcast-local.total": { name: "moleculer_event_broadcast_local_total" },
  "moleculer.event.received.total": { name: "moleculer_event_received_total" },
  "moleculer.event.received.active": { name: "moleculer_event_received_active" },
  "moleculer.event.received.error.total": { name: "moleculer_event_received_error_total" },
  "moleculer.event.received.time": {
    name: "moleculer_event_received_duration_seconds",
    scale: milliseconds,
    help: "Time an event handler took",
  },
  "moleculer.event.bulkhead.inflight": { name: "moleculer_event_bulkhead_inflight" },
  "moleculer.event.bulkhead.queue.size": { name: "moleculer_event_bulkhead_queue_size" },
  "moleculer.transit.publish.total": { name: "moleculer_transit_publish_total" },
  "moleculer.transit.receive.total": { name: "moleculer_transit_receive_total" },
  "moleculer.transit.requests.active": { name: "moleculer_transit_requests_active" },
  "moleculer.transit.streams.send.active": { name: "moleculer_transit_streams_send_active" },
  "moleculer.transit.ready": { name: "moleculer_transit_ready" },
  "moleculer.transit.connected": { name: "moleculer_transit_connected" },
  "moleculer.transit.orphan.response.total": { name: "moleculer_transit_orphan_response_total" },
  "moleculer.transporter.packets.sent.total": { name: "moleculer_transporter_packets_sent_total" },
  "moleculer.transporter.packets.sent.bytes": { name: "moleculer_transporter_packets_sent_bytes_total" },
  "moleculer.transporter.packets.received.total": { name: "moleculer_transporter_packets_received_total" },
  "moleculer.transporter.packets.received.bytes": {
    name: "moleculer_transporter_packets_received_bytes_total",
  },
};

const startTimeSeconds = Date.now() / 1000 - process.uptime();

/** CPU time and start time of this process, read at each scrape (Moleculer collects neither). */
export function processFamilies(): MetricFamily[] {
  const usage = process.cpuUsage();
  return [
    {
      name: "process_cpu_seconds_total",
      help: "User and system CPU time spent by this process (its worker threads included)",
      type: "counter",
      samples: [{ name: "process_cpu_seconds_total", labels: {}, value: (usage.user + usage.system) / 1e6 }],
    },
    {
      name: "process_start_time_seconds",
      help: "Start time of the process since the Unix epoch",
      type: "gauge",
      samples: [{ name: "process_start_time_seconds", labels: {}, value: Math.round(startTimeSeconds) }],
    },
  ];
}
