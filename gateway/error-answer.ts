// How the gateway answers a failed request: the contract's error body with the code's status (and
// Retry-After when the error says when to retry), logged when it is the server's fault.
import type { ServerResponse } from "node:http";
import { toHttpError } from "./errors.ts";
import { sendJson, type GatewayRequest } from "./http-message.ts";

type Logger = { warn(facts: object, message: string): void; error(facts: object, message: string): void };

/** moleculer-web's `onError`, called with the api service as `this`. */
export type ErrorAnswer = (
  this: { logger: Logger },
  req: GatewayRequest,
  res: ServerResponse,
  error: unknown,
) => void;

/**
 * A 503 is load shedding or a dependency that is down, the system working as designed: a warning,
 * at most one a second (with how many were not logged), not an error per request in a rush.
 */
function unavailableLog(): (logger: Logger, url: string | undefined, code: string) => void {
  let loggedAt = 0;
  let unlogged = 0;
  return (logger, url, code) => {
    const now = Date.now();
    if (now - loggedAt < 1_000) {
      unlogged += 1;
      return;
    }
    logger.warn({ url, code, notLoggedSinceLast: unlogged }, "request answered 503");
    loggedAt = now;
    unlogged = 0;
  };
}

export function createErrorAnswer(): ErrorAnswer {
  const logUnavailable = unavailableLog();
  return function onError(req, res, error) {
    const mapped = toHttpError(error);
    if (mapped.status === 503) logUnavailable(this.logger, req.url, mapped.body.error.code);
    else if (mapped.status >= 500) this.logger.error({ url: req.url, err: error }, "request failed");
    const headers: Record<string, string> = {};
    if (mapped.retryAfterSeconds !== undefined) headers["Retry-After"] = String(mapped.retryAfterSeconds);
    sendJson(res, mapped.status, mapped.body, headers);
  };
}
