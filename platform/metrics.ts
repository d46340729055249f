// Registering Marquee's metrics in Moleculer's registry, once per broker (several services, or a
// service created again in tests, may declare the same metric), by Prometheus conventions: names in
// snake case under `marquee.`, base units (`_seconds`, `_bytes`), `_total` on counters and only on
// them, label names in snake case. A definition that breaks them is a programmer error and throws.
import type Moleculer from "moleculer";

type Registry = Moleculer.ServiceBroker["metrics"];

export interface MetricDefinition {
  type: "counter" | "gauge" | "histogram";
  /** `marquee.<area>.<what>[_<unit>][.total]`; rendered with dots as underscores. */
  name: string;
  description: string;
  labelNames?: string[];
  buckets?: number[];
  /** Label sets a counter starts at 0 with (so `rate()` and "absent = 0" work before the first event). */
  zeroes?: Record<string, string>[];
}

const abbreviatedUnits = /_(ms|us|ns|sec|secs|kb|mb|gb)(_|$)/;

/** Why `definition` breaks the naming conventions, or null. */
export function conventionProblem(definition: MetricDefinition): string | null {
  const name = definition.name.replace(/[.-]/g, "_");
  if (!/^marquee_[a-z][a-z0-9_]*$/.test(name)) return "names are marquee.<snake_case>";
  if (definition.type === "counter" && !name.endsWith("_total")) return "a counter's name ends in _total";
  if (definition.type !== "counter" && name.endsWith("_total")) return "only counters end in _total";
  if (abbreviatedUnits.test(name)) return "units are base units, written out (_seconds, _bytes)";
  if (/_(milliseconds|microseconds|minutes|hours|kilobytes|megabytes)(_|$)/.test(name))
    return "units are base units (_seconds, _bytes)";
  for (const label of definition.labelNames ?? [])
    if (!/^[a-z][a-z0-9_]*$/.test(label)) return `label ${label} is not snake_case`;
  return null;
}

/** A `register` that skips metrics the registry already has and refuses unconventional ones. */
export const metricRegistrar =
  (metrics: Registry) =>
  (definition: MetricDefinition): void => {
    const problem = conventionProblem(definition);
    if (problem) throw new Error(`metric ${definition.name}: ${problem}`);
    if (metrics.hasMetric(definition.name)) return;
    const { zeroes, ...options } = definition;
    metrics.register(options as any);
    for (const labels of zeroes ?? []) metrics.increment(definition.name, labels, 0);
  };

/** Forgets one labelled series (an event this node no longer looks after), so it is no longer rendered. */
export function removeSeries(metrics: Registry, name: string, labels: Record<string, string>): void {
  const metric = metrics.getMetric(name) as any;
  if (!metric) return;
  if (metric.values.delete(metric.hashingLabels(labels))) metric.setDirty();
}
