// The production build run as the image runs it: `npm run build`'s output started with
// `node --enable-source-maps dist/main.js`, NODE_ENV=production, beside a node_modules that holds the
// production dependencies only (links into the project's), so neither tsx nor any other dev package
// can be loaded: a reserve and a confirm through HTTP run in the compiled actor worker.
import { expect } from "chai";
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { cp, mkdir, mkdtemp, readFile, rm, symlink } from "node:fs/promises";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "../../scripts/build.ts";
import { loadConfig } from "../../platform/config.ts";
import { createTokenVerifier } from "../../gateway/auth.ts";
import { createEventFixture } from "../support/catalog.ts";
import {
  createHttpClient,
  dropDatabase,
  freshDatabaseUrl,
  uniqueName,
  type HttpClient,
} from "../support/system.ts";
import { freePort } from "../support/processes.ts";

const projectRoot = fileURLToPath(new URL("../../", import.meta.url));

/** A directory laid out like the image: dist/, package.json and the production node_modules. */
async function productionLayout(directory: string): Promise<void> {
  // Type errors are `npm run typecheck`'s to report; this test is about running the output.
  await build(path.join(directory, "dist"), { typeCheck: false });
  await cp(path.join(projectRoot, "package.json"), path.join(directory, "package.json"));
  const manifest = JSON.parse(await readFile(path.join(projectRoot, "package.json"), "utf8"));
  for (const name of Object.keys(manifest.dependencies)) {
    const link = path.join(directory, "node_modules", name);
    await mkdir(path.dirname(link), { recursive: true });
    await symlink(path.join(projectRoot, "node_modules", name), link, "dir");
  }
}

function run(args: string[], cwd: string): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(process.execPath, args, { cwd, timeout: 10_000 }, (error, stdout, stderr) =>
      error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout + stderr),
    ),
  );
}

describe("the compiled start (npm run build, then node dist/main.js)", function () {
  this.timeout(90_000);
  let directory: string;
  let databaseUrl: string | undefined;
  let child: ChildProcess | undefined;
  let output = "";

  before(async () => {
    directory = await mkdtemp(path.join(os.tmpdir(), "marquee-compiled-"));
    await productionLayout(directory);
  });

  after(async () => {
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child!.once("exit", resolve));
      child.kill("SIGKILL");
      await exited;
    }
    if (databaseUrl) await dropDatabase(databaseUrl);
    await rm(directory, { recursive: true, force: true });
  });

  it("has no TypeScript and no tsx: the build is plain JavaScript with source maps", async () => {
    const dist = path.join(directory, "dist");
    const fromDist = createRequire(path.join(dist, "main.js"));
    expect(() => fromDist.resolve("tsx"), "tsx must not be resolvable here").to.throw(/Cannot find module/);
    expect(() => fromDist.resolve("pg")).to.not.throw();
    const worker = await readFile(path.join(dist, "actors/booking/actor-pool.js"), "utf8");
    expect(worker).to.not.match(/from "\.[^"]*\.ts"/);
    expect(await readFile(path.join(dist, "main.js.map"), "utf8")).to.include("main.ts");
    // With --enable-source-maps a stack trace names the TypeScript file and line; without, the .js.
    const script = `import { statusCodesOfCompact } from "./dist/domain/compact-statuses.js";
      try { statusCodesOfCompact("?"); } catch (error) { console.log(error.stack); }`;
    const mapped = await run(["--enable-source-maps", "--input-type=module", "-e", script], directory);
    expect(mapped).to.match(/domain\/compact-statuses\.ts:\d+/);
    const unmapped = await run(["--input-type=module", "-e", script], directory);
    expect(unmapped).to.match(/domain\/compact-statuses\.js:\d+/);
  });

  it("serves with NODE_ENV=production: ready, the web UI, a reserve and a confirm in compiled workers", async () => {
    databaseUrl = await freshDatabaseUrl();
    const port = await freePort();
    const env = {
      NODE_ENV: "production",
      AUTH_SECRET: randomBytes(32).toString("hex"),
      DATABASE_URL: databaseUrl,
      PORT: String(port),
      REDIS_KEY_PREFIX: `${uniqueName("mq")}:`,
      NAMESPACE: uniqueName("ns"),
      WORKER_POOL_SIZE: "2",
      LOG_LEVEL: "info",
      DEMO_DATA: "false",
      RATE_LIMIT_PER_WINDOW: "100000",
    };
    // The environment of this process is left out (a NODE_OPTIONS=--import=tsx would hide a loader).
    child = spawn(process.execPath, ["--enable-source-maps", "dist/main.js"], {
      cwd: directory,
      env: { PATH: process.env.PATH ?? "", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout!.on("data", (chunk) => (output += chunk));
    child.stderr!.on("data", (chunk) => (output += chunk));
    const baseUrl = `http://127.0.0.1:${port}`;
    const startedAt = Date.now();
    await waitReady(baseUrl, child, () => output);
    console.log(`      compiled node ready in ${Date.now() - startedAt} ms`);
    expect(output).to.match(/start stage actor worker 1 done in \d+ ms/);

    const page = await fetch(`${baseUrl}/`);
    expect(page.status).to.equal(200);
    const script = /src="(\/assets\/app-[^"]+\.js)"/.exec(await page.text())![1];
    expect((await fetch(baseUrl + script)).status).to.equal(200);
    // Dev tokens are off in production: tokens are signed with AUTH_SECRET, as an identity provider would.
    const system = signingClient(baseUrl, env);
    const devToken = await system.request("POST", "/auth/token", { body: { userId: "me" } });
    expect(devToken.status).to.equal(404);
    const event = await createEventFixture(system, { seats: 4 });
    const user = await system.token("compiled-user");
    const held = await system.request("POST", "/booking/reserve", {
      token: user,
      body: { ticketIds: event.ticketIds.slice(0, 2) },
    });
    expect(held.status, JSON.stringify(held.body)).to.equal(200);
    const booking = await system.request("POST", "/booking/confirm", {
      token: user,
      body: { ticketId: event.ticketIds[0], paymentDetails: { token: "tok_ok" } },
      headers: { "idempotency-key": "compiled-start-0001" },
    });
    expect(booking.status, JSON.stringify(booking.body)).to.equal(201);

    const exited = new Promise<number | null>((resolve) => child!.once("exit", (code) => resolve(code)));
    child.kill("SIGTERM");
    expect(await exited, output.slice(-3000)).to.equal(0);
  });
});

/** HTTP to the node, with tokens signed by the node's AUTH_SECRET (the dev issuer is off). */
function signingClient(baseUrl: string, env: Record<string, string>): HttpClient {
  const tokens = createTokenVerifier(loadConfig(env));
  return {
    request: createHttpClient(baseUrl).request,
    token: (id, role = "user") => tokens.issue({ id, role }, 600),
  };
}

async function waitReady(baseUrl: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`node exited ${child.exitCode}:\n${output()}`);
    const status = await fetch(`${baseUrl}/health/ready`, { signal: AbortSignal.timeout(2_000) }).then(
      (response) => response.status,
      () => 0,
    );
    if (status === 200) return;
    if (Date.now() > deadline) throw new Error(`not ready after 30 s:\n${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
