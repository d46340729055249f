// Maps any error to the contract's error body, once, for every route. Unknown errors become a 500
// with a generic message: no stack trace, SQL text or host name ever leaves the gateway.
import { errorCatalogue, isErrorCode, publicCode, type ErrorCode } from "../domain/errors.ts";
import { asMarqueeError } from "../platform/moleculer-errors.ts";

export interface HttpError {
  status: number;
  body: { error: { code: string; message: string; details?: Record<string, unknown> } };
  retryAfterSeconds?: number;
}

function make(
  code: ErrorCode | "INTERNAL_ERROR",
  message: string,
  details?: Record<string, unknown>,
  retryAfterSeconds?: number,
): HttpError {
  const status = isErrorCode(code) ? errorCatalogue[code].status : 500;
  const error: HttpError["body"]["error"] = { code, message };
  if (details && Object.keys(details).length > 0) error.details = details;
  return { status, body: { error }, retryAfterSeconds };
}

export function toHttpError(raw: unknown): HttpError {
  const marquee = asMarqueeError(raw);
  if (marquee) {
    const code = publicCode(marquee.code);
    if (code !== marquee.code)
      return make(code, publicMessages[code] ?? "Internal error", undefined, retryAfter(code));
    return make(code, marquee.message, marquee.details, marquee.retryAfterSeconds);
  }
  const error = raw as { type?: unknown; code?: unknown; message?: string; data?: any };
  if (!error || typeof error !== "object") return make("INTERNAL_ERROR", "Internal error");

  // fastest-validator through Moleculer: type VALIDATION_ERROR, data = [{field, message, type}].
  if (error.type === "VALIDATION_ERROR" && Array.isArray(error.data)) {
    const problems = error.data.flatMap(describeValidationProblem);
    return make("VALIDATION_ERROR", problems[0]?.message || "Invalid request", {
      field: problems[0]?.field,
      problems,
    });
  }
  const framework =
    typeof error.type === "string"
      ? frameworkErrors[error.type]
      : typeof error.code === "number"
        ? untypedFrameworkErrors[error.code]
        : undefined;
  if (framework) return framework();
  // The database (or another dependency) is unreachable or shed the query: worth a retry, not a 500.
  if (
    (typeof error.code === "string" && transientErrorCodes.has(error.code)) ||
    transientErrorMessage.test(String(error.message ?? ""))
  ) {
    return make("UNAVAILABLE", "A dependency is not available, retry shortly", undefined, 2);
  }
  return make("INTERNAL_ERROR", "Internal error");
}

const publicMessages: Partial<Record<ErrorCode, string>> = {
  OVERLOADED: "The service is busy, retry shortly",
  INTERNAL_ERROR: "Internal error",
};
const retryAfter = (code: ErrorCode): number | undefined => (errorCatalogue[code].retryable ? 1 : undefined);

const overloaded = () => make("OVERLOADED", publicMessages.OVERLOADED!, undefined, 1);
const unavailable = () => make("UNAVAILABLE", "The service is not available, retry shortly", undefined, 5);
const forbidden = () => make("FORBIDDEN", "Not allowed");
const malformed = (field: string) => () => make("VALIDATION_ERROR", "Malformed request", { field });

/** Moleculer's and moleculer-web's own refusals, by their `type` code. */
const frameworkErrors: Record<string, () => HttpError> = {
  // moleculer-web: a route that matches nothing, a path segment that is not valid percent-encoding, a bad body.
  NOT_FOUND: () => make("NOT_FOUND", "Not found"),
  UNABLE_DECODE_PARAM: malformed("path"),
  INVALID_REQUEST_BODY: malformed("body"),
  PAYLOAD_TOO_LARGE: () => make("PAYLOAD_TOO_LARGE", "Request body too large"),
  NO_TOKEN: () => make("UNAUTHENTICATED", "Authentication required"),
  INVALID_TOKEN: () => make("UNAUTHENTICATED", "Authentication required"),
  // A route whose service is not running anywhere (yet): retry later, nothing is "not found".
  SERVICE_NOT_FOUND: unavailable,
  ORIGIN_NOT_ALLOWED: forbidden,
  ORIGIN_NOT_FOUND: forbidden,
  SERVICE_NOT_AVAILABLE: overloaded,
  REQUEST_TIMEOUT: overloaded,
  REQUEST_REJECTED: overloaded,
  QUEUE_FULL: overloaded,
  BAD_GATEWAY: overloaded,
};

/**
 * moleculer-web refusals thrown without a `type`, by their HTTP status: a route whose service runs
 * nowhere (yet) is ServiceUnavailableError (503), its own rate limiter RateLimitExceeded (429).
 */
const untypedFrameworkErrors: Record<number, () => HttpError> = {
  503: unavailable,
  429: () => make("RATE_LIMITED", "Too many requests", undefined, 1),
  403: forbidden,
};

// Socket errors, PostgreSQL's connection, shutdown, cancel (statement timeout), serialization and
// deadlock classes, and node-postgres's own client-side timeouts.
const transientErrorCodes = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "EHOSTUNREACH",
  "08000",
  "08001",
  "08003",
  "08006",
  "53300",
  "57014",
  "57P01",
  "57P02",
  "57P03",
  "40001",
  "40P01",
]);
const transientErrorMessage =
  /^(Connection terminated|timeout exceeded when trying to connect|Query read timeout)/;

/**
 * fastest-validator problems as {field, message}. Unknown fields are reported by the validator against
 * their parent object (the root has no name at all); the contract wants each unknown field named.
 */
function describeValidationProblem(item: any): { field: string; message: string }[] {
  const field = item.field === undefined || item.field === null ? "" : String(item.field);
  if (item.type === "objectStrict" && typeof item.actual === "string" && item.actual !== "") {
    return item.actual.split(", ").map((unknown: string) => {
      const path = field === "" ? unknown : `${field}.${unknown}`;
      return { field: path, message: `Unknown field '${path}'` };
    });
  }
  return [{ field, message: String(item.message ?? "") }];
}
