// A synchronous check of the common HS256 bearer token: node:crypto's HMAC on the calling thread
// instead of jose's WebCrypto path (a key import and a job on libuv's pool per token, plus the promises
// and garbage around them: ~100 µs of CPU, a third of a waiting-room join, where every joiner is a new
// user with a token the verified-token cache has never seen). It only ever accepts: a token it does
// not fully recognise (another header, a non-canonical encoding, a signature that does not match, a
// claim out of range) answers `undefined`, and jose decides it as before. So it accepts a subset of
// what jose accepts and refuses nothing itself: no answer of the gateway changes, only its cost.
import { createHmac, createSecretKey, timingSafeEqual, type KeyObject } from "node:crypto";

export interface FastClaims {
  sub: unknown;
  exp: number;
  role?: unknown;
  [claim: string]: unknown;
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/** JSON of a base64url segment in its canonical encoding (as jose decodes it), else undefined. */
function canonicalJson(segment: string): unknown {
  const bytes = Buffer.from(segment, "base64url");
  if (bytes.toString("base64url") !== segment) return undefined;
  try {
    return JSON.parse(strictUtf8.decode(bytes));
  } catch {
    return undefined;
  }
}

/** A JSON object as jose's isObject sees it (not an array, not null). */
const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** The header every HS256 token of ours has: `alg` HS256, perhaps `typ`, nothing else (no `crit`, no `b64`). */
function isPlainHs256Header(header: unknown): boolean {
  if (!isPlainObject(header) || header.alg !== "HS256") return false;
  for (const name of Object.keys(header))
    if (name !== "alg" && !(name === "typ" && typeof header.typ === "string")) return false;
  return true;
}

/** The claims jose checks with `requiredClaims: ["sub", "exp"]`, all passing at `nowSeconds`. */
function isAcceptedClaims(claims: unknown, nowSeconds: number): claims is FastClaims {
  if (!isPlainObject(claims) || !Object.hasOwn(claims, "sub") || !Object.hasOwn(claims, "exp")) return false;
  const { exp, nbf, iat } = claims;
  if (typeof exp !== "number" || exp <= nowSeconds) return false;
  if (nbf !== undefined && (typeof nbf !== "number" || nbf > nowSeconds)) return false;
  if (iat !== undefined && typeof iat !== "number") return false;
  return true;
}

export interface Hs256FastPath {
  /** The claims of a token it accepts at `nowMs`; undefined: let jose decide. */
  verify(token: string, nowMs: number): FastClaims | undefined;
}

export function createHs256FastPath(secret: Uint8Array): Hs256FastPath {
  // WebCrypto refuses an empty HMAC key: with one, every token goes to jose (which refuses it).
  const key: KeyObject | null = secret.length > 0 ? createSecretKey(secret) : null;
  // Every token of one issuer has the same header text: the last one found plain is not parsed again.
  let plainHeader: string | null = null;
  return {
    verify(token, nowMs) {
      if (key === null) return undefined;
      const parts = token.split(".");
      if (parts.length !== 3) return undefined;
      const [header, payload, signature] = parts;
      const expected = createHmac("sha256", key).update(`${header}.${payload}`).digest("base64url");
      // Both are ASCII (the caller's pattern): equal lengths compare in constant time.
      if (signature.length !== expected.length) return undefined;
      if (!timingSafeEqual(Buffer.from(signature, "latin1"), Buffer.from(expected, "latin1")))
        return undefined;
      if (header !== plainHeader) {
        if (!isPlainHs256Header(canonicalJson(header))) return undefined;
        plainHeader = header;
      }
      const claims = canonicalJson(payload);
      return isAcceptedClaims(claims, Math.floor(nowMs / 1_000)) ? claims : undefined;
    },
  };
}
