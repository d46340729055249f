// How the gateway answers a failed request: the contract's error body with the code's status (and
// Retry-After when the error says when to retry), and one log line with what an operator needs to
// find it: code, status, method, route template and request id (X-Request-ID, gateway/request-id.ts).
import type { ServerResponse } from "node:http";
import { toHttpError } from "./errors.ts";
import { sendJson, type GatewayRequest } from "./http-message.ts";
import { requestRoute } from "./request-route.ts";

type Logger = {
  debug(facts: object, message: string): void;
  warn(facts: object, message: string): void;
  error(facts: object, message: string): void;
};

/** moleculer-web's `onError`, called with the api service as `this`. */
export type ErrorAnswer = (
  this: { logger: Logger },
  req: GatewayRequest,
  res: ServerResponse,
  error: unknown,
) => void;

/**
 * Refusals an operator wants to see (the system shedding load, a dependency down, a client past a
 * limit or refused its credentials) are warnings; other client errors (a taken seat, a bad body, an
 * unknown id) are the API working as designed: debug.
 */
const warnedStatuses = new Set([401, 403, 413, 429, 431, 503]);

/**
 * Warnings of one code at most once a second (with how many were not logged), not a line per
 * request in a rush.
 */
function sampledWarning(): (logger: Logger, facts: Record<string, unknown>, message: string) => void {
  const loggedAt = new Map<string, number>();
  const unlogged = new Map<string, number>();
  return (logger, facts, message) => {
    const code = String(facts.code);
    const now = Date.now();
    if (now - (loggedAt.get(code) ?? 0) < 1_000) {
      unlogged.set(code, (unlogged.get(code) ?? 0) + 1);
      return;
    }
    logger.warn({ ...facts, notLoggedSinceLast: unlogged.get(code) ?? 0 }, message);
    loggedAt.set(code, now);
    unlogged.set(code, 0);
  };
}

export function createErrorAnswer(): ErrorAnswer {
  const warn = sampledWarning();
  return function onError(req, res, error) {
    const mapped = toHttpError(error);
    const { code } = mapped.body.error;
    const facts = { code, status: mapped.status, ...requestRoute(req), requestId: requestIdOf(res) };
    // A stack only for the server's own faults: a refusal's stack says nothing about the server.
    if (mapped.status >= 500 && mapped.status !== 503)
      this.logger.error({ ...facts, err: error }, "request failed");
    else if (warnedStatuses.has(mapped.status)) warn(this.logger, facts, "request refused");
    else this.logger.debug(facts, "request refused");
    const headers: Record<string, string> = {};
    if (mapped.retryAfterSeconds !== undefined) headers["Retry-After"] = String(mapped.retryAfterSeconds);
    sendJson(res, mapped.status, mapped.body, headers);
  };
}

function requestIdOf(res: ServerResponse): string | undefined {
  const id = res.getHeader("x-request-id");
  return typeof id === "string" ? id : undefined;
}
