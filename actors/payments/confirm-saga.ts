// The confirm saga (DESIGN.md "Money is a saga with a durable record"):
//   1. the event's actor marks the hold `confirming` (it can no longer lapse) and records the payment
//      intent with the Idempotency-Key, in one commit;
//   2. the provider charges, outside the actor, so the mailbox never waits on the network;
//   3. the actor books the seats. If it cannot, the actor gives the hold back and marks the payment
//      for refund in one commit, and the money is refunded.
// The actor is the arbiter: only it decides "booked" or "given back", so a live saga and a recovery
// pass racing on the same payment always agree. Every step is idempotent by payment id.
import type { Database } from "../../platform/database.ts";
import { errorCatalogue, invariant, MarqueeError, type ErrorCode } from "../../domain/errors.ts";
import { newId } from "../../domain/ids.ts";
import {
  idempotencyPollMs,
  idempotencyWaitMs,
  paymentProviderTimeoutMs,
  sagaActorAttemptsMax,
} from "../../domain/limits.ts";
import type { Command } from "../../domain/seat-state.ts";
import { withTimeout, type PaymentProvider } from "./provider.ts";
import {
  claimIdempotencyKey,
  findBooking,
  findIdempotencyKey,
  findPayment,
  markCaptured,
  markDeclined,
  markRefunded,
  releaseIdempotencyKey,
  requestRefund,
  storeIdempotentResponse,
  type BookingView,
  type IdempotencyRecord,
} from "./payments.repository.ts";

export interface SagaContext {
  db: Database;
  provider: PaymentProvider;
  /** Sends a command to the event's actor (routed to its owner, re-sent after a stale owner). */
  actor(eventId: string, command: Command): Promise<any>;
  /** Test hook: sleep between recording the capture and booking (a crash window for tests). */
  pauseAfterCaptureMs: number;
  log(level: "warn" | "error", message: string): void;
}

export interface ConfirmRequest {
  eventId: string;
  userId: string;
  ordinals: number[];
  token: string;
  idempotencyKey: string;
  /** Hash of the normalized request body: same key with another body -> 409 IDEMPOTENCY_CONFLICT. */
  requestHash: string;
}

/** The final answer of a confirm, stored with its Idempotency-Key and replayed as it is. */
export interface Answer {
  statusCode: number;
  body: any;
}

