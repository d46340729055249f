import { expect } from "chai";
import { mkdtemp, rm } from "node:fs/promises";
import { request as httpRequest } from "node:http";
import os from "node:os";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { startSystem, dropDatabase, type TestSystem } from "../../support/system.ts";
import { ensureWebBuilt } from "../../support/browser.ts";
import { buildWeb, type WebBuild } from "../../../gateway/web/build.ts";
import { createWebSite } from "../../../gateway/web/site.ts";

/** A raw GET, so paths like /assets/../x reach the server unnormalised (fetch would resolve them). */
function rawGet(baseUrl: string, rawPath: string, headers: Record<string, string> = {}) {
  const url = new URL(baseUrl);
  return new Promise<{ status: number; headers: Record<string, any>; body: Buffer }>((resolve, reject) => {
    const req = httpRequest(
      { host: url.hostname, port: url.port, path: rawPath, method: "GET", headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk) => chunks.push(chunk));
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
      },
    );
    req.on("error", reject);
    req.end();
  });
}

describe("gateway serves the web UI", () => {
  let system: TestSystem;
  let build: WebBuild;
  before(async () => {
    build = (await ensureWebBuilt()) as WebBuild;
    system = await startSystem();
  });
  after(async () => {
    await system.stop();
    await dropDatabase(system.databaseUrl);
  });

  it("serves the page at / with revalidation and a strict content security policy", async () => {
    const answer = await fetch(`${system.baseUrl}/`);
    expect(answer.status).to.equal(200);
    expect(answer.headers.get("content-type")).to.equal("text/html; charset=utf-8");
    expect(answer.headers.get("cache-control")).to.equal("no-cache");
    expect(answer.headers.get("content-security-policy")).to.contain("script-src 'self'");
    expect(answer.headers.get("x-content-type-options")).to.equal("nosniff");
    const html = await answer.text();
    expect(html).to.contain(build.scriptPath).and.contain(build.stylePath).and.contain('<div id="app">');
  });

  it("serves hashed assets as immutable with their content types, gzip and 304s", async () => {
    const script = await fetch(`${system.baseUrl}${build.scriptPath}`);
    expect(script.status).to.equal(200);
    expect(script.headers.get("content-type")).to.equal("text/javascript; charset=utf-8");
    expect(script.headers.get("cache-control")).to.equal("public, max-age=31536000, immutable");
    expect((await script.text()).length).to.be.greaterThan(1000);
    const style = await fetch(`${system.baseUrl}${build.stylePath}`);
    expect(style.headers.get("content-type")).to.equal("text/css; charset=utf-8");

    const zipped = await rawGet(system.baseUrl, build.scriptPath, { "accept-encoding": "gzip" });
    expect(zipped.headers["content-encoding"]).to.equal("gzip");
    expect(gunzipSync(zipped.body).toString()).to.contain("socket.io");
    const again = await rawGet(system.baseUrl, build.scriptPath, { "if-none-match": zipped.headers.etag });
    expect(again.status).to.equal(304);
    expect(again.body.length).to.equal(0);

    const head = await fetch(`${system.baseUrl}${build.scriptPath}`, { method: "HEAD" });
    expect(head.status).to.equal(200);
    expect(await head.text()).to.equal("");
  });

  it("refuses every path outside the build folder with a contract 404", async () => {
    for (const attempt of [
      "/assets/../package.json",
      "/assets/..%2fpackage.json",
      "/assets/%2e%2e%2fpackage.json",
      "/assets/..",
      "/assets/",
      "/assets/.env",
      "/assets/sub/app.js",
      "/assets/..\\package.json",
      "/assets/app.js%00.png",
      "/assets/missing-ABCDEFGH.js",
      "/index.html/../package.json",
    ]) {
      const answer = await rawGet(system.baseUrl, attempt);
      expect(answer.status, attempt).to.be.oneOf([400, 404]);
      const body = JSON.parse(answer.body.toString());
      expect(body.error.code, attempt).to.be.oneOf(["NOT_FOUND", "VALIDATION_ERROR"]);
      expect(answer.body.toString()).not.to.contain('"name": "marquee"');
    }
  });

  it("leaves the API routes alone", async () => {
    const answer = await system.request("POST", "/auth/token", { body: { userId: "u1" } });
    expect(answer.status).to.equal(200);
    expect((await system.request("POST", "/")).status).to.equal(404);
  });

  it("answers 503 naming the build command when the UI was not built", async () => {
    const empty = await mkdtemp(path.join(os.tmpdir(), "marquee-web-"));
    try {
      const site = createWebSite(empty);
      const error = await site.handle({ method: "GET", url: "/", headers: {} } as any, {} as any).then(
        () => null,
        (caught) => caught,
      );
      expect(error?.code).to.equal("UNAVAILABLE");
      expect(error?.message).to.contain("npm run build:web");
      expect(await site.handle({ method: "GET", url: "/events/x", headers: {} } as any, {} as any)).to.equal(
        false,
      );
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });

  it("builds into any folder, with content-hashed names", async () => {
    const folder = await mkdtemp(path.join(os.tmpdir(), "marquee-web-"));
    try {
      const other = await buildWeb(folder);
      expect(other.scriptPath).to.match(/^\/assets\/app-[A-Z0-9]{8}\.js$/);
      expect(other.stylePath).to.match(/^\/assets\/app-[A-Z0-9]{8}\.css$/);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });
});
