// The last step of every routed answer (moleculer-web's `onAfterCall`): a conditional GET of an
// answer whose action named its content (an ETag in `$responseHeaders`) is a bodiless 304, and a
// JSON answer over compressAnswerBytesMin is gzipped when the request's Accept-Encoding allows it.
// An action that sends bytes it compressed itself (a seat map rendered and compressed once per
// version) sets Content-Encoding, and its answer passes as it is.
import { promisify } from "node:util";
import { constants, gzip } from "node:zlib";
import type { Context } from "moleculer";
import { compressAnswerBytesMin } from "../domain/limits.ts";
import { preferredEncoding } from "../domain/content-encoding.ts";
import type { GatewayMeta } from "../domain/request.ts";
import { headerValue, type GatewayRequest } from "./http-message.ts";
import type { BeforeCallHook } from "./request-meta.ts";

const gzipAsync = promisify(gzip);
const jsonType = "application/json; charset=utf-8";

/** If-None-Match against an ETag, by the weak comparison a GET uses (RFC 9110 13.1.2). */
export function matchesEtag(ifNoneMatch: string | undefined, etag: string): boolean {
  if (ifNoneMatch === undefined) return false;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, "");
  const wanted = opaque(etag);
  return ifNoneMatch.split(",").some((tag) => tag.trim() === "*" || opaque(tag) === wanted);
}

/** Adds a field to the answer's Vary header. */
export function addVary(headers: Record<string, string>, field: string): void {
  const present = (headers.Vary ?? "").split(",").map((name) => name.trim().toLowerCase());
  if (!present.includes(field.toLowerCase()))
    headers.Vary = headers.Vary ? `${headers.Vary}, ${field}` : field;
}

/** The answer's JSON text, or null when it is not JSON (bytes, streams, another type). */
function jsonText(ctx: Context<unknown, any>, data: unknown): string | null {
  const type = ctx.meta.$responseType as string | undefined;
  if (type !== undefined)
    return type.startsWith("application/json") && typeof data === "string" ? data : null;
  if (data === null || data === undefined || Buffer.isBuffer(data)) return null;
  if (typeof (data as { pipe?: unknown }).pipe === "function") return null;
  // What moleculer-web would send (its encodeResponse).
  return JSON.stringify(data);
}

/** The request's Accept-Encoding into `ctx.meta.acceptEncoding` (for actions that send bytes they
 * compressed once, such as the seat maps), after the given hook. */
export function withAcceptEncoding(hook: BeforeCallHook): BeforeCallHook {
  return function onBeforeCall(ctx, route, req) {
    hook(ctx, route, req);
    const acceptEncoding = headerValue(req.headers["accept-encoding"]);
    if (acceptEncoding !== undefined) (ctx.meta as GatewayMeta).acceptEncoding = acceptEncoding;
  };
}

/** moleculer-web's `onAfterCall` of every route. */
export async function encodeAnswer(
  ctx: Context<unknown, any>,
  _route: unknown,
  req: GatewayRequest,
  _res: unknown,
  data: unknown,
): Promise<unknown> {
  const headers: Record<string, string> = (ctx.meta.$responseHeaders ??= {});
  if (headers.ETag !== undefined && matchesEtag(headerValue(req.headers["if-none-match"]), headers.ETag)) {
    ctx.meta.$statusCode = 304;
    delete headers["Content-Encoding"];
    return null;
  }
  if (headers["Content-Encoding"] !== undefined) return data; // compressed by the action
  const text = jsonText(ctx, data);
  if (text === null) return data;
  // Sent as this text from here on (not stringified a second time by moleculer-web).
  ctx.meta.$responseType = jsonType;
  if (Buffer.byteLength(text) < compressAnswerBytesMin) return text;
  addVary(headers, "Accept-Encoding");
  if (preferredEncoding(headerValue(req.headers["accept-encoding"]), ["gzip"]) !== "gzip") return text;
  // Compressed in libuv's pool, off the event loop; level 6 is zlib's own balance of size and time.
  const compressed = await gzipAsync(text, { level: constants.Z_DEFAULT_COMPRESSION });
  headers["Content-Encoding"] = "gzip";
  return compressed;
}
