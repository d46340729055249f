// Every node renders its own metrics in the Prometheus text format: the gateway at `GET /metrics`
// (or on METRICS_PORT: platform/metrics-server.ts), the other nodes on HEALTH_PORT
// (platform/health-server.ts). Moleculer's Prometheus reporter opens a port of its own and writes
// Moleculer's names as they are (times in ms, gauges named `_total`, quantiles under a histogram,
// histograms without `_sum`); this reporter renders the same registry by Prometheus conventions
// instead: Marquee's metrics (`marquee.*`, named by those conventions where they are registered),
// the built-ins of platform/builtin-metrics.ts renamed, and the families of collectors that keep their
// own series (the gateway's HTTP histogram). Nothing identifies the host: Moleculer's host and process
// identity metrics are in no table, and as a last guard no series whose labels carry this host's name
// is rendered (node ids default to one without it: platform/node-id.ts).
import os from "node:os";
import Moleculer from "moleculer";
import { builtinMetrics, processFamilies, type BuiltinRendering } from "./builtin-metrics.ts";
import {
  histogramSamples,
  renderFamilies,
  snakeCase,
  type Labels,
  type MetricFamily,
  type Sample,
} from "./prometheus-text.ts";

const BaseReporter = Moleculer.MetricReporters.Base as any;

/** A source of metric families read at each scrape. */
export type MetricsCollector = () => MetricFamily[];

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

/** Marquee's own metrics keep their registered names (dots become underscores). */
function renderingOf(name: string): BuiltinRendering | null {
  if (name.startsWith("marquee.")) return { name: name.replace(/[.-]/g, "_") };
  return builtinMetrics[name] ?? null;
}

const snakeLabels = (labels: Record<string, unknown> | undefined): Record<string, string | number> => {
  const result: Record<string, string | number> = {};
  for (const name in labels ?? {}) {
    const value = labels![name];
    if (value !== undefined && value !== null) result[snakeCase(name)] = value as string | number;
  }
  return result;
};

/** The samples of one Moleculer metric (counter, gauge, info or histogram) under `rendering`. */
function moleculerSamples(metric: any, rendering: BuiltinRendering): Sample[] {
  const scale = rendering.scale ?? 1;
  const items: any[] = metric.snapshot();
  const unlabelled = (metric.labelNames ?? []).length === 0;
  // A counter or histogram without labels is 0 before its first event (absent would read as unknown).
  if (items.length === 0 && unlabelled && metric.type === "counter")
    return [{ name: rendering.name, labels: {}, value: 0 }];
  if (items.length === 0 && unlabelled && metric.type === "histogram")
    return histogramSamples(rendering.name, {}, scaled(metric.buckets, scale), [], 0, 0);
  return items.flatMap((item): Sample[] => {
    const labels = snakeLabels(item.labels);
    if (metric.type === "histogram") {
      const bounds: number[] = metric.buckets ?? [];
      const cumulative = bounds.map((bound) => item.buckets?.[bound] ?? 0);
      return histogramSamples(
        rendering.name,
        labels,
        scaled(bounds, scale),
        cumulative,
        item.count,
        item.sum * scale,
      );
    }
    if (metric.type === "info" && rendering.infoLabel)
      return [
        { name: rendering.name, labels: { ...labels, [rendering.infoLabel]: String(item.value) }, value: 1 },
      ];
    if (typeof item.value !== "number") return [];
    return [{ name: rendering.name, labels, value: item.value * scale }];
  });
}

const scaled = (bounds: readonly number[] = [], scale: number): number[] =>
  bounds.map((bound) => bound * scale);

/** Moleculer's registry as metric families: Marquee's metrics and the renamed built-ins, nothing else. */
function registryFamilies(store: Map<string, any>): MetricFamily[] {
  const families: MetricFamily[] = [];
  for (const metric of store.values()) {
    const rendering = renderingOf(metric.name);
    if (!rendering) continue;
    const type = metric.type === "info" ? "gauge" : metric.type;
    if (type !== "counter" && type !== "gauge" && type !== "histogram") continue;
    const help = rendering.help ?? metric.description ?? metric.name;
    families.push({ name: rendering.name, help, type, samples: moleculerSamples(metric, rendering) });
  }
  return families;
}

const reporterBrand = Symbol.for("marquee.nodePrometheusReporter");

export class NodePrometheusReporter extends BaseReporter {
  readonly [reporterBrand] = true;
  readonly collectors = new Set<MetricsCollector>();
  defaultLabels: Labels = {};

  init(registry: unknown): void {
    super.init(registry);
    const labels = this.opts.defaultLabels;
    this.defaultLabels = typeof labels === "function" ? labels.call(this, registry) : (labels ?? {});
  }

  render(): string {
    const families = [
      ...registryFamilies(this.registry.store),
      ...processFamilies(),
      ...[...this.collectors].flatMap((collect) => collect()),
    ];
    return withoutHostName(renderFamilies(families, this.defaultLabels), os.hostname());
  }
}

let registered = false;
/** Makes the reporter type `NodePrometheus` known to Moleculer (moleculer.config.ts names it). */
export function registerPrometheusReporter(): void {
  if (registered) return;
  (Moleculer.MetricReporters as any).register("NodePrometheus", NodePrometheusReporter);
  registered = true;
}

/**
 * Found by a brand, not `instanceof`: under the test runner this module can be loaded twice (once
 * through tsx's CommonJS hook, once as ES module), and a reporter made by either copy must be found.
 */
function reporterOf(broker: Moleculer.ServiceBroker): NodePrometheusReporter | undefined {
  const reporters: unknown[] = (broker as any).metrics?.reporter ?? [];
  return reporters.find((r) => (r as Record<symbol, unknown>)?.[reporterBrand] === true) as
    NodePrometheusReporter | undefined;
}

/** Adds families read at each scrape of this node; returns the function that removes them. */
export function addMetricsCollector(
  broker: Moleculer.ServiceBroker,
  collector: MetricsCollector,
): () => void {
  const reporter = reporterOf(broker);
  reporter?.collectors.add(collector);
  return () => void reporter?.collectors.delete(collector);
}

/** The Prometheus text of this node's metrics. */
export function renderMetrics(broker: Moleculer.ServiceBroker): string {
  return reporterOf(broker)?.render() ?? "";
}
