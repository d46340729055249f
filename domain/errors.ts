// The one error catalogue: code -> HTTP status and whether a retry may help. Mapped once at the
// gateway (gateway/errors.ts). Errors are Moleculer errors so they survive the trip over NATS:
// `type` carries the contract code, `code` the HTTP status, `data` the details.
import Moleculer from "moleculer";

export const errorCatalogue = {
  VALIDATION_ERROR: { status: 400, retryable: false },
  UNAUTHENTICATED: { status: 401, retryable: false },
  PAYMENT_DECLINED: { status: 402, retryable: false },
  FORBIDDEN: { status: 403, retryable: false },
  ADMISSION_REQUIRED: { status: 403, retryable: false },
  NOT_FOUND: { status: 404, retryable: false },
  TICKET_UNAVAILABLE: { status: 409, retryable: false },
  /** Extension: the per-user cap on held + booked tickets of one event (event.ticketsPerUserMax). */
  TICKET_LIMIT_REACHED: { status: 409, retryable: false },
  HOLD_EXPIRED: { status: 409, retryable: false },
  NOT_ON_SALE: { status: 409, retryable: false },
  IDEMPOTENCY_CONFLICT: { status: 409, retryable: false },
  PAYMENT_REFUNDED: { status: 409, retryable: false },
  /** Extension: a request (headers and body) that did not arrive in time (slow clients). */
  REQUEST_TIMEOUT: { status: 408, retryable: false },
  PAYLOAD_TOO_LARGE: { status: 413, retryable: false },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, retryable: false },
  RATE_LIMITED: { status: 429, retryable: true },
  /** Extension: request headers over 16 KiB. */
  HEADERS_TOO_LARGE: { status: 431, retryable: false },
  INTERNAL_ERROR: { status: 500, retryable: false },
  OVERLOADED: { status: 503, retryable: true },
  UNAVAILABLE: { status: 503, retryable: true },
} as const;

export type ErrorCode = keyof typeof errorCatalogue;

export interface ErrorData {
  details?: Record<string, unknown>;
  /** Sent as `Retry-After` (seconds) for 429 and 503. */
  retryAfterSeconds?: number;
}

export class MarqueeError extends Moleculer.Errors.MoleculerError {
  constructor(
    code: ErrorCode,
    message: string,
    details?: Record<string, unknown>,
    retryAfterSeconds?: number,
  ) {
    const data: ErrorData = {};
    if (details) data.details = details;
    if (retryAfterSeconds !== undefined) data.retryAfterSeconds = retryAfterSeconds;
    super(message, errorCatalogue[code].status, code, data);
    this.retryable = errorCatalogue[code].retryable;
  }
}

export const isErrorCode = (value: unknown): value is ErrorCode =>
  typeof value === "string" && Object.prototype.hasOwnProperty.call(errorCatalogue, value);

export const validationError = (field: string, message: string): MarqueeError =>
  new MarqueeError("VALIDATION_ERROR", message, { field });
export const notFound = (what: string): MarqueeError => new MarqueeError("NOT_FOUND", `${what} not found`);
export const forbidden = (message = "Not allowed"): MarqueeError => new MarqueeError("FORBIDDEN", message);
