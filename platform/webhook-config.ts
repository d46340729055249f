// Webhook settings from the environment (WEBHOOK_*), read strictly like every other setting.
import {
  webhookPollIntervalMsDefault,
  webhookRetryBaseSecondsDefault,
  webhookRetryDelayMaxSeconds,
  webhookRetryWindowSecondsDefault,
} from "../domain/limits.ts";
import type { ConfigReader } from "./config-reader.ts";

export interface WebhookSettings {
  /** The wait before the first retry, doubling after each failure (WEBHOOK_RETRY_BASE_SECONDS; may be fractional). */
  retryBaseSeconds: number;
  /** Failed attempts are retried until a delivery is this old (WEBHOOK_RETRY_WINDOW_SECONDS; at least 24 h in production). */
  retryWindowSeconds: number;
  /** Targets on private, loopback or link-local addresses are accepted (WEBHOOK_ALLOW_PRIVATE). */
  allowPrivate: boolean;
  /** Private targets are refused: production without WEBHOOK_ALLOW_PRIVATE=true. */
  checkTargets: boolean;
  /** How often the dispatcher looks for due deliveries (WEBHOOK_POLL_INTERVAL_MS). */
  pollIntervalMs: number;
  /** Seals the receivers' signing secrets at rest (WEBHOOK_SEALING_SECRET; TICKET_KEY_SECRET's when unset). */
  sealingSecret: string;
}

/** A decimal number of seconds in (0, max]; a problem otherwise. */
function positiveSeconds(read: ConfigReader, name: string, fallback: number, max: number): number {
  const raw = read.text(name);
  if (raw === undefined) return fallback;
  const value = /^\d+(\.\d+)?$/.test(raw.trim()) ? Number(raw) : Number.NaN;
  if (value > 0 && value <= max) return value;
  read.problem(name, `must be a number of seconds above 0 and at most ${max}`);
  return fallback;
}

export function webhookSettings(
  read: ConfigReader,
  production: boolean,
  ticketKeySecret: string,
): WebhookSettings {
  const allowPrivate = read.boolean("WEBHOOK_ALLOW_PRIVATE", false);
  return {
    retryBaseSeconds: positiveSeconds(
      read,
      "WEBHOOK_RETRY_BASE_SECONDS",
      webhookRetryBaseSecondsDefault,
      webhookRetryDelayMaxSeconds,
    ),
    // The contract retries for at least 24 h: shorter windows are for tests, never for production.
    retryWindowSeconds: read.integer("WEBHOOK_RETRY_WINDOW_SECONDS", webhookRetryWindowSecondsDefault, {
      min: production ? webhookRetryWindowSecondsDefault : 1,
      max: 30 * 86_400,
    }),
    allowPrivate,
    checkTargets: production && !allowPrivate,
    pollIntervalMs: read.integer("WEBHOOK_POLL_INTERVAL_MS", webhookPollIntervalMsDefault, {
      min: 10,
      max: 60_000,
    }),
    sealingSecret: read.text("WEBHOOK_SEALING_SECRET") ?? ticketKeySecret,
  };
}
