// Bearer tokens for the HTTP benchmark, signed here with the node's AUTH_SECRET (HS256, the claims
// gateway/auth.ts verifies: sub, role, exp): one HMAC per token, cheap enough for a fresh buyer per
// purchase on the machine that also runs the node (jose's async SignJWT costs several times more).
import { createHmac } from "node:crypto";

export type Role = "user" | "admin";
/** `Bearer <token>` for a user id. */
export type Signer = (userId: string, role?: Role) => string;

const header = Buffer.from(JSON.stringify({ alg: "HS256", typ: "JWT" })).toString("base64url");

export function createSigner(secret: string, lifetimeSeconds = 3_600): Signer {
  return (userId, role = "user") => {
    const now = Math.floor(Date.now() / 1000);
    const claims = { role, sub: userId, iat: now, exp: now + lifetimeSeconds };
    const signed = `${header}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}`;
    return `Bearer ${signed}.${createHmac("sha256", secret).update(signed).digest("base64url")}`;
  };
}
