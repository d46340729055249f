// The last step of every routed answer (moleculer-web's `onAfterCall`): a conditional GET of an
// answer whose action named its content (an ETag in `$responseHeaders`) is a bodiless 304, and a
// JSON answer over compressAnswerBytesMin is gzipped when the request's Accept-Encoding allows it.
// An action that sends bytes it compressed itself (a seat map rendered and compressed once per
// version) sets Content-Encoding, and its answer passes as it is.
import { promisify } from "node:util";
import { constants, gzip } from "node:zlib";
import type { Context } from "moleculer";
import { compressAnswerBytesMin } from "../domain/limits.ts";
import { headerValue, type GatewayRequest } from "./http-message.ts";

export type ContentEncoding = "br" | "gzip" | "identity";

const gzipAsync = promisify(gzip);
const jsonType = "application/json; charset=utf-8";

/** The weight of each coding an Accept-Encoding header names (`*` included; RFC 9110 12.5.3). */
function codingWeights(header: string | undefined): Map<string, number> {
  const weights = new Map<string, number>();
  for (const item of (header ?? "").split(",")) {
    const [coding, ...parameters] = item.split(";").map((part) => part.trim().toLowerCase());
    if (!coding) continue;
    const q = parameters.find((parameter) => parameter.startsWith("q="));
    const weight = q === undefined ? 1 : Number(q.slice(2));
    weights.set(coding, Number.isFinite(weight) ? Math.min(Math.max(weight, 0), 1) : 0);
  }
  return weights;
}

/**
 * The coding to answer with among `offered` (the server's order of preference breaks ties): the
 * one the client weighs most, or identity when it accepts none of them.
 */
export function preferredEncoding(
  header: string | undefined,
  offered: readonly ContentEncoding[],
): ContentEncoding {
  const weights = codingWeights(header);
  let best: ContentEncoding = "identity";
  let bestWeight = 0;
  for (const coding of offered) {
    const weight = weights.get(coding) ?? weights.get("*") ?? 0;
    if (weight > bestWeight) {
      best = coding;
      bestWeight = weight;
    }
  }
  return best;
}

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
