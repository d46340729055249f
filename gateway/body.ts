// Request bodies: JSON only (415 otherwise), at most 64 KiB (413), well-formed (400), an object whose
// strings and keys are safe text (gateway/unsafe-text.ts: well-formed Unicode, no NUL, no __proto__).
// Read by hand rather than by body-parser so every failure maps to the contract's exact error.
import type { IncomingMessage, ServerResponse } from "node:http";
import { MarqueeError } from "../domain/errors.ts";
import { forMiddleware } from "../platform/moleculer-errors.ts";
import { requestBodyBytesMax } from "../domain/limits.ts";
import { findUnsafeText } from "./unsafe-text.ts";

const methodsWithBody = new Set(["POST", "PUT", "PATCH", "DELETE"]);

type Next = (error?: unknown) => void;

/**
 * moleculer-web merges the query string into the params, over the body: a write would take fields
 * from the URL. Writes take their fields from the body only; the first query parameter is refused.
 */
function queryParameterOfWrite(req: IncomingMessage): MarqueeError | null {
  const queryStart = (req.url ?? "").indexOf("?");
  if (queryStart === -1) return null;
  const [first] = new URLSearchParams((req.url ?? "").slice(queryStart + 1)).keys();
  if (first === undefined) return null;
  return new MarqueeError("VALIDATION_ERROR", `Unknown query parameter '${first}': send fields in the body`, {
    field: first,
  });
}

/** The body as JSON: an object, or the refusal (not JSON, malformed, unsafe, not an object). */
function parseBody(req: IncomingMessage, text: string): { body: object } | { error: MarqueeError } {
  const type = String(req.headers["content-type"] ?? "")
    .split(";")[0]
    .trim()
    .toLowerCase();
  if (type !== "application/json" && !type.endsWith("+json")) {
    return { error: new MarqueeError("UNSUPPORTED_MEDIA_TYPE", "Request bodies must be application/json") };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { error: new MarqueeError("VALIDATION_ERROR", "Malformed JSON body", { field: "body" }) };
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    return {
      error: new MarqueeError("VALIDATION_ERROR", "The body must be a JSON object", { field: "body" }),
    };
  }
  // Lone surrogates, NUL characters and `__proto__` keys, in any string or key at any depth.
  const unsafe = findUnsafeText(parsed);
  return unsafe ? { error: unsafe } : { body: parsed };
}

/** Reads the body up to the limit, then hands its text on; past the limit it answers 413 at once. */
function readBody(
  req: IncomingMessage,
  res: ServerResponse,
  next: Next,
  onText: (text: string) => void,
): void {
  const declaredLength = Number(req.headers["content-length"] ?? 0);
  if (declaredLength > requestBodyBytesMax) return tooLarge(req, res, next);
  const chunks: Buffer[] = [];
  let received = 0;
  let failed = false;
  req.on("data", (chunk: Buffer) => {
    if (failed) return;
    received += chunk.length;
    if (received > requestBodyBytesMax) {
      failed = true;
      return tooLarge(req, res, next);
    }
    chunks.push(chunk);
  });
  req.on("error", (error) => {
    if (!failed) {
      failed = true;
      next(error);
    }
  });
  req.on("end", () => {
    if (failed) return;
    const text = utf8Text(Buffer.concat(chunks));
    if (text === null)
      return next(new MarqueeError("VALIDATION_ERROR", "The body is not valid UTF-8", { field: "body" }));
    onText(text);
  });
}

/** moleculer-web middleware: `req.body` is the request's JSON object (`{}` without a body). */
export function jsonBody(
  req: IncomingMessage & { body?: unknown },
  res: ServerResponse,
  forward: Next,
): void {
  // moleculer-web drops the details of other errors a middleware passes on: see forMiddleware.
  const next: Next = (error) => forward(error instanceof MarqueeError ? forMiddleware(error) : error);
  if (!methodsWithBody.has(req.method ?? "")) {
    req.body = {};
    return next();
  }
  const refusal = queryParameterOfWrite(req);
  if (refusal) {
    req.resume();
    return next(refusal);
  }
  if (req.complete && req.readableLength === 0 && !req.readableDidRead) {
    // Read whole already and nothing buffered: no body (a POST to join a queue, say). Node dumps the
    // unread end of the stream once the answer is sent, so the connection carries on.
    req.body = {};
    return next();
  }
  readBody(req, res, next, (text) => {
    if (text.trim() === "") {
      req.body = {};
      return next();
    }
    const parsed = parseBody(req, text);
    if ("error" in parsed) return next(parsed.error);
    req.body = parsed.body;
    next();
  });
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** The body's text; null when its bytes are not UTF-8 (they would otherwise turn into U+FFFD unseen). */
function utf8Text(bytes: Buffer): string | null {
  try {
    return utf8.decode(bytes);
  } catch {
    return null;
  }
}

/** Percent-encoded NUL in the path or query string: refused up front (PostgreSQL text cannot hold it). */
export function assertNoNulInUrl(url: string | undefined): void {
  if (url !== undefined && /%00/.test(url))
    throw new MarqueeError("VALIDATION_ERROR", "The URL contains a NUL character", { field: "query" });
}

function tooLarge(req: IncomingMessage, res: ServerResponse, next: Next): void {
  // Stop reading: the rest of the body is discarded, the answer goes out right away, and the
  // connection closes after it (a client streaming gigabytes is not read to the end).
  res.setHeader("Connection", "close");
  req.resume();
  next(
    new MarqueeError("PAYLOAD_TOO_LARGE", `Request body over ${requestBodyBytesMax} bytes`, {
      limitBytes: requestBodyBytesMax,
    }),
  );
}
