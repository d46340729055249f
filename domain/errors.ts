// The one error hierarchy. Every error Marquee raises on purpose is a MarqueeError with a code from
// this catalogue; the gateway maps codes (never class names) to the contract's answer, once
// (gateway/errors.ts). Internal codes never reach a client as such: each names the public code it
// is answered with. Plain data (ErrorFacts) crosses the worker boundary; platform/moleculer-errors.ts
// carries MarqueeErrors across the transporter. Bare `Error`s are left for programmer errors.
import { overloadedRetryAfterSeconds } from "./limits.ts";

interface CatalogueEntry {
  status: number;
  retryable: boolean;
  /** Internal codes: the public code a client is answered with instead. */
  answeredAs?: PublicErrorCode;
}

const publicCatalogue = {
  VALIDATION_ERROR: { status: 400, retryable: false },
  UNAUTHENTICATED: { status: 401, retryable: false },
  PAYMENT_DECLINED: { status: 402, retryable: false },
  FORBIDDEN: { status: 403, retryable: false },
  ADMISSION_REQUIRED: { status: 403, retryable: false },
  /** Presales (v1.1): an X-Presale-Code that is wrong, used up, of another event or outside its window. */
  PRESALE_CODE_INVALID: { status: 403, retryable: false },
  NOT_FOUND: { status: 404, retryable: false },
  TICKET_UNAVAILABLE: { status: 409, retryable: false },
  /** Extension: the per-user cap on held + booked tickets of one event (event.ticketsPerUserMax). */
  TICKET_LIMIT_REACHED: { status: 409, retryable: false },
  HOLD_EXPIRED: { status: 409, retryable: false },
  NOT_ON_SALE: { status: 409, retryable: false },
  IDEMPOTENCY_CONFLICT: { status: 409, retryable: false },
  PAYMENT_REFUNDED: { status: 409, retryable: false },
  /** Extension: PATCH of an event's currency once it is on sale or a seat was held (catalog/event-update.ts). */
  CURRENCY_LOCKED: { status: 409, retryable: false },
  /** Check-in (v1.1): a ticket code that is not one Marquee signed for that event (forged, altered). */
  INVALID_TICKET_CODE: { status: 400, retryable: false },
  /** Check-in: the ticket was scanned in before (`details.checkedInAt`). */
  ALREADY_CHECKED_IN: { status: 409, retryable: false },
  /** Check-in: the ticket's booking was cancelled. */
  TICKET_CANCELLED: { status: 409, retryable: false },
  /** Waiting list (v1.1): joining while enough seats are available to reserve instead. */
  TICKETS_AVAILABLE: { status: 409, retryable: false },
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

export type PublicErrorCode = keyof typeof publicCatalogue;
/** The codes a client can be answered with. */
export const publicErrorCodes = Object.keys(publicCatalogue) as PublicErrorCode[];

const internalCatalogue = {
  /** The actor that received a command was fenced out or is stopping: re-route and retry. */
  STALE_OWNER: { status: 503, retryable: true, answeredAs: "OVERLOADED" },
  /** Another actor took the event's epoch while this one was activating or writing. */
  STALE_EPOCH: { status: 503, retryable: true, answeredAs: "OVERLOADED" },
  /** A write affected fewer rows than the effects demand: state and database disagree. */
  COMMIT_MISMATCH: { status: 500, retryable: false, answeredAs: "INTERNAL_ERROR" },
  /**
   * A confirm's Idempotency-Key was already claimed (any event): its commit wrote nothing of that
   * confirm; the saga answers from the key's record (replay, wait, or 409).
   */
  IDEMPOTENCY_KEY_TAKEN: { status: 409, retryable: false, answeredAs: "IDEMPOTENCY_CONFLICT" },
  /**
   * A booking's payment was settled outside the actor meanwhile (no longer bookable): its commit wrote
   * nothing of that booking; the saga answers from the payment's record.
   */
  PAYMENT_SETTLED: { status: 500, retryable: false, answeredAs: "INTERNAL_ERROR" },
  /**
   * A cancellation's booking was no longer confirmed when its commit ran (cancelled meanwhile): its
   * commit wrote nothing of it; the cancellation answers from the booking's record.
   */
  BOOKING_NOT_CANCELLABLE: { status: 500, retryable: false, answeredAs: "INTERNAL_ERROR" },
  /** A broken seat-state invariant: the worker that sees it stops loudly. */
  INVARIANT_VIOLATION: { status: 500, retryable: false, answeredAs: "INTERNAL_ERROR" },
} as const satisfies Record<string, CatalogueEntry>;

export type InternalErrorCode = keyof typeof internalCatalogue;
export type ErrorCode = PublicErrorCode | InternalErrorCode;

export const errorCatalogue: Record<ErrorCode, CatalogueEntry> = { ...publicCatalogue, ...internalCatalogue };

export const isErrorCode = (value: unknown): value is ErrorCode =>
  typeof value === "string" && Object.prototype.hasOwnProperty.call(errorCatalogue, value);

/** What a client is told for a code: internal codes answer as their public stand-in. */
export const publicCode = (code: ErrorCode): PublicErrorCode =>
  errorCatalogue[code].answeredAs ?? (code as PublicErrorCode);

/** An error as plain data: outcomes of `decide`, replies from worker threads. */
export interface ErrorFacts {
  code: ErrorCode;
  message: string;
  details?: Record<string, unknown>;
  /** Sent as `Retry-After` (seconds) for 429 and 503. */
  retryAfterSeconds?: number;
}

export class MarqueeError extends Error {
  override name = "MarqueeError";
  readonly code: ErrorCode;
  readonly status: number;
  readonly retryable: boolean;
  readonly details?: Record<string, unknown>;
  readonly retryAfterSeconds?: number;

  constructor(
    code: ErrorCode,
    message: string,
    details?: Record<string, unknown>,
    retryAfterSeconds?: number,
  ) {
    super(message);
    this.code = code;
    this.status = errorCatalogue[code].status;
    this.retryable = errorCatalogue[code].retryable;
    if (details) this.details = details;
    if (retryAfterSeconds !== undefined) this.retryAfterSeconds = retryAfterSeconds;
  }

  static from(facts: ErrorFacts): MarqueeError {
    return isInternalCode(facts.code)
      ? new InternalFault(facts.code, facts.message, facts.details)
      : new MarqueeError(facts.code, facts.message, facts.details, facts.retryAfterSeconds);
  }

  toFacts(): ErrorFacts {
    const facts: ErrorFacts = { code: this.code, message: this.message };
    if (this.details) facts.details = this.details;
    if (this.retryAfterSeconds !== undefined) facts.retryAfterSeconds = this.retryAfterSeconds;
    return facts;
  }
}

const isInternalCode = (code: ErrorCode): code is InternalErrorCode =>
  Object.prototype.hasOwnProperty.call(internalCatalogue, code);

/** The base of Marquee's own faults (stale owner or epoch, commit mismatch, broken invariant): not the client's doing. */
export class InternalFault extends MarqueeError {
  override name = "InternalFault";
  constructor(code: InternalErrorCode, message: string, details?: Record<string, unknown>) {
    super(code, message, details);
  }
}

/** True when `error` is a MarqueeError (or its facts) with this code, also after crossing a boundary. */
export const hasErrorCode = (error: unknown, code: ErrorCode): boolean =>
  typeof error === "object" && error !== null && (error as { code?: unknown }).code === code;

export function invariant(condition: unknown, message: string): asserts condition {
  if (!condition) throw new InternalFault("INVARIANT_VIOLATION", message);
}

export const validationError = (field: string, message: string): MarqueeError =>
  new MarqueeError("VALIDATION_ERROR", message, { field });
export const notFound = (what: string): MarqueeError => new MarqueeError("NOT_FOUND", `${what} not found`);
export const forbidden = (message = "Not allowed"): MarqueeError => new MarqueeError("FORBIDDEN", message);
/** An event's queue on this node is full (a mailbox, a line's batches): 503, retry shortly. */
export const eventOverloaded = (): MarqueeError =>
  new MarqueeError(
    "OVERLOADED",
    "Too many requests for this event right now; retry shortly",
    undefined,
    overloadedRetryAfterSeconds,
  );
