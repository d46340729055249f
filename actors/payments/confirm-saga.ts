// The confirm saga (DESIGN.md "Money is a saga with a durable record"), in two commits of the event's
// actor on the happy path, both its group commits (no transaction of its own):
//   1. confirmStart: the actor marks the hold `confirming` (it can no longer lapse), records the
//      payment intent and claims the Idempotency-Key for it, in one commit. A key already claimed
//      (this event or another: keys are the user's) refuses this confirm alone; the key's record then
//      answers (replay, wait for the first, or 409);
//   2. the provider charges, outside the actor, so the mailbox never waits on the network;
//   3. confirmComplete: the actor records the capture, books the seats and stores the 201 on the key,
//      in one commit. If it cannot book them (given back meanwhile), the money is refunded.
// A decline is one commit too (confirmAbort: payment declined, hold back, the 402 stored).
// The actor is the arbiter: only it decides "booked" or "given back", so a live saga and a recovery
// pass racing on the same payment always agree. Every step is idempotent by payment id.
import type { Database } from "../../platform/database.ts";
import { hasErrorCode, invariant, MarqueeError, type ErrorCode } from "../../domain/errors.ts";
import { newEventScopedId } from "../../domain/ids.ts";
import {
  idempotencyPollMs,
  idempotencyWaitMs,
  paymentProviderTimeoutMs,
  sagaActorAttemptsMax,
} from "../../domain/limits.ts";
import type { Command } from "../../domain/seat-state.ts";
import {
  bookedAnswer,
  bookingOf,
  declinedAnswer,
  refundedAnswer,
  type Answer,
  type BookedFacts,
} from "./answers.ts";
import { withTimeout, type PaymentProvider } from "./provider.ts";
import {
  findBooking,
  findIdempotencyKey,
  findPayment,
  markCaptured,
  markDeclined,
  markRefunded,
  requestRefund,
  storeIdempotentResponse,
  takeOverLapsedClaim,
  type IdempotencyRecord,
} from "./payments.repository.ts";

export { answerResult, bookedAnswer, declinedAnswer, refundedAnswer, type Answer } from "./answers.ts";

