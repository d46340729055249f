// Confirming a purchase the safe way: one Idempotency-Key per purchase, generated once and sent with
// every attempt, so a retry after a lost answer (a timeout, a dropped connection, a 503) can never pay
// twice: the server answers the first attempt's booking again. A definitive refusal (402 declined, 409
// hold expired or key reused with another body, 4xx) is never retried.
import { ApiError } from "./errors.ts";
import type { MarqueeClient } from "./http.ts";
import type { Confirmation, RequestBody } from "./types.ts";

export interface ConfirmOptions {
  /** The purchase's key; a new one when absent. Keep it to retry this purchase later. */
  idempotencyKey?: string;
  /** Attempts in all (default 4). */
  attempts?: number;
  /** Wait before the first retry when the server names none (default 500 ms; doubles, at most 8 s). */
  retryDelayMs?: number;
  /** Called before each retry: the error that caused it and the wait. */
  onRetry?(error: ApiError, waitMs: number): void;
}

export interface ConfirmResult extends Confirmation {
  idempotencyKey: string;
  attempts: number;
}

const retryDelayMaxMs = 8_000;

/** A fresh Idempotency-Key (a UUID: 36 visible characters, within the 8-128 the API takes). */
export const newIdempotencyKey = (): string => globalThis.crypto.randomUUID();

/** Confirms with one key and retries what may be retried; throws the last ApiError otherwise. */
export async function confirmBooking(
  client: MarqueeClient,
  body: RequestBody<"booking.confirm">,
  options: ConfirmOptions = {},
): Promise<ConfirmResult> {
  const idempotencyKey = options.idempotencyKey ?? newIdempotencyKey();
  const attempts = Math.max(1, options.attempts ?? 4);
  let delayMs = options.retryDelayMs ?? 500;
  for (let attempt = 1; ; attempt++) {
    try {
      return { ...(await client.confirm(body, idempotencyKey)), idempotencyKey, attempts: attempt };
    } catch (error) {
      if (!(error instanceof ApiError) || !error.retryable || attempt >= attempts) throw error;
      // The server's Retry-After when it names one, else a growing pause.
      const waitMs = error.retryAfterSeconds !== undefined ? error.retryAfterSeconds * 1000 : delayMs;
      options.onRetry?.(error, waitMs);
      await client.clock.sleep(waitMs);
      delayMs = Math.min(delayMs * 2, retryDelayMaxMs);
    }
  }
}
