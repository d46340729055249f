// Maps any error to the contract's error body, once, for every route. Unknown errors become a 500
// with a generic message: no stack trace, SQL text or host name ever leaves the gateway.
import { errorCatalogue, isErrorCode, type ErrorCode } from "../domain/errors.ts";

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
  const error = raw as {
    name?: string;
    type?: string;
    code?: number | string;
    message?: string;
    data?: any;
    status?: number;
  };
  if (!error || typeof error !== "object") return make("INTERNAL_ERROR", "Internal error");

  // Our own errors, also when they crossed the transporter.
  if (isErrorCode(error.type) && error.type !== "VALIDATION_ERROR") {
    return make(
      error.type,
      String(error.message ?? error.type),
      error.data?.details,
      error.data?.retryAfterSeconds,
    );
  }
  // fastest-validator through Moleculer: type VALIDATION_ERROR, data = [{field, message, type}].
  if (error.type === "VALIDATION_ERROR") {
    if (Array.isArray(error.data)) {
      const problems = error.data.flatMap(describeValidationProblem);
      return make("VALIDATION_ERROR", problems[0]?.message || "Invalid request", {
        field: problems[0]?.field,
        problems,
      });
    }
    return make("VALIDATION_ERROR", String(error.message ?? "Invalid request"), error.data?.details);
  }
  switch (error.name) {
    case "NotFoundError":
      return make("NOT_FOUND", "Not found");
    // moleculer-web's own refusals: a path segment that is not valid percent-encoding, a bad body.
    case "BadRequestError":
    case "InvalidRequestBodyError":
      return make("VALIDATION_ERROR", "Malformed request", {
        field: error.type === "UNABLE_DECODE_PARAM" ? "path" : "body",
      });
    case "PayloadTooLarge":
      return make("PAYLOAD_TOO_LARGE", "Request body too large");
    // A route whose service is not running anywhere (yet): retry later, nothing is "not found".
    case "ServiceNotFoundError":
    case "ServiceUnavailableError":
      return make("UNAVAILABLE", "The service is not available, retry shortly", undefined, 5);
    case "UnAuthorizedError":
      return make("UNAUTHENTICATED", "Authentication required");
    case "ForbiddenError":
      return make("FORBIDDEN", "Not allowed");
    case "RateLimitExceeded":
      return make("RATE_LIMITED", "Too many requests", undefined, 1);
    case "QueueIsFullError":
    case "RequestTimeoutError":
    case "ServiceNotAvailableError":
    case "RequestRejectedError":
    case "BrokerDisconnectedError":
      return make("OVERLOADED", "The service is busy, retry shortly", undefined, 1);
  }
  // The database (or another dependency) is unreachable or shed the query: worth a retry, not a 500.
  if (
    (typeof error.code === "string" && transientErrorCodes.has(error.code)) ||
    transientErrorMessage.test(String(error.message ?? ""))
  ) {
    return make("UNAVAILABLE", "A dependency is not available, retry shortly", undefined, 2);
  }
  return make("INTERNAL_ERROR", "Internal error");
}

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