export interface SagaContext {
  db: Database;
  provider: PaymentProvider;
  /** Sends a command to the event's actor (routed to its owner, re-sent after a stale owner). */
  actor(eventId: string, command: Command): Promise<any>;
  /** Test hook: sleep between the charge and the booking commit (a crash window for tests). */
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

interface KeyRef {
  eventId: string;
  userId: string;
  key: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The actor's refusals of a confirmStart: answers of the seats' state, or of the key's. */
const refusalCodes = new Set<ErrorCode>([
  "IDEMPOTENCY_KEY_TAKEN",
  "TICKET_UNAVAILABLE",
  "HOLD_EXPIRED",
  "FORBIDDEN",
  "TICKET_LIMIT_REACHED",
  "NOT_ON_SALE",
  "NOT_FOUND",
  "ADMISSION_REQUIRED",
  "PRESALE_CODE_INVALID",
]);
const isRefusal = (error: unknown): boolean =>
  refusalCodes.has((error as { code?: ErrorCode } | null)?.code as ErrorCode);

const stillProcessing = () =>
  new MarqueeError(
    "IDEMPOTENCY_CONFLICT",
    "A request with this Idempotency-Key is still being processed; retry shortly",
  );

export async function confirm(saga: SagaContext, request: ConfirmRequest): Promise<Answer> {
  const key = { eventId: request.eventId, userId: request.userId, key: request.idempotencyKey };
  const deadline = Date.now() + idempotencyWaitMs;
  let keyFreed = false;
  for (let attempt = 1; ; attempt++) {
    const paymentId = newEventScopedId("pay", request.eventId);
    let started: { amountCents: number };
    try {
      started = await saga.actor(request.eventId, {
        type: "confirmStart",
        userId: request.userId,
        ordinals: request.ordinals,
        paymentId,
        idempotencyKey: request.idempotencyKey,
        requestHash: request.requestHash,
        ...(keyFreed ? { keyFreed } : {}),
      });
    } catch (error) {
      // Nothing of this confirm was written. A refusal is the answer unless the key says otherwise:
      // a duplicate finds the seats confirming or booked by the first request, which answers it.
      if (!isRefusal(error)) throw error;
      const answer = await replay(saga, request, key, deadline);
      if (answer) return answer;
      if (!hasErrorCode(error, "IDEMPOTENCY_KEY_TAKEN")) throw error;
      // The key was free after all (a lapsed claim taken over, a racing claim rolled back): again,
      // telling the actor not to answer from its memory of the key being taken.
      if (attempt >= sagaActorAttemptsMax) throw stillProcessing();
      keyFreed = true;
      continue;
    }
    return pay(saga, request, key, paymentId, started.amountCents);
  }
}

/**
 * A request whose key may be taken: the stored answer, or one derived from the key's payment, or a
 * wait while the first request finishes. null when the key is free (none, or a claim without a
 * payment whose lease lapsed: taken over, i.e. deleted).
 */
async function replay(
  saga: SagaContext,
  request: ConfirmRequest,
  key: KeyRef,
  deadline: number,
): Promise<Answer | null> {
  for (;;) {
    const record: IdempotencyRecord | null = await findIdempotencyKey(saga.db, key);
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
    // A claim of the old two-step confirm whose holder died before recording a payment.
    if (!record.paymentId && record.claimLapsed) {
      await takeOverLapsedClaim(saga.db, { ...key, requestHash: request.requestHash });
      return null;
    }
    if (Date.now() > deadline) throw stillProcessing();
    await sleep(idempotencyPollMs);
  }
}

async function store(saga: SagaContext, key: KeyRef, answer: Answer): Promise<Answer> {
  await storeIdempotentResponse(saga.db, key, answer.statusCode, answer.body);
  const stored = await findIdempotencyKey(saga.db, key);
  return stored && stored.statusCode !== null
    ? { statusCode: stored.statusCode, body: stored.response }
    : answer;
}

/** After commit 1: the charge, then commit 2 (booked, or declined). */
async function pay(
  saga: SagaContext,
  request: ConfirmRequest,
  key: KeyRef,
  paymentId: string,
  amountCents: number,
): Promise<Answer> {
  const { eventId } = request;
  let charge;
  try {
    charge = await withTimeout(
      saga.provider.charge({ paymentId, amountCents, token: request.token }),
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

  if (charge.status === "declined") return decline(saga, key, eventId, paymentId, charge.reason);
  if (saga.pauseAfterCaptureMs > 0) await sleep(saga.pauseAfterCaptureMs);
  if (charge.failBookingStep) {
    saga.log("warn", `payment ${paymentId}: simulated booking failure after capture; refunding`);
    return refundCaptured(
      saga,
      key,
      eventId,
      paymentId,
      charge.providerRef,
      "the booking step failed after capture (simulated)",
    );
  }
  let result;
  try {
    result = await actorStep(saga, eventId, {
      type: "confirmComplete",
      paymentId,
      bookingId: newEventScopedId("bk", eventId),
      providerRef: charge.providerRef,
    });
  } catch (error) {
    if (!hasErrorCode(error, "PAYMENT_SETTLED")) throw error;
    result = { booked: false };
  }
  // Booked: the capture, the booking and this answer were stored in one commit.
  if (result.booked) return bookedAnswer(bookingOf(result as BookedFacts));
  return refundCaptured(saga, key, eventId, paymentId, charge.providerRef, "the seats could not be booked");
}

/** Commit 2 of a decline: the payment declined, the hold back, the 402 stored, in one commit. */
async function decline(
  saga: SagaContext,
  key: KeyRef,
  eventId: string,
  paymentId: string,
  reason: string,
): Promise<Answer> {
  const aborted = await actorStep(saga, eventId, { type: "confirmAbort", paymentId, declined: reason }).catch(
    (error: Error) => {
      saga.log("warn", `payment ${paymentId}: hold not given back yet: ${error.message}`);
      return null;
    },
  );
  // Given back by this commit, which also declined the pending payment and stored this 402.
  if (aborted?.aborted) return declinedAnswer(paymentId, reason);
  // The hold was given back already, or the actor is out of reach (recovery gives it back later).
  await markDeclined(saga.db, eventId, paymentId, reason);
  return store(saga, key, declinedAnswer(paymentId, reason));
}

/**
 * Money this saga took that its booking commit did not turn into a booking: the booking made
 * meanwhile (recovery) wins; otherwise it is recorded as captured and refunded.
 */
async function refundCaptured(
  saga: SagaContext,
  key: KeyRef,
  eventId: string,
  paymentId: string,
  providerRef: string,
  reason: string,
): Promise<Answer> {
  if (!(await markCaptured(saga.db, eventId, paymentId, providerRef))) {
    const payment = await findPayment(saga.db, eventId, paymentId);
    if (payment?.status === "declined" || payment?.status === "refunded") {
      // Recovery declared this payment lost while we were charging: the money goes back.
      await withTimeout(saga.provider.refund(paymentId, providerRef), paymentProviderTimeoutMs, "refund");
      await actorStep(saga, eventId, { type: "confirmAbort", paymentId }).catch(() => {});
      return store(saga, key, refundedAnswer(paymentId));
    }
  }
  return refundPayment(saga, key, eventId, paymentId, reason);
}

/** Books a captured payment (recovery), or refunds it when its seats can no longer be booked. */
export async function settleCaptured(
  saga: SagaContext,
  key: KeyRef,
  eventId: string,
  paymentId: string,
): Promise<Answer> {
  try {
    const result = await actorStep(saga, eventId, {
      type: "confirmComplete",
      paymentId,
      bookingId: newEventScopedId("bk", eventId),
    });
    if (result.booked) return bookedAnswer(bookingOf(result as BookedFacts));
  } catch (error) {
    // Settled by someone else between our read and the actor's commit: its record answers.
    if (!hasErrorCode(error, "PAYMENT_SETTLED")) throw error;
  }
  const payment = await findPayment(saga.db, eventId, paymentId);
  if (payment?.bookingId)
    return store(saga, key, bookedAnswer((await findBooking(saga.db, eventId, payment.bookingId))!));
  return refundPayment(saga, key, eventId, paymentId, "the seats could not be booked");
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
