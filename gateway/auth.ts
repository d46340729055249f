// JWT bearer tokens: HS256 with AUTH_SECRET, or a JWKS URL for a real identity provider.
// Claims: `sub` (user id), `role` (user | admin | scanner), `exp` (required).
import { SignJWT, createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey } from "jose";
import type { Config } from "../platform/config.ts";
import { MarqueeError } from "../domain/errors.ts";
import { roles, type Role, type User } from "../domain/request.ts";
import { verifiedTokenCacheEntriesMax, verifiedTokenCacheTtlMs } from "../domain/limits.ts";
import { createHs256FastPath } from "./hs256-fast-path.ts";
import { VerifiedTokenCache } from "./token-cache.ts";

const tokenLengthMax = 4_096;
const devTokenLifetimeSeconds = 24 * 3600;
const userIdPattern = /^[A-Za-z0-9_.@:-]{1,128}$/;

export interface TokenVerifier {
  verify(authorization: string | undefined): Promise<User | null>;
  issue(user: User, lifetimeSeconds?: number): Promise<string>;
}

export interface TokenVerifierOptions {
  /** Milliseconds since the epoch (tests move it); default Date.now. */
  now?: () => number;
}

const unauthenticated = (message: string) => new MarqueeError("UNAUTHENTICATED", message);

export function createTokenVerifier(config: Config, options: TokenVerifierOptions = {}): TokenVerifier {
  const now = options.now ?? Date.now;
  // loadConfig refuses this pair; a configuration built another way must not slip the issuer through.
  if (config.production && config.authDevTokens)
    throw new Error("AUTH_DEV_TOKENS=true is refused with NODE_ENV=production (dev token issuer)");
  const secret = new TextEncoder().encode(config.authSecret);
  const jwks: JWTVerifyGetKey | null = config.authJwksUrl
    ? createRemoteJWKSet(new URL(config.authJwksUrl), { timeoutDuration: 2_000 })
    : null;
  // Verified tokens, so a client's every request does not pay for its signature again.
  const verified = new VerifiedTokenCache(verifiedTokenCacheEntriesMax, verifiedTokenCacheTtlMs);
  // The common HS256 token checked on this thread; jose decides every token it does not accept.
  const fastPath = jwks ? null : createHs256FastPath(secret);

  /** The token's claims, or 401 (503 when the identity provider's key set cannot be fetched). */
  async function verifyWithJose(token: string, nowMs: number) {
    try {
      const checks = { requiredClaims: ["sub", "exp"], currentDate: new Date(nowMs) };
      return jwks
        ? (await jwtVerify(token, jwks, checks)).payload
        : (await jwtVerify(token, secret, { ...checks, algorithms: ["HS256"] })).payload;
    } catch (error) {
      const code = (error as { code?: string }).code;
      // The identity provider's key set could not be fetched: not the client's fault.
      if (jwks && (code === "ERR_JWKS_TIMEOUT" || code === undefined))
        throw new MarqueeError("UNAVAILABLE", "The identity provider is not reachable", undefined, 5);
      throw unauthenticated(code === "ERR_JWT_EXPIRED" ? "Token expired" : "Invalid token");
    }
  }

  return {
    /** null when no Authorization header is sent; throws 401 for anything sent but not valid. */
    async verify(authorization) {
      if (authorization === undefined || authorization === "") return null;
      const match = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)$/.exec(authorization);
      if (!match || authorization.length > tokenLengthMax)
        throw unauthenticated("Malformed Authorization header");
      const token = match[1];
      const nowMs = now();
      const known = verified.get(token, nowMs);
      if (known !== undefined) return known;
      const payload = fastPath?.verify(token, nowMs) ?? (await verifyWithJose(token, nowMs));
      const role = payload.role ?? "user";
      if (typeof payload.sub !== "string" || !userIdPattern.test(payload.sub))
        throw unauthenticated("Invalid token subject");
      if (!roles.includes(role as Role)) throw unauthenticated("Invalid token role");
      const user: User = { id: payload.sub, role: role as Role };
      verified.set(token, user, payload.exp!, nowMs);
      return user;
    },

    async issue(user, lifetimeSeconds = devTokenLifetimeSeconds) {
      return new SignJWT({ role: user.role })
        .setProtectedHeader({ alg: "HS256", typ: "JWT" })
        .setSubject(user.id)
        .setIssuedAt(Math.floor(now() / 1000))
        .setExpirationTime(Math.floor(now() / 1000) + lifetimeSeconds)
        .sign(secret);
    },
  };
}

export { userIdPattern };
