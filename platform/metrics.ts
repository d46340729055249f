// Registering metrics in Moleculer's registry once per broker: several services (or a service
// created again in tests) may declare the same metric.
import type Moleculer from "moleculer";

type Registry = Moleculer.ServiceBroker["metrics"];
export type MetricDefinition = Record<string, unknown> & { name: string; type: string };

/** A `register` that skips metrics the registry already has. */
export const metricRegistrar =
  (metrics: Registry) =>
  (definition: MetricDefinition): void => {
    if (!metrics.hasMetric(definition.name)) metrics.register(definition as any);
  };
