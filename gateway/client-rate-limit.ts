// Each API request counts against its client (gateway/client-key.ts: the user of a valid token, else
// the client's address). Past the limit: 429 with Retry-After.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Runtime } from "../platform/runtime.ts";
import { MarqueeError } from "../domain/errors.ts";
import { clientOf } from "./client-key.ts";
import { RateLimiter } from "./rate-limit.ts";
import type { RequestAuth } from "./request-auth.ts";

export type ClientRateLimit = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

export function createClientRateLimit(
  runtime: Runtime,
  identify: RequestAuth["identify"],
  trustedProxies: Set<string>,
): ClientRateLimit {
  const { config } = runtime;
  const clientKey = clientOf(identify, trustedProxies);
  const rateLimiter = new RateLimiter({
    redis: runtime.redis,
    clock: runtime.clock,
    limit: config.rateLimitPerWindow,
    windowMs: config.rateLimitWindowMs,
  });

  /** Counts the request against its client (user id, else address); throws 429 past the limit. */
  return async function enforceRateLimit(req, res) {
    const decision = await rateLimiter.hit(await clientKey(req));
    res.setHeader("RateLimit-Limit", String(decision.limit));
    res.setHeader("RateLimit-Remaining", String(decision.remaining));
    res.setHeader("RateLimit-Reset", String(Math.ceil(decision.resetMs / 1000)));
    if (!decision.allowed) {
      throw new MarqueeError(
        "RATE_LIMITED",
        "Too many requests from this client, retry later",
        { limit: decision.limit, windowMs: rateLimiter.windowMs },
        decision.retryAfterSeconds,
      );
    }
  };
}
