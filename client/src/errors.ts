// Every refusal as one error type carrying the contract's code, status, details and Retry-After.
import type { ErrorCode } from "./types.ts";

/** Codes of failures that never reached a definitive answer (no HTTP status). */
export type TransportErrorCode = "NETWORK_ERROR" | "TIMEOUT";

export interface ApiErrorFacts {
  code: ErrorCode | TransportErrorCode;
  /** 0 when no answer came back. */
  status: number;
  message: string;
  details?: Record<string, unknown>;
  retryAfterSeconds?: number;
}

export class ApiError extends Error implements ApiErrorFacts {
  readonly code: ErrorCode | TransportErrorCode;
  readonly status: number;
  readonly details?: Record<string, unknown>;
  readonly retryAfterSeconds?: number;

  constructor(facts: ApiErrorFacts) {
    super(facts.message);
    this.name = "ApiError";
    this.code = facts.code;
    this.status = facts.status;
    this.details = facts.details;
    this.retryAfterSeconds = facts.retryAfterSeconds;
  }

  /** The server may or may not have acted: no answer came back, or a 5xx. */
  get outcomeUnknown(): boolean {
    return this.status === 0 || this.status >= 500;
  }

  /** Sending the same request again later may succeed (429, 503, no answer). */
  get retryable(): boolean {
    return this.status === 0 || this.status === 429 || this.status === 503;
  }
}

/** `Retry-After` in seconds (delta-seconds or an HTTP date); undefined when absent or unreadable. */
export function retryAfterSeconds(value: string | null | undefined, nowMs: number): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - nowMs) / 1000));
}
