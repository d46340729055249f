// Webhooks, the pure part: the event types, the signature a receiver checks, the retry schedule.
import { createHmac } from "node:crypto";

/** The event types a webhook may subscribe to (the contract's list). */
export const webhookEventTypes = [
  "booking.confirmed",
  "booking.cancelled",
  "payment.refunded",
  "waitlist.offered",
  "event.sold_out",
] as const;
export type WebhookEventType = (typeof webhookEventTypes)[number];

export const webhookDeliveryStatuses = ["pending", "delivered", "failed"] as const;
export type WebhookDeliveryStatus = (typeof webhookDeliveryStatuses)[number];

/** The header a delivery is signed in. */
export const signatureHeader = "Marquee-Signature";

/**
 * `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>" with the secret>` (Stripe's scheme: the
 * time is signed too, so a receiver can refuse old replays).
 */
export function signatureOf(secret: string, body: string, unixSeconds: number): string {
  const t = Math.floor(unixSeconds);
  const v1 = createHmac("sha256", secret).update(`${t}.${body}`).digest("hex");
  return `t=${t},v1=${v1}`;
}

export interface RetrySchedule {
  /** The wait before the first retry (WEBHOOK_RETRY_BASE_SECONDS); it doubles with each failure. */
  baseSeconds: number;
  /** The longest wait between two attempts. */
  maxDelaySeconds: number;
}

/** Seconds to wait after the `attempts`-th failed attempt (1 = the first): base, 2 x base, ... up to the cap. */
export function retryDelaySeconds(schedule: RetrySchedule, attempts: number): number {
  const doublings = Math.min(Math.max(attempts - 1, 0), 60);
  return Math.min(schedule.baseSeconds * 2 ** doublings, schedule.maxDelaySeconds);
}
