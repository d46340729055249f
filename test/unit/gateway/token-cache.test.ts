import { expect } from "chai";
import { SignJWT } from "jose";
import { createTokenVerifier } from "../../../gateway/auth.ts";
import { VerifiedTokenCache } from "../../../gateway/token-cache.ts";
import { loadConfig } from "../../../platform/config.ts";

const user = { id: "u1", role: "user" as const };

describe("verified token cache", () => {
  it("keeps at most entriesMax tokens, the least recently used going first", () => {
    const cache = new VerifiedTokenCache(2, 60_000);
    cache.set("a", { id: "a", role: "user" }, 100, 0);
    cache.set("b", { id: "b", role: "user" }, 100, 0);
    expect(cache.get("a", 1)?.id).to.equal("a"); // a is now the most recent
    cache.set("c", { id: "c", role: "user" }, 100, 0);
    expect(cache.size).to.equal(2);
    expect(cache.get("b", 1)).to.equal(undefined);
    expect(cache.get("a", 1)?.id).to.equal("a");
    expect(cache.get("c", 1)?.id).to.equal("c");
  });

  it("forgets a token at its exp (the second jose refuses it) and after the ttl", () => {
    const cache = new VerifiedTokenCache(10, 5_000);
    cache.set("t", user, 4, 0);
    expect(cache.get("t", 3_999)).to.deep.equal(user);
    expect(cache.get("t", 4_000)).to.equal(undefined);
    expect(cache.size).to.equal(0);
    cache.set("t", user, 100, 20_000);
    expect(cache.get("t", 24_999)).to.deep.equal(user);
    expect(cache.get("t", 25_000)).to.equal(undefined);
  });

  it("hands out a copy: a request changing its user changes no later request's", () => {
    const cache = new VerifiedTokenCache(10, 5_000);
    cache.set("t", user, 100, 0);
    cache.get("t", 1)!.role = "admin";
    expect(cache.get("t", 1)).to.deep.equal(user);
  });
});

describe("token verifier with the cache", () => {
  const config = loadConfig({ NODE_ENV: "test" });
  let nowMs = Date.UTC(2026, 11, 7, 10, 0, 0);
  const verifier = createTokenVerifier(config, { now: () => nowMs });
  const refusal = async (authorization: string) =>
    verifier.verify(authorization).then(
      () => null,
      (error: { code: string; message: string }) => `${error.code}: ${error.message}`,
    );

  it("refuses an expired token even though it was verified and cached before", async () => {
    const token = await verifier.issue({ id: "buyer-1", role: "admin" }, 30);
    expect(await verifier.verify(`Bearer ${token}`)).to.deep.equal({ id: "buyer-1", role: "admin" });
    nowMs += 29_000; // within the cache's ttl (60 s) throughout
    expect(await verifier.verify(`Bearer ${token}`)).to.deep.equal({ id: "buyer-1", role: "admin" });
    nowMs += 1_000;
    expect(await refusal(`Bearer ${token}`)).to.equal("UNAUTHENTICATED: Token expired");
    expect(await refusal(`Bearer ${token}`)).to.equal("UNAUTHENTICATED: Token expired");
  });

  it("never takes a token with a bad signature, however often it is sent", async () => {
    const good = await verifier.issue(user, 600);
    expect(await verifier.verify(`Bearer ${good}`)).to.deep.equal(user);
    const forged = await new SignJWT({ role: "admin" })
      .setProtectedHeader({ alg: "HS256" })
      .setSubject("u1")
      .setExpirationTime(Math.floor(nowMs / 1000) + 600)
      .sign(new TextEncoder().encode("not-the-secret"));
    // Same header and claims as a valid token would have, other signature bytes.
    const tampered = `${good.slice(0, good.lastIndexOf(".") + 1)}${"A".repeat(43)}`;
    for (let attempt = 0; attempt < 2; attempt += 1) {
      expect(await refusal(`Bearer ${forged}`)).to.equal("UNAUTHENTICATED: Invalid token");
      expect(await refusal(`Bearer ${tampered}`)).to.equal("UNAUTHENTICATED: Invalid token");
    }
  });

  it("never takes a signed token whose subject is refused, however often it is sent", async () => {
    const token = await verifier.issue({ id: "has space", role: "user" }, 600);
    for (let attempt = 0; attempt < 2; attempt += 1)
      expect(await refusal(`Bearer ${token}`)).to.equal("UNAUTHENTICATED: Invalid token subject");
  });
});
