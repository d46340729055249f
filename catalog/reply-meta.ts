// How catalog actions shape their HTTP answer through the gateway's meta fields.
import type { Context } from "moleculer";
import {
  layoutMaxAgeSeconds,
  seatMapMaxAgeSeconds,
  seatMapStaleWhileRevalidateSeconds,
} from "../domain/limits.ts";

/** Live seat maps: a CDN holds one a second and may serve it while it revalidates (clients follow
 * the deltas from its version). */
export const seatMapCacheControl = `public, max-age=${seatMapMaxAgeSeconds}, stale-while-revalidate=${seatMapStaleWhileRevalidateSeconds}`;
/** The layout never changes while the event exists. */
export const layoutCacheControl = `public, max-age=${layoutMaxAgeSeconds}, immutable`;

/**
 * The answer is JSON text made here (a seat map is rendered as text, see live-seats.ts): the gateway
 * sends it as is, with an ETag naming its content instead of hashing megabytes per request.
 * Public reads may be held by a CDN (see the Cache-Control values above).
 */
export function sendJsonText(
  ctx: Context<unknown, any>,
  etag: string,
  cacheControl = seatMapCacheControl,
): void {
  ctx.meta.$responseType = "application/json; charset=utf-8";
  ctx.meta.$responseHeaders = { "Cache-Control": cacheControl, ETag: `W/"${etag}"` };
}

export function created(ctx: Context<unknown, any>, location: string): void {
  ctx.meta.$statusCode = 201;
  ctx.meta.$location = location;
}