interface KeyRef {
  eventId: string;
  userId: string;
  key: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export const bookedAnswer = (booking: BookingView): Answer => ({ statusCode: 201, body: { booking } });
const errorAnswer = (code: ErrorCode, message: string, details?: Record<string, unknown>): Answer => ({
  statusCode: errorCatalogue[code].status,
  body: { error: details ? { code, message, details } : { code, message } },
});
export const refundedAnswer = (paymentId: string): Answer =>
  errorAnswer(
    "PAYMENT_REFUNDED",
    "The payment was captured but the booking could not be completed; it has been refunded",
    { paymentId },
  );
export const declinedAnswer = (paymentId: string, reason: string): Answer =>
  errorAnswer(
    "PAYMENT_DECLINED",
    `The payment was declined (${reason}); your hold is kept until it expires`,
    {
      paymentId,
    },
  );

/** Turns a stored answer into the action's result (201 body) or its error. */
export function answerResult(answer: Answer): any {
  if (answer.statusCode >= 200 && answer.statusCode < 300) return answer.body;
  const error = answer.body?.error ?? {};
  throw new MarqueeError(error.code, error.message, error.details);
}

export async function confirm(saga: SagaContext, request: ConfirmRequest): Promise<Answer> {
  const key = { eventId: request.eventId, userId: request.userId, key: request.idempotencyKey };
  const deadline = Date.now() + idempotencyWaitMs;
  const claimId = newId("clm");
  for (;;) {
    const claim = await claimIdempotencyKey(saga.db, { ...key, requestHash: request.requestHash, claimId });
    if (claim.claimed) return runSaga(saga, request, key, claimId);
    const answer = await replay(saga, request, key, claim.record, deadline);
    if (answer) return answer;
    // The first request gave the key back (it failed before any payment), or its claim lapsed
    // without a payment (it died): claim it again.
  }
}

/** A request whose key is taken: the same answer, or a wait while the first one finishes. */
async function replay(
  saga: SagaContext,
  request: ConfirmRequest,
  key: KeyRef,
  record: IdempotencyRecord | null,
  deadline: number,
): Promise<Answer | null> {
  for (;;) {
    if (!record) return null;
    if (record.requestHash !== request.requestHash)
      throw new MarqueeError(
        "IDEMPOTENCY_CONFLICT",
        "This Idempotency-Key was already used with a different request body",
      );
    if (record.statusCode !== null) return { statusCode: record.statusCode, body: record.response };
    if (record.paymentId) {
      // The first request may have died after the money moved: derive the answer from the payment.
      const payment = await findPayment(saga.db, key.eventId, record.paymentId);
      if (payment?.bookingId)
        return store(saga, key, bookedAnswer((await findBooking(saga.db, key.eventId, payment.bookingId))!));
      if (payment?.status === "refunded") return store(saga, key, refundedAnswer(payment.id));
    }
    // Its holder died before recording a payment (the lease ran out): the key may be claimed again.
    if (!record.paymentId && record.claimLapsed) return null;
    if (Date.now() > deadline)
      throw new MarqueeError(
        "IDEMPOTENCY_CONFLICT",
        "A request with this Idempotency-Key is still being processed; retry shortly",
      );
    await sleep(idempotencyPollMs);
    record = await findIdempotencyKey(saga.db, key);
  }
}

async function store(saga: SagaContext, key: KeyRef, answer: Answer): Promise<Answer> {
  await storeIdempotentResponse(saga.db, key, answer.statusCode, answer.body);
  const stored = await findIdempotencyKey(saga.db, key);
  return stored && stored.statusCode !== null
    ? { statusCode: stored.statusCode, body: stored.response }
    : answer;
}

async function runSaga(
  saga: SagaContext,
  request: ConfirmRequest,
  key: KeyRef,
  claimId: string,
): Promise<Answer> {
  const { eventId } = request;
  const paymentId = newId("pay");
  let started: { amountCents: number };
  try {
    started = await saga.actor(eventId, {
      type: "confirmStart",
      userId: request.userId,
      ordinals: request.ordinals,
      paymentId,
      idempotencyKey: request.idempotencyKey,
    });
  } catch (error) {
    // Nothing was charged: the key is free again (a no-op if the intent was recorded after all).
    await releaseIdempotencyKey(saga.db, key, claimId).catch(() => {});
    throw error;
  }

  let charge;
  try {
    charge = await withTimeout(
      saga.provider.charge({ paymentId, amountCents: started.amountCents, token: request.token }),
      paymentProviderTimeoutMs,
      "payment provider charge",
    );
  } catch (error) {
    // Outcome unknown: the payment stays pending and recovery asks the provider later.
    saga.log("warn", `payment ${paymentId}: ${(error as Error).message}`);
    throw new MarqueeError(
      "UNAVAILABLE",
      "The payment provider did not answer; the payment will be settled automatically",
      { paymentId },
      5,
    );
  }

  if (charge.status === "declined") {
    await markDeclined(saga.db, eventId, paymentId, charge.reason);
    // Back to held with the same expiry. If this fails, recovery gives the hold back later.
    await actorStep(saga, eventId, { type: "confirmAbort", paymentId }).catch((error: Error) =>
      saga.log("warn", `payment ${paymentId}: hold not given back yet: ${error.message}`),
    );
    return store(saga, key, declinedAnswer(paymentId, charge.reason));
  }

  if (!(await markCaptured(saga.db, eventId, paymentId, charge.providerRef))) {
    // Recovery declared this payment lost while we were charging: the money goes back.
    await withTimeout(
      saga.provider.refund(paymentId, charge.providerRef),
      paymentProviderTimeoutMs,
      "refund",
    );
    return store(saga, key, refundedAnswer(paymentId));
  }
  if (saga.pauseAfterCaptureMs > 0) await sleep(saga.pauseAfterCaptureMs);
  if (charge.failBookingStep) {
    saga.log("warn", `payment ${paymentId}: simulated booking failure after capture; refunding`);
    return refundPayment(saga, key, eventId, paymentId, "the booking step failed after capture (simulated)");
  }
  return settleCaptured(saga, key, eventId, paymentId);
}

/** Books a captured payment, or refunds it when its seats can no longer be booked. */
export async function settleCaptured(
  saga: SagaContext,
  key: KeyRef,
  eventId: string,
  paymentId: string,
): Promise<Answer> {
  const result = await actorStep(saga, eventId, {
    type: "confirmComplete",
    paymentId,
    bookingId: newId("bk"),
  });
  const bookingId: string | null = result.booked
    ? result.bookingId
    : ((await findPayment(saga.db, eventId, paymentId))?.bookingId ?? null);
  if (!bookingId) return refundPayment(saga, key, eventId, paymentId, "the seats could not be booked");
  return store(saga, key, bookedAnswer((await findBooking(saga.db, eventId, bookingId))!));
}

/** Gives the seats back through the actor, then refunds; a booking made meanwhile wins. */
export async function refundPayment(
  saga: SagaContext,
  key: KeyRef,
  eventId: string,
  paymentId: string,
  reason: string,
): Promise<Answer> {
  await actorStep(saga, eventId, { type: "confirmAbort", paymentId });
  let payment = (await findPayment(saga.db, eventId, paymentId))!;
  if (payment.bookingId)
    return store(saga, key, bookedAnswer((await findBooking(saga.db, eventId, payment.bookingId))!));
  if (payment.status === "captured" && !payment.refundRequested) {
    // The actor has no confirming hold for it (so nothing can book it): mark it here.
    await requestRefund(saga.db, eventId, paymentId);
    payment = (await findPayment(saga.db, eventId, paymentId))!;
  }
  if (payment.status === "captured") {
    invariant(payment.refundRequested, `payment ${paymentId}: neither booked nor refundable`);
    await withTimeout(
      saga.provider.refund(paymentId, payment.providerRef),
      paymentProviderTimeoutMs,
      "refund",
    );
    await markRefunded(saga.db, eventId, paymentId, reason);
  }
  return store(saga, key, refundedAnswer(paymentId));
}

/** A saga step on the actor, retried while the engine is briefly unavailable (restart, re-route). */
export async function actorStep(saga: SagaContext, eventId: string, command: Command): Promise<any> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await saga.actor(eventId, command);
    } catch (error) {
      const retryable = (error as { retryable?: boolean }).retryable === true;
      if (!retryable || attempt >= sagaActorAttemptsMax) throw error;
      await sleep(100 * attempt);
    }
  }
}
