// Tokens from a real identity provider: verified against its JWKS (here a local key-set server).
import { expect } from "chai";
import http from "node:http";
import { SignJWT, exportJWK, generateKeyPair } from "jose";

type PrivateKey = Awaited<ReturnType<typeof generateKeyPair>>["privateKey"];
import { developmentAuthSecret } from "../../../platform/config.ts";
import { dropDatabase, startSystem, type TestSystem } from "../../support/system.ts";
import { freePort } from "../../support/processes.ts";

describe("JWT verification with AUTH_JWKS_URL", () => {
  let server: http.Server;
  let jwksUrl: string;
  let privateKey: PrivateKey;
  const systems: TestSystem[] = [];

  before(async () => {
    const pair = await generateKeyPair("RS256");
    privateKey = pair.privateKey;
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: "key-1", alg: "RS256", use: "sig" };
    server = http.createServer((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    jwksUrl = `http://127.0.0.1:${(server.address() as any).port}/jwks.json`;
  });
  after(async () => {
    await new Promise((resolve) => server.close(resolve));
    for (const system of systems) {
      await system.stop();
      await dropDatabase(system.databaseUrl);
    }
  });

  const rsaToken = (key: PrivateKey, claims: Record<string, unknown>) =>
    new SignJWT(claims).setProtectedHeader({ alg: "RS256", kid: "key-1" }).setExpirationTime("1h").sign(key);
  const createPerformer = (system: TestSystem, token: string) =>
    system.request("POST", "/admin/performers", {
      body: { name: "Via JWKS" },
      headers: { authorization: `Bearer ${token}` },
    });

  it("accepts tokens signed by the provider's key and refuses others", async () => {
    const system = await startSystem({ env: { AUTH_JWKS_URL: jwksUrl } });
    systems.push(system);
    const accepted = await createPerformer(
      system,
      await rsaToken(privateKey, { sub: "idp-admin", role: "admin" }),
    );
    expect(accepted.status).to.equal(201);

    const { privateKey: stranger } = await generateKeyPair("RS256");
    const forged = await createPerformer(
      system,
      await rsaToken(stranger, { sub: "idp-admin", role: "admin" }),
    );
    expect(forged.status).to.equal(401);
    expect(forged.body.error.code).to.equal("UNAUTHENTICATED");

    // An HS256 token made with the development secret is not a provider token.
    const symmetric = await new SignJWT({ sub: "idp-admin", role: "admin" })
      .setProtectedHeader({ alg: "HS256" })
      .setExpirationTime("1h")
      .sign(new TextEncoder().encode(developmentAuthSecret));
    expect((await createPerformer(system, symmetric)).status).to.equal(401);

    const user = await createPerformer(system, await rsaToken(privateKey, { sub: "idp-user" }));
    expect(user.status).to.equal(403); // no role claim = user
  });

  it("answers 503 UNAVAILABLE, not 401, when the key set cannot be fetched", async function () {
    this.timeout(30_000);
    const closedPort = await freePort();
    const system = await startSystem({ env: { AUTH_JWKS_URL: `http://127.0.0.1:${closedPort}/jwks.json` } });
    systems.push(system);
    const answer = await createPerformer(
      system,
      await rsaToken(privateKey, { sub: "idp-admin", role: "admin" }),
    );
    expect(answer.status).to.equal(503);
    expect(answer.body.error.code).to.equal("UNAVAILABLE");
    expect(Number(answer.headers.get("retry-after"))).to.be.at.least(1);
    expect(JSON.stringify(answer.body)).to.not.match(/127\.0\.0\.1|ECONNREFUSED/);
  });
});
