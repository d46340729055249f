// Payment recovery metrics in Moleculer's registry (rendered by the booking node at /metrics on its
// HEALTH_PORT or its gateway): every pass looks for money taken that has no final state yet (captured
// without a booking, a refund asked for, pending for too long, declined with the hold still
// confirming) and finishes it. What a pass leaves unfinished is the backlog: money taken from someone
// who has neither a booking nor a refund.
import type Moleculer from "moleculer";
import { metricRegistrar } from "../../platform/metrics.ts";
import type { RecoveryReport } from "./recovery.ts";

const names = {
  passes: "marquee.payments.recovery.passes.total",
  payments: "marquee.payments.recovered.total",
  backlog: "marquee.payments.recovery.backlog",
} as const;

export interface PaymentRecoveryMetrics {
  recordPass(report: RecoveryReport): void;
  /** A pass that could not run (the database unreachable, say). */
  recordFailedPass(): void;
}

export function createPaymentRecoveryMetrics(broker: Moleculer.ServiceBroker): PaymentRecoveryMetrics {
  const metrics = broker.metrics;
  const register = metricRegistrar(metrics);
  register({
    type: "counter",
    name: names.passes,
    labelNames: ["outcome"],
    zeroes: [{ outcome: "completed" }, { outcome: "failed" }],
    description: "Payment recovery passes: completed, or failed as a whole",
  });
  register({
    type: "counter",
    name: names.payments,
    labelNames: ["outcome"],
    zeroes: [{ outcome: "settled" }, { outcome: "failed" }],
    description:
      "Payments without a final state that a recovery pass settled (booked, refunded, declined) or failed to",
  });
  register({
    type: "gauge",
    name: names.backlog,
    description: "Payments the last recovery pass found without a final state and could not settle",
  });
  return {
    recordPass(report) {
      metrics.increment(names.passes, { outcome: "completed" });
      metrics.increment(names.payments, { outcome: "settled" }, report.settled);
      metrics.increment(names.payments, { outcome: "failed" }, report.failed);
      metrics.set(names.backlog, report.failed);
    },
    recordFailedPass() {
      metrics.increment(names.passes, { outcome: "failed" });
    },
  };
}
