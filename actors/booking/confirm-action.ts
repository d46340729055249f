// `booking.confirm`: the payment saga (actors/payments/confirm-saga.ts) under the caller's
// Idempotency-Key: the same key with the same request gets the same answer, once paid.
import { createHash } from "node:crypto";
import type { ActionSchema, Context } from "moleculer";
import { validationError } from "../../domain/errors.ts";
import {
  idempotencyKeyLengthMax,
  idempotencyKeyLengthMin,
  paymentTokenLengthMax,
} from "../../domain/limits.ts";
import { requireUser, type GatewayMeta } from "../../domain/request.ts";
import { answerResult, confirm } from "../payments/confirm-saga.ts";
import { ticketSelectionSchema } from "./action-schemas.ts";
import type { BookingContext } from "./booking-context.ts";
import { selectTickets } from "./ticket-selection.ts";

const idempotencyKeyPattern = new RegExp(
  `^[\\x21-\\x7e]{${idempotencyKeyLengthMin},${idempotencyKeyLengthMax}}$`,
);

export function requireIdempotencyKey(key: string | undefined): string {
  if (key === undefined || !idempotencyKeyPattern.test(key))
    throw validationError(
      "Idempotency-Key",
      `The Idempotency-Key header is required: ${idempotencyKeyLengthMin} to ${idempotencyKeyLengthMax} visible ASCII characters`,
    );
  return key;
}

/** Same key + same (normalized) body = same request; ticketId and ticketIds of one seat are alike. */
export const requestHash = (eventId: string, ordinals: number[], token: string): string =>
  createHash("sha256")
    .update(JSON.stringify({ eventId, ordinals: [...ordinals].sort((a, b) => a - b), token }))
    .digest("hex");

type ConfirmParams = { ticketId?: string; ticketIds?: string[]; paymentDetails: { token: string } };

export function confirmAction(booking: BookingContext): ActionSchema {
  return {
    params: {
      ...ticketSelectionSchema,
      paymentDetails: {
        type: "object",
        strict: true,
        props: { token: { type: "string", min: 1, max: paymentTokenLengthMax } },
      },
      $$strict: true,
    },
    // tok_slow takes ~2 s, and a concurrent duplicate waits for the first request to finish.
    timeout: 30_000,
    async handler(this: any, ctx: Context<ConfirmParams, GatewayMeta>) {
      const user = requireUser(ctx.meta);
      const key = requireIdempotencyKey(ctx.meta.idempotencyKey);
      const { eventId, ordinals } = selectTickets(ctx.params);
      const token = ctx.params.paymentDetails.token;
      const answer = await confirm(booking.saga(ctx, this.logger), {
        eventId,
        userId: user.id,
        ordinals,
        token,
        idempotencyKey: key,
        requestHash: requestHash(eventId, ordinals, token),
      });
      const result = answerResult(answer);
      ctx.meta.$statusCode = answer.statusCode;
      (ctx.meta as any).$location = `/bookings/${result.booking.id}`;
      return result;
    },
  };
}
