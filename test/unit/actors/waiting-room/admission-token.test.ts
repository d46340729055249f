import { expect } from "chai";
import { createAdmissionTokens } from "../../../../actors/waiting-room/admission-token.ts";
import { admissionSecret } from "../../../../actors/waiting-room/admission-guard.ts";
import { developmentAuthSecret } from "../../../../platform/config.ts";

describe("admission tokens", () => {
  const tokens = createAdmissionTokens("test-secret-one");
  const nowMs = Date.parse("2027-01-01T00:00:00Z");
  const claims = { eventId: "ev_1", userId: "u1", expiresAtMs: nowMs + 60_000 };
  const expected = { eventId: "ev_1", userId: "u1", nowMs };

  it("accepts its own token for the same user and event before expiry", () => {
    const token = tokens.sign(claims);
    expect(tokens.verify(token, expected)).to.deep.equal({ ok: true, claims });
    expect(tokens.sign(claims)).to.equal(token); // deterministic: polls get the same token back
  });

  it("refuses a missing, malformed or forged token", () => {
    const token = tokens.sign(claims);
    const [payload, mac] = token.split(".");
    const forgedPayload = Buffer.from(
      JSON.stringify({ v: 1, e: "ev_1", u: "u2", x: claims.expiresAtMs }),
    ).toString("base64url");
    const flipped = (mac[0] === "A" ? "B" : "A") + mac.slice(1);
    const cases: [string | undefined, string][] = [
      [undefined, "missing"],
      ["", "missing"],
      ["not-a-token", "malformed"],
      [`${payload}.${mac}.x`, "malformed"],
      [`${payload}.${flipped}`, "bad_signature"],
      [`${forgedPayload}.${mac}`, "bad_signature"],
      [createAdmissionTokens("another-secret").sign(claims), "bad_signature"],
      ["a".repeat(600) + "." + mac, "malformed"],
    ];
    for (const [given, reason] of cases) {
      expect(tokens.verify(given, expected), String(given)).to.deep.equal({ ok: false, reason });
    }
  });

  it("refuses another user's, another event's and an expired token", () => {
    const token = tokens.sign(claims);
    expect(tokens.verify(token, { ...expected, userId: "u2" })).to.deep.equal({
      ok: false,
      reason: "wrong_user",
    });
    expect(tokens.verify(token, { ...expected, eventId: "ev_2" })).to.deep.equal({
      ok: false,
      reason: "wrong_event",
    });
    expect(tokens.verify(token, { ...expected, nowMs: claims.expiresAtMs })).to.deep.equal({
      ok: false,
      reason: "expired",
    });
    expect(tokens.verify(token, { ...expected, nowMs: claims.expiresAtMs - 1 }).ok).to.equal(true);
  });

  it("refuses to sign with the development secret in production", () => {
    expect(() => admissionSecret({ authSecret: developmentAuthSecret, production: true })).to.throw(
      /AUTH_SECRET/,
    );
    expect(admissionSecret({ authSecret: "real-secret", production: true })).to.equal("real-secret");
    expect(admissionSecret({ authSecret: developmentAuthSecret, production: false })).to.equal(
      developmentAuthSecret,
    );
  });
});
