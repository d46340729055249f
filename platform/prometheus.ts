// Moleculer's Prometheus reporter opens its own HTTP port. Ours renders the same text but is served
// by the gateway at `GET /metrics`, on the one port the contract allows.
import Moleculer from "moleculer";

const PrometheusReporter = Moleculer.MetricReporters.Prometheus as any;
const BaseReporter = Moleculer.MetricReporters.Base as any;

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
  render(): string {
    return this.generatePrometheusResponse();
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
