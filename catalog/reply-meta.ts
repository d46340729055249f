// How catalog actions shape their HTTP answer through the gateway's meta fields.
import type { Context } from "moleculer";

/**
 * The answer is JSON text made here (a seat map is rendered as text, see live-seats.ts): the gateway
 * sends it as is, with an ETag naming its content instead of hashing megabytes per request.
 * Public reads may be held by a CDN for a second.
 */
export function sendJsonText(ctx: Context<unknown, any>, etag: string): void {
  ctx.meta.$responseType = "application/json; charset=utf-8";
  ctx.meta.$responseHeaders = { "Cache-Control": "public, max-age=1", ETag: `W/"${etag}"` };
}

export function created(ctx: Context<unknown, any>, location: string): void {
  ctx.meta.$statusCode = 201;
  ctx.meta.$location = location;
}
