// The synchronous HS256 check accepts only tokens jose accepts, with the same claims, and leaves every
// other token to jose (so no answer of the gateway changes): the common token of every client, tokens
// jose refuses for a claim, a header or an encoding, and random corruptions of a good token.
import { createHmac, randomBytes } from "node:crypto";
import { expect } from "chai";
import { jwtVerify, SignJWT } from "jose";
import { createHs256FastPath } from "../../../gateway/hs256-fast-path.ts";
import { createTokenVerifier } from "../../../gateway/auth.ts";
import { loadConfig } from "../../../platform/config.ts";

const secretText = "a-test-secret-of-enough-length-for-hs256";
const secret = new TextEncoder().encode(secretText);
const nowMs = Date.UTC(2026, 11, 7, 12, 0, 30, 500);
const nowSeconds = Math.floor(nowMs / 1000);
const b64 = (text: string | Buffer) => Buffer.from(text).toString("base64url");

/** A token of exactly these header and payload texts, signed with `key`. */
function signRaw(header: string | Buffer, payload: string | Buffer, key: Uint8Array = secret): string {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${createHmac("sha256", key).update(input).digest("base64url")}`;
}

const header = JSON.stringify({ alg: "HS256", typ: "JWT" });
const claims = (extra: Record<string, unknown>) =>
  JSON.stringify({ sub: "u1", role: "user", iat: nowSeconds, exp: nowSeconds + 60, ...extra });

/** jose's decision, as the gateway asks for it. */
async function jose(token: string): Promise<unknown> {
  try {
    const checks = { requiredClaims: ["sub", "exp"], currentDate: new Date(nowMs), algorithms: ["HS256"] };
    return (await jwtVerify(token, secret, checks)).payload;
  } catch (error) {
    return `refused: ${(error as { code?: string }).code}`;
  }
}

const fastPath = createHs256FastPath(secret);

async function expectSameOrDeferred(token: string): Promise<"fast" | "deferred"> {
  const fast = fastPath.verify(token, nowMs);
  if (fast === undefined) return "deferred";
  expect(await jose(token), token).to.deep.equal(fast);
  return "fast";
}

describe("HS256 fast path", () => {
  it("accepts the common token (ours, jose's, the load tools'), with jose's claims", async () => {
    const issued = await createTokenVerifier(loadConfig({ NODE_ENV: "test", AUTH_SECRET: secretText }), {
      now: () => nowMs,
    }).issue({ id: "buyer-7", role: "admin" }, 600);
    const byJose = await new SignJWT({ role: "user" })
      .setProtectedHeader({ alg: "HS256" })
      .setSubject("u2")
      .setExpirationTime(nowSeconds + 1)
      .sign(secret);
    for (const token of [
      issued,
      byJose,
      signRaw(header, claims({})),
      signRaw(header, claims({ nbf: nowSeconds })),
    ])
      expect(await expectSameOrDeferred(token)).to.equal("fast");
    expect(fastPath.verify(issued, nowMs)).to.include({ sub: "buyer-7", role: "admin" });
  });

  it("leaves to jose every token it refuses: claims, headers, encodings, signatures", async () => {
    const refusedByJose = [
      signRaw(header, claims({ exp: nowSeconds })), // expired at the second it reaches exp
      signRaw(header, claims({ exp: String(nowSeconds + 60) })),
      signRaw(header, claims({ nbf: nowSeconds + 1 })),
      signRaw(header, claims({ nbf: "0" })),
      signRaw(header, claims({ iat: "now" })),
      signRaw(header, JSON.stringify({ sub: "u1", role: "user" })), // no exp
      signRaw(header, JSON.stringify({ role: "user", exp: nowSeconds + 60 })), // no sub
      signRaw(header, JSON.stringify([{ sub: "u1", exp: nowSeconds + 60 }])),
      signRaw(header, "null"),
      signRaw(header, Buffer.from([0x7b, 0xff, 0x7d])), // not UTF-8
      signRaw(JSON.stringify({ alg: "HS384" }), claims({})),
      signRaw(JSON.stringify({ alg: "none" }), claims({})),
      signRaw(JSON.stringify({ alg: "HS256", crit: ["exp"], exp: 1 }), claims({})),
      signRaw(JSON.stringify({ alg: "HS256", b64: false, crit: ["b64"] }), claims({})),
      signRaw(header, claims({}), new TextEncoder().encode("not-the-secret")),
    ];
    for (const token of refusedByJose) {
      expect(await jose(token), token).to.match(/^refused: /);
      expect(fastPath.verify(token, nowMs), token).to.equal(undefined);
    }
  });

  it("leaves to jose the unusual tokens (other header members, another spelling of a signature)", () => {
    const good = signRaw(header, claims({}));
    const [h, p, s] = good.split(".");
    // The last base64url character carries two unused bits: another letter may spell the same bytes.
    const lastBits = (text: string) => text.slice(0, -1) + (text.endsWith("A") ? "B" : "A");
    const unusual = [
      signRaw(JSON.stringify({ alg: "HS256", kid: "k1" }), claims({})),
      signRaw(JSON.stringify({ alg: "HS256", typ: 1 }), claims({})),
      `${h}.${p}.${lastBits(s)}`,
    ];
    for (const token of unusual) expect(fastPath.verify(token, nowMs), token).to.equal(undefined);
  });

  it("never accepts a corrupted token jose refuses (random single-character changes)", async () => {
    const good = signRaw(header, claims({}));
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let fast = 0;
    for (let attempt = 0; attempt < 300; attempt++) {
      const at = randomBytes(2).readUInt16BE() % good.length;
      if (good[at] === ".") continue;
      const corrupted = good.slice(0, at) + alphabet[randomBytes(1)[0] % 64] + good.slice(at + 1);
      if ((await expectSameOrDeferred(corrupted)) === "fast") fast++;
    }
    // Only a change that leaves the token as it was can still pass.
    expect(fast).to.be.below(20);
  });

  it("answers through the verifier as jose did: users, and the same refusals", async () => {
    const verifier = createTokenVerifier(loadConfig({ NODE_ENV: "test", AUTH_SECRET: secretText }), {
      now: () => nowMs,
    });
    const refusal = (token: string) =>
      verifier.verify(`Bearer ${token}`).then(
        (user) => user,
        (error: { code: string; message: string }) => `${error.code}: ${error.message}`,
      );
    expect(await refusal(signRaw(header, claims({})))).to.deep.equal({ id: "u1", role: "user" });
    expect(await refusal(signRaw(header, claims({ exp: nowSeconds })))).to.equal(
      "UNAUTHENTICATED: Token expired",
    );
    expect(await refusal(signRaw(header, claims({ sub: 12 })))).to.equal(
      "UNAUTHENTICATED: Invalid token subject",
    );
    expect(await refusal(signRaw(header, claims({ role: "root" })))).to.equal(
      "UNAUTHENTICATED: Invalid token role",
    );
    expect(await refusal(signRaw(header, claims({ nbf: nowSeconds + 5 })))).to.equal(
      "UNAUTHENTICATED: Invalid token",
    );
  });
});
