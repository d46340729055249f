// Moleculer's Prometheus reporter opens its own HTTP port. Ours renders the same text but is served
// by the gateway at `GET /metrics` (or on METRICS_PORT: platform/metrics-server.ts), and without host
// identity: Moleculer's built-in OS and process metrics name the host, its addresses and MACs, the
// user, home directory, kernel, process arguments and pid. Those metrics are never rendered, and as a
// last guard no series whose labels carry this host's name is either (node ids default to one
// without it: platform/node-id.ts).
import os from "node:os";
import Moleculer from "moleculer";

const PrometheusReporter = Moleculer.MetricReporters.Prometheus as any;
const BaseReporter = Moleculer.MetricReporters.Base as any;

/** Metrics (Moleculer's dotted names) that identify the host or the process; a name ending in "." is a prefix. */
export const hostIdentityMetrics: readonly string[] = [
  "os.hostname",
  "os.release", // the kernel
  "os.user.", // uid, gid, username, homedir
  "os.network.", // addresses and MACs
  "process.arguments",
  "process.pid",
  "process.ppid",
  "moleculer.transit.pong.", // labelled by the other nodes' ids
];

const carriesHostIdentity = (name: string): boolean =>
  hostIdentityMetrics.some((denied) => (denied.endsWith(".") ? name.startsWith(denied) : name === denied));

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Drops every sample whose labels name `hostName` (as a whole word: `vm-1234` names `vm`, `vmware` does not). */
export function withoutHostName(text: string, hostName: string): string {
  if (hostName === "") return text;
  const word = new RegExp(`(^|[^a-z0-9])${escapeRegExp(hostName)}($|[^a-z0-9])`, "i");
  return text
    .split("\n")
    .filter((line) => {
      if (line.startsWith("#")) return true;
      const labels = line.slice(line.indexOf("{") + 1, line.lastIndexOf("}"));
      return !word.test(labels);
    })
    .join("\n");
}

export class GatewayPrometheusReporter extends PrometheusReporter {
  init(registry: unknown): void {
    BaseReporter.prototype.init.call(this, registry);
    this.defaultLabels =
      typeof this.opts.defaultLabels === "function"
        ? this.opts.defaultLabels.call(this, registry)
        : this.opts.defaultLabels;
  }
  stop(): Promise<void> {
    return Promise.resolve();
  }
  matchMetricName(name: string): boolean {
    return !carriesHostIdentity(name) && super.matchMetricName(name);
  }
  render(): string {
    return withoutHostName(this.generatePrometheusResponse(), os.hostname());
  }
}

let registered = false;
export function registerGatewayPrometheusReporter(): void {
  if (registered) return;
  (Moleculer.MetricReporters as any).register("GatewayPrometheus", GatewayPrometheusReporter);
  registered = true;
}

/** The Prometheus text of this node's metrics. */
export function renderMetrics(broker: Moleculer.ServiceBroker): string {
  const reporters: unknown[] = (broker as any).metrics?.reporter ?? [];
  const reporter = reporters.find((r) => r instanceof GatewayPrometheusReporter) as
    GatewayPrometheusReporter | undefined;
  return reporter ? reporter.render() : "";
}
