// The gateway's auth step: who sent a request (identify), that someone did on routes that need it
// (authenticate, moleculer-web's hook), and that they are an admin on the admin routes (authorize).
import type { IncomingMessage } from "node:http";
import type { Context } from "moleculer";
import { MarqueeError } from "../domain/errors.ts";
import type { GatewayMeta, User } from "../domain/request.ts";
import type { TokenVerifier } from "./auth.ts";
import { headerValue } from "./http-message.ts";

export interface RequestAuth {
  /** The request's user; null without a token; rejects for a token that is sent but not valid. */
  identify(req: IncomingMessage): Promise<User | null>;
  authenticate(ctx: Context, route: unknown, req: IncomingMessage): Promise<User | null>;
  /** By the route's name: `admin` needs an admin, `scanner` an admin or scanner, `user` no scanner. */
  authorize(ctx: Context<any, GatewayMeta>, route?: { opts?: { name?: string } }): Promise<void>;
}

export function createRequestAuth(tokens: TokenVerifier): RequestAuth {
  // The bearer token of a request is verified once: by the rate limiter (to count per user) and then
  // reused by `authenticate`.
  const identities = new WeakMap<IncomingMessage, Promise<User | null>>();
  function identify(req: IncomingMessage): Promise<User | null> {
    let identity = identities.get(req);
    if (identity === undefined) {
      identity = tokens.verify(headerValue(req.headers.authorization));
      identities.set(req, identity);
    }
    return identity;
  }

  return {
    identify,
    async authenticate(_ctx, _route, req) {
      const user = await identify(req);
      if (!user) throw new MarqueeError("UNAUTHENTICATED", "A bearer token is required");
      return user;
    },
    async authorize(ctx, route) {
      const role = ctx.meta.user?.role;
      const name = route?.opts?.name;
      // A scanner checks tickets in and does nothing else: its own routes only.
      if (name === "scanner") {
        if (role !== "admin" && role !== "scanner")
          throw new MarqueeError("FORBIDDEN", "Admin or scanner role required");
      } else if (name === "user") {
        if (role === "scanner")
          throw new MarqueeError("FORBIDDEN", "A scanner token may only check tickets in");
      } else if (role !== "admin") throw new MarqueeError("FORBIDDEN", "Admin role required");
    },
  };
}
