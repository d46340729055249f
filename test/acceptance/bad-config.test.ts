// A node with bad settings (issue 17): exits 1 at once, listing every problem with its variable,
// without a stack trace; an unreachable database is one line naming DATABASE_URL. `npm run cluster`
// checks the same settings once before it starts any node.
import { expect } from "chai";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { uniqueName } from "../support/system.ts";

const projectRoot = fileURLToPath(new URL("../../", import.meta.url));

async function run(
  script: string,
  env: Record<string, string>,
): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", script], {
    cwd: projectRoot,
    env: { ...process.env, NODE_ENV: "test", NAMESPACE: uniqueName("ns"), ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (chunk) => (output += chunk));
  child.stderr!.on("data", (chunk) => (output += chunk));
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  return { code, output };
}

const stackLine = /^\s+at /m;

describe("bad configuration", function () {
  this.timeout(30_000);

  it("lists every problem at once, each naming its variable, and exits 1 without a stack", async () => {
    const { code, output } = await run("main.ts", {
      PORT: "abc",
      SERVICES: "api,nope",
      HOLD_TTL_SECONDS: "-5",
      LOG_FORMAT: "fancy",
    });
    expect(code).to.equal(1);
    expect(output).to.include("Marquee cannot start: the configuration has 4 problems:");
    expect(output).to.include('PORT: must be an integer from 0 to 65535 (got "abc")');
    expect(output).to.match(/SERVICES: unknown service "nope" \(known: all, api, catalog, booking/);
    expect(output).to.include("HOLD_TTL_SECONDS: must be an integer >= 1");
    expect(output).to.include("LOG_FORMAT: must be one of pretty, json");
    expect(output).to.not.match(stackLine);
  });

  it("names DATABASE_URL (without its password) when the database cannot be reached", async () => {
    const { code, output } = await run("main.ts", {
      DATABASE_URL: "postgres://postgres:secret@127.0.0.1:1/marquee",
      START_DATABASE_TIMEOUT_MS: "5000",
      LOG_FORMAT: "json",
    });
    expect(code).to.equal(1);
    const line = output.split("\n").find((text) => text.startsWith("Marquee cannot start:"));
    expect(line).to.match(
      /start stage database failed: .*ECONNREFUSED.*\(DATABASE_URL=postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:1\/marquee\)/,
    );
    expect(output).to.not.include("secret");
    expect(output).to.not.match(stackLine);
  });

  it("npm run cluster checks the settings once and starts no node", async () => {
    const { code, output } = await run("loadtest/cluster.ts", {
      PORT: "99999",
      NAMESPACE: "no spaces allowed",
    });
    expect(code).to.equal(1);
    expect(output).to.include("cluster: cannot start: the configuration has 2 problems:");
    expect(output).to.include("PORT: must be an integer from 0 to 65535");
    expect(output).to.include("NAMESPACE: must be 1 to 100 letters");
    expect(output).to.not.match(stackLine);
  });
});
