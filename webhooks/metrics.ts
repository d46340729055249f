// Webhook delivery metrics in Moleculer's registry (rendered at /metrics of the node running the
// webhooks service): attempts by outcome, their duration, what is in flight, the age of the backlog.
import type Moleculer from "moleculer";
import { metricRegistrar } from "../platform/metrics.ts";
import type { Outcome } from "./deliveries.repository.ts";

const names = {
  attempts: "marquee.webhook.delivery_attempts_total",
  duration: "marquee.webhook.delivery_duration_seconds",
  inFlight: "marquee.webhook.deliveries_in_flight",
  oldestDue: "marquee.webhook.oldest_due_delivery_seconds",
} as const;

/** An attempt's outcome as counted: `stale` when another node had already taken the delivery back. */
export type CountedOutcome = Outcome | "stale";
const outcomes: CountedOutcome[] = ["delivered", "retry", "failed", "stale"];

export interface WebhookMetrics {
  attempt(outcome: CountedOutcome, seconds: number): void;
  inFlight(count: number): void;
  oldestDue(seconds: number): void;
}

export function createWebhookMetrics(broker: Moleculer.ServiceBroker): WebhookMetrics {
  const metrics = broker.metrics;
  const register = metricRegistrar(metrics);
  register({
    type: "counter",
    name: names.attempts,
    description:
      "Webhook delivery attempts by outcome: delivered (2xx), retry (failed, retried later), failed " +
      "(failed and past the retry window: given up), stale (answered after its lease ran out)",
    labelNames: ["outcome"],
    zeroes: outcomes.map((outcome) => ({ outcome })),
  });
  register({
    type: "histogram",
    name: names.duration,
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    description: "Time of one delivery attempt, from the request to the receiver's answer (or the timeout)",
  });
  register({ type: "gauge", name: names.inFlight, description: "Delivery attempts this node has in flight" });
  register({
    type: "gauge",
    name: names.oldestDue,
    description: "Seconds the oldest due delivery has waited for an attempt (0: none waiting)",
  });
  metrics.set(names.inFlight, 0);
  metrics.set(names.oldestDue, 0);
  return {
    attempt(outcome, seconds) {
      metrics.increment(names.attempts, { outcome });
      metrics.observe(names.duration, seconds);
    },
    inFlight: (count) => metrics.set(names.inFlight, count),
    oldestDue: (seconds) => metrics.set(names.oldestDue, seconds),
  };
}
