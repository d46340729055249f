// Recovery: money taken always ends as a booking or a refund, also across a crash. At start (and then
// periodically) every payment without a final state is finished through the event's actor:
//   captured, no booking       -> book it (its hold is still confirming), else refund it;
//   captured, refund requested -> refund it;
//   pending for too long       -> ask the provider: captured -> as above (also a saga that died between
//                                 the charge and its booking commit); otherwise declined + hold back;
//   declined, hold confirming  -> give the hold back;
//   captured, booking cancelled -> refund it (a cancellation cut short: cancellation.ts).
// Running on several nodes at once is safe: the actor arbitrates book-or-give-back, and every
// database step is conditional on the state it expects.
import { repeatEvery, type Repeating } from "../../platform/repeat.ts";
import {
  paymentProviderTimeoutMs,
  pendingPaymentAbandonMs,
  recoveryBatchMax,
  recoveryIntervalMs,
} from "../../domain/limits.ts";
import {
  actorStep,
  declinedAnswer,
  refundPayment,
  settleCaptured,
  type SagaContext,
} from "./confirm-saga.ts";
import {
  findUnsettledPayments,
  markCaptured,
  markDeclined,
  storeIdempotentResponse,
} from "./payments.repository.ts";
import type { PaymentRecoveryMetrics } from "./metrics.ts";
import { withTimeout } from "./provider.ts";
import { finishCancelledRefunds } from "./cancellation.ts";

export interface RecoveryReport {
  examined: number;
  settled: number;
  failed: number;
}

export async function recoverPayments(
  saga: SagaContext,
  pendingOlderThanMs = pendingPaymentAbandonMs,
): Promise<RecoveryReport> {
  const payments = await findUnsettledPayments(saga.db, pendingOlderThanMs, recoveryBatchMax);
  const report: RecoveryReport = { examined: payments.length, settled: 0, failed: 0 };
  for (const payment of payments) {
    const key = { eventId: payment.eventId, userId: payment.userId, key: payment.idempotencyKey };
    try {
      if (payment.status === "captured") {
        if (payment.refundRequested)
          await refundPayment(saga, key, payment.eventId, payment.id, "recovered: refund requested");
        else await settleCaptured(saga, key, payment.eventId, payment.id);
      } else if (payment.status === "pending") {
        const known = await withTimeout(
          saga.provider.lookup(payment.id),
          paymentProviderTimeoutMs,
          "payment lookup",
        );
        if (known?.status === "captured") {
          await markCaptured(saga.db, payment.eventId, payment.id, known.providerRef);
          await settleCaptured(saga, key, payment.eventId, payment.id);
        } else {
          const reason =
            known?.status === "declined" ? known.reason : "abandoned: the confirm was interrupted";
          // One commit of the actor: declined, the hold back, the 402 stored. Without a confirming
          // hold (given back before), recorded here.
          const result = await actorStep(saga, payment.eventId, {
            type: "confirmAbort",
            paymentId: payment.id,
            declined: reason,
          });
          if (!result.aborted) {
            await markDeclined(saga.db, payment.eventId, payment.id, reason);
            const answer = declinedAnswer(payment.id, reason);
            await storeIdempotentResponse(saga.db, key, answer.statusCode, answer.body);
          }
        }
      } else if (payment.status === "declined") {
        await actorStep(saga, payment.eventId, { type: "confirmAbort", paymentId: payment.id });
      }
      report.settled++;
    } catch (error) {
      report.failed++;
      saga.log("warn", `recovery of payment ${payment.id}: ${(error as Error).message}`);
    }
  }
  const cancelled = await finishCancelledRefunds(saga);
  report.examined += cancelled.examined;
  report.settled += cancelled.examined - cancelled.failed;
  report.failed += cancelled.failed;
  return report;
}

/** Runs recovery passes (`pass`): one now, then every recoveryIntervalMs, reporting what they did. */
export function repeatPaymentRecovery(
  pass: () => Promise<RecoveryReport>,
  logger: { info(data: unknown, message: string): void; warn(data: unknown, message: string): void },
  metrics: PaymentRecoveryMetrics,
): Repeating {
  return repeatEvery(
    async () => {
      const report = await pass();
      metrics.recordPass(report);
      if (report.examined > 0) logger.info(report, "payment recovery pass");
    },
    {
      firstDelayMs: 0,
      intervalMs: recoveryIntervalMs,
      onError: (error) => {
        metrics.recordFailedPass();
        logger.warn({ error: error.message }, "payment recovery pass failed");
      },
    },
  );
}
