// Carries Marquee's errors across the Moleculer transporter: a MarqueeError thrown on one node is a
// MarqueeError (same code, details, Retry-After) on the node that called it. Everything else is
// left to Moleculer's own regenerator.
import Moleculer from "moleculer";
import { isErrorCode, MarqueeError, type ErrorFacts } from "../domain/errors.ts";

interface PlainError {
  name?: string;
  message?: string;
  code?: unknown;
  data?: { details?: Record<string, unknown>; retryAfterSeconds?: number };
}

class MarqueeErrorRegenerator extends Moleculer.Errors.Regenerator {
  override extractPlainError(error: Error & Record<string, any>): any {
    const plain = super.extractPlainError(error);
    if (error instanceof MarqueeError)
      plain.data = { details: error.details, retryAfterSeconds: error.retryAfterSeconds };
    return plain;
  }

  override restoreCustomError(plain: PlainError): Error | undefined {
    if ((plain.name !== "MarqueeError" && plain.name !== "InternalFault") || !isErrorCode(plain.code))
      return undefined;
    return MarqueeError.from({
      code: plain.code,
      message: String(plain.message ?? plain.code),
      details: plain.data?.details ?? undefined,
      retryAfterSeconds: plain.data?.retryAfterSeconds ?? undefined,
    });
  }
}

export const createErrorRegenerator = (): Moleculer.Errors.Regenerator => new MarqueeErrorRegenerator();

/**
 * moleculer-web re-wraps a non-Moleculer error that an HTTP middleware passes on and drops its
 * details, so the gateway's middlewares hand their MarqueeErrors over in this wrapper.
 */
export function forMiddleware(error: MarqueeError): Moleculer.Errors.MoleculerError {
  return new Moleculer.Errors.MoleculerError(error.message, error.status, error.code, {
    marqueeError: error.toFacts(),
  });
}

/** The MarqueeError that `error` is or carries (see forMiddleware), else null. */
export function asMarqueeError(error: unknown): MarqueeError | null {
  if (error instanceof MarqueeError) return error;
  const facts = (error as { data?: { marqueeError?: { code?: unknown } } } | null)?.data?.marqueeError;
  return facts && isErrorCode(facts.code) ? MarqueeError.from(facts as ErrorFacts) : null;
}
