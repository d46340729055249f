// Check-ins at the door in Moleculer's registry (rendered at /metrics): each scan's outcome, so an
// operator sees the doors' pace, and a run of invalid codes (forgeries, a scanner with the wrong
// event's key) as it happens.
import type Moleculer from "moleculer";
import { metricRegistrar } from "../../platform/metrics.ts";

const name = "marquee.checkins.total";

export const checkinOutcomes = ["checked_in", "already_checked_in", "invalid_code", "cancelled"] as const;
export type CheckinOutcome = (typeof checkinOutcomes)[number];

export function createCheckinMetrics(broker: Moleculer.ServiceBroker): (outcome: CheckinOutcome) => void {
  const metrics = broker.metrics;
  metricRegistrar(metrics)({
    type: "counter",
    name,
    labelNames: ["outcome"],
    zeroes: checkinOutcomes.map((outcome) => ({ outcome })),
    description:
      "Ticket scans at check-in by outcome: checked_in, already_checked_in, invalid_code, cancelled",
  });
  return (outcome) => metrics.increment(name, { outcome });
}
