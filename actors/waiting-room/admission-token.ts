// Admission tokens: proof that the waiting room let a user into an event, checked without Redis.
// `<payload>.<mac>`, both base64url: payload = JSON {v, e: eventId, u: userId, x: expiresAtMs},
// mac = HMAC-SHA256 over the payload text with a key derived from AUTH_SECRET (its own purpose
// label, so no other token signed with that secret can pass as one). Signing is deterministic: the
// same user, event and expiry give the same token, so the waiting room can hand it out again on a poll
// without storing it.
import { createHmac, timingSafeEqual } from "node:crypto";
import { admissionTokenLengthMax } from "../../domain/limits.ts";

const version = 1;
const purpose = "marquee/admission-token/v1";
const base64urlPattern = /^[A-Za-z0-9_-]+$/;

export interface AdmissionClaims {
  eventId: string;
  userId: string;
  expiresAtMs: number;
}

export type AdmissionRefusal =
  "missing" | "malformed" | "bad_signature" | "wrong_event" | "wrong_user" | "expired";

export type AdmissionCheck = { ok: true; claims: AdmissionClaims } | { ok: false; reason: AdmissionRefusal };

export interface AdmissionTokens {
  sign(claims: AdmissionClaims): string;
  verify(
    token: string | undefined,
    expected: { eventId: string; userId: string; nowMs: number },
  ): AdmissionCheck;
}

export function deriveAdmissionKey(authSecret: string): Buffer {
  if (authSecret.length === 0) throw new Error("an admission key needs a non-empty secret");
  return createHmac("sha256", authSecret).update(purpose).digest();
}

export function createAdmissionTokens(authSecret: string): AdmissionTokens {
  const key = deriveAdmissionKey(authSecret);
  const mac = (payload: string): Buffer => createHmac("sha256", key).update(payload).digest();

  return {
    sign(claims) {
      if (!Number.isSafeInteger(claims.expiresAtMs)) throw new Error("expiresAtMs must be an integer");
      const payload = Buffer.from(
        JSON.stringify({ v: version, e: claims.eventId, u: claims.userId, x: claims.expiresAtMs }),
      ).toString("base64url");
      const token = `${payload}.${mac(payload).toString("base64url")}`;
      if (token.length > admissionTokenLengthMax) throw new Error("admission token over its length limit");
      return token;
    },

    verify(token, expected) {
      if (token === undefined || token === "") return { ok: false, reason: "missing" };
      if (token.length > admissionTokenLengthMax) return { ok: false, reason: "malformed" };
      const parts = token.split(".");
      if (parts.length !== 2 || !base64urlPattern.test(parts[0]) || !base64urlPattern.test(parts[1]))
        return { ok: false, reason: "malformed" };
      const given = Buffer.from(parts[1], "base64url");
      const wanted = mac(parts[0]);
      if (given.length !== wanted.length || !timingSafeEqual(given, wanted))
        return { ok: false, reason: "bad_signature" };
      let body: any;
      try {
        body = JSON.parse(Buffer.from(parts[0], "base64url").toString("utf8"));
      } catch {
        return { ok: false, reason: "malformed" };
      }
      // A correct signature over a payload we did not write would mean the key leaked or a bug.
      if (
        body === null ||
        body.v !== version ||
        typeof body.e !== "string" ||
        typeof body.u !== "string" ||
        !Number.isSafeInteger(body.x)
      )
        return { ok: false, reason: "malformed" };
      if (body.e !== expected.eventId) return { ok: false, reason: "wrong_event" };
      if (body.u !== expected.userId) return { ok: false, reason: "wrong_user" };
      if (body.x <= expected.nowMs) return { ok: false, reason: "expired" };
      return { ok: true, claims: { eventId: body.e, userId: body.u, expiresAtMs: body.x } };
    },
  };
}
