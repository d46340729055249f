// How catalog actions shape their HTTP answer through the gateway's meta fields.
import type { Context } from "moleculer";
import { preferredEncoding } from "../domain/content-encoding.ts";
import type { GatewayMeta } from "../domain/request.ts";
import {
  compressAnswerBytesMin,
  layoutMaxAgeSeconds,
  seatMapMaxAgeSeconds,
  seatMapStaleWhileRevalidateSeconds,
} from "../domain/limits.ts";
import type { RenderedAnswer } from "./seat-map-renders.ts";

/** Live seat maps: a CDN holds one a second and may serve it while it revalidates (clients follow
 * the deltas from its version). */
export const seatMapCacheControl = `public, max-age=${seatMapMaxAgeSeconds}, stale-while-revalidate=${seatMapStaleWhileRevalidateSeconds}`;
/** The layout never changes once the event is on sale (catalog/event-update.ts). */
export const layoutCacheControl = `public, max-age=${layoutMaxAgeSeconds}, immutable`;

/**
 * An answer rendered once for every reader (catalog/seat-map-renders.ts): its bytes in the best coding
 * the request accepts, with an ETag naming its content, so the gateway (gateway/answer-encoding.ts)
 * sends them as they are, or a 304 to a conditional GET. Public reads may be held by a CDN.
 */
export async function sendRendered(
  ctx: Context<unknown, GatewayMeta & Record<string, any>>,
  answer: RenderedAnswer,
  cacheControl: string,
): Promise<Buffer> {
  const offered = answer.identity.length >= compressAnswerBytesMin ? answer.codings : [];
  const encoding = preferredEncoding(ctx.meta.acceptEncoding, offered);
  const bytes = await answer.bytes(encoding);
  ctx.meta.$responseType = "application/json; charset=utf-8";
  ctx.meta.$responseHeaders = {
    "Cache-Control": cacheControl,
    ETag: `W/"${answer.etag}"`,
    Vary: "Accept-Encoding",
    ...(encoding === "identity" ? {} : { "Content-Encoding": encoding }),
  };
  return bytes;
}

export function created(ctx: Context<unknown, any>, location: string): void {
  ctx.meta.$statusCode = 201;
  ctx.meta.$location = location;
}
