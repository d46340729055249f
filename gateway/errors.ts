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
      const problems = error.data.map((item: any) =>
        // `$$strict` names no field for unknown keys, only lists them in `actual`: name the first.
        item.type === "objectStrict" && !item.field
          ? {
              field: String(item.actual ?? "").split(", ")[0],
              message: `Unknown field(s): ${String(item.actual ?? "")}`,
            }
          : { field: String(item.field ?? ""), message: String(item.message ?? "") },
      );
      return make("VALIDATION_ERROR", problems[0]?.message || "Invalid request", {
        field: problems[0]?.field,
        problems,
      });
    }
    return make("VALIDATION_ERROR", String(error.message ?? "Invalid request"), error.data?.details);
  }
  switch (error.name) {
    case "NotFoundError":
    case "ServiceNotFoundError":
      return make("NOT_FOUND", "Not found");
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
  return make("INTERNAL_ERROR", "Internal error");
}
