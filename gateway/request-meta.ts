// What actions need of an HTTP request, copied into ctx.meta before the call (headers never reach
// params): the client's address, the Idempotency-Key, the waiting room's admission token, the
// X-Presale-Code. A query string that is not UTF-8 is refused here, before the call.
import type { Context } from "moleculer";
import type { GatewayMeta } from "../domain/request.ts";
import { forMiddleware } from "../platform/moleculer-errors.ts";
import { clientAddress } from "./client-address.ts";
import { routeToEventOwner } from "./event-routing.ts";
import { headerValue, type GatewayRequest } from "./http-message.ts";
import { queryEncodingProblem } from "./unsafe-text.ts";

export type BeforeCallHook = (ctx: Context<any, GatewayMeta>, route: unknown, req: GatewayRequest) => void;

/** moleculer-web's `onBeforeCall` for every route. */
export function requestMetaHook(trustedProxies: Set<string>): BeforeCallHook {
  return function onBeforeCall(ctx, _route, req) {
    // Query strings that do not decode as UTF-8 would reach the action as literal text: a 400 here
    // (wrapped so moleculer-web sees a client error, not one to log).
    const badQuery = queryEncodingProblem(req.url);
    if (badQuery) throw forMiddleware(badQuery);
    ctx.meta.clientAddress = clientAddress(req, trustedProxies);
    const idempotencyKey = headerValue(req.headers["idempotency-key"]);
    if (idempotencyKey !== undefined) ctx.meta.idempotencyKey = idempotencyKey;
    const admissionToken = headerValue(req.headers["x-admission-token"]);
    if (admissionToken !== undefined) ctx.meta.admissionToken = admissionToken;
    const presaleCode = headerValue(req.headers["x-presale-code"]);
    if (presaleCode !== undefined) ctx.meta.presaleCode = presaleCode;
    // We are the origin: a conditional GET is validated here whatever the client's Cache-Control
    // says (`no-cache` asks caches to revalidate with the origin, which is what this is; RFC 9111
    // 5.2.1.4). moleculer-web's freshness check (the `fresh` package) would otherwise never answer
    // 304 to fetch() clients, which add `Cache-Control: no-cache` to every conditional request.
    if (req.headers["if-none-match"] !== undefined) delete req.headers["cache-control"];
    routeToEventOwner(ctx.broker, req);
  };
}
