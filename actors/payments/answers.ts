// The final answers of a confirm, as stored with its Idempotency-Key and replayed as they are. Built
// in one place for the saga, recovery and the actor's group commit (which stores the booking's and
// the decline's answer in the same transaction as the booking or the decline).
import { errorCatalogue, MarqueeError, type ErrorCode } from "../../domain/errors.ts";
import { ticketId } from "../../domain/ids.ts";
import type { BookingView } from "./payments.repository.ts";

/** The final answer of a confirm, stored with its Idempotency-Key and replayed as it is. */
export interface Answer {
  statusCode: number;
  body: any;
}

/** What a booking's answer says, as the actor's confirmComplete outcome carries it. */
export interface BookedFacts {
  bookingId: string;
  eventId: string;
  ticketIds: string[];
  amountCents: number;
  paymentId: string;
  createdAt: string;
}

export const bookingOf = (facts: BookedFacts): BookingView => ({
  id: facts.bookingId,
  eventId: facts.eventId,
  ticketIds: facts.ticketIds,
  amountCents: facts.amountCents,
  status: "confirmed",
  paymentId: facts.paymentId,
  createdAt: facts.createdAt,
});

/** The facts of a `booked` effect of an event (what the commit writes), ticket ids in seat order. */
export const bookedFactsOf = (
  eventId: string,
  booked: {
    bookingId: string;
    paymentId: string;
    ordinals: number[];
    amountCents: number;
    createdAtMs: number;
  },
): BookedFacts => ({
  bookingId: booked.bookingId,
  eventId,
  ticketIds: [...booked.ordinals].sort((a, b) => a - b).map((ordinal) => ticketId(eventId, ordinal)),
  amountCents: booked.amountCents,
  paymentId: booked.paymentId,
  createdAt: new Date(booked.createdAtMs).toISOString(),
});

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
    { paymentId },
  );

/** Turns a stored answer into the action's result (201 body) or its error. */
export function answerResult(answer: Answer): any {
  if (answer.statusCode >= 200 && answer.statusCode < 300) return answer.body;
  const error = answer.body?.error ?? {};
  throw new MarqueeError(error.code, error.message, error.details);
}
