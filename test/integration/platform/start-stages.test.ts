// A start that always ends (issue 16, item 8): each stage of a node's start logs itself with its
// duration, and a stage that hangs fails the start naming it: startNode rejects, and the process
// (main.ts) exits non-zero so a supervisor restarts it. Nodes run as child processes with tiny
// timeouts; a hanging stage is a migration lock held by the test, or a service that never starts.
import { expect } from "chai";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { ensureDatabase } from "../../../platform/database.ts";
import { loadConfig } from "../../../platform/config.ts";
import { startNode } from "../../../node.ts";
import { StartStageError } from "../../../platform/start-stages.ts";
import { dropDatabase, freshDatabaseUrl, uniqueName } from "../../support/system.ts";
import { startNodeProcess } from "../../support/node-process.ts";
import { freePort } from "../../support/processes.ts";
import { stuckService } from "../../support/stuck-start-node.ts";

const projectRoot = fileURLToPath(new URL("../../../", import.meta.url));
const migrationLockKey = 7_346_224_001; // platform/migrate.ts

/** Runs a node script until it exits (or `timeoutMs`, then SIGKILL): its exit code and output. */
async function runUntilExit(script: string, env: Record<string, string>, timeoutMs = 30_000) {
  const child = spawn(process.execPath, ["--import", "tsx", script], {
    cwd: projectRoot,
    env: {
      ...process.env,
      NODE_ENV: "test",
      LOG_LEVEL: "info",
      DEMO_DATA: "false",
      WORKER_POOL_SIZE: "1",
      NAMESPACE: uniqueName("ns"),
      REDIS_KEY_PREFIX: `${uniqueName("mq")}:`,
      PORT: String(await freePort()),
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk) => (output += chunk));
  child.stderr.on("data", (chunk) => (output += chunk));
  const killer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  const code = await new Promise<number | string>((resolve) =>
    child.once("exit", (exitCode, signal) => resolve(exitCode ?? signal ?? "unknown")),
  );
  clearTimeout(killer);
  return { code, output };
}

describe("the start of a node: stages with timeouts", function () {
  this.timeout(90_000);
  const databases: string[] = [];
  const database = async () => {
    const url = await freshDatabaseUrl();
    databases.push(url);
    return url;
  };
  after(async () => {
    for (const url of databases) await dropDatabase(url);
  });

  it("logs every stage of a normal start with its duration", async () => {
    const node = await startNodeProcess(
      {
        DATABASE_URL: await database(),
        LOG_LEVEL: "info",
        TRANSPORTER: "nats://127.0.0.1:4222",
        NAMESPACE: uniqueName("ns"),
      },
      60_000,
    );
    try {
      const output = node.output();
      for (const stage of [
        "database",
        "migrations",
        "transporter",
        "service api",
        "service catalog",
        "service booking",
        "service waiting-room",
        "service search",
        "service indexer",
        "actor worker 0",
      ]) {
        expect(output, stage).to.include(`start stage ${stage} ...`);
        expect(output, stage).to.match(new RegExp(`start stage ${stage} done in \\d+ ms`));
      }
    } finally {
      await node.kill("SIGTERM");
    }
  });

  it("exits non-zero naming the migrations stage when the migration lock is never free", async () => {
    const url = await database();
    await ensureDatabase(url);
    const holder = new pg.Client({ connectionString: url });
    await holder.connect();
    try {
      await holder.query("SELECT pg_advisory_lock($1)", [migrationLockKey]); // another node migrating, stuck
      const began = Date.now();
      const { code, output } = await runUntilExit("main.ts", {
        DATABASE_URL: url,
        START_MIGRATIONS_TIMEOUT_MS: "1500",
      });
      expect(code, output).to.equal(1);
      expect(output).to.include("Marquee cannot start: start stage migrations timed out after 1500 ms");
      expect(Date.now() - began).to.be.below(25_000);
    } finally {
      await holder.end();
    }
  });

  it("exits non-zero naming the service whose start never ends", async () => {
    const { code, output } = await runUntilExit("test/support/stuck-start-node.ts", {
      DATABASE_URL: await database(),
      SERVICES: "catalog,stuck",
      START_SERVICE_TIMEOUT_MS: "1500",
    });
    expect(code, output).to.equal(1);
    expect(output).to.match(/start stage service catalog done in \d+ ms/);
    expect(output).to.include("Marquee cannot start: start stage service stuck timed out after 1500 ms");
  });

  it("kills actor workers that are not ready in time, starts them again, then exits naming them", async () => {
    const { code, output } = await runUntilExit("main.ts", {
      DATABASE_URL: await database(),
      SERVICES: "booking",
      START_ACTOR_WORKER_TIMEOUT_MS: "1", // no worker loads that fast
    });
    expect(code, output).to.equal(1);
    expect(output.match(/actor worker 0 not ready after 1 ms; killing it/g)).to.have.length(3);
    expect(output).to.match(
      /Marquee cannot start: start stage service booking failed: actor worker 0 .*attempt 3 of 3/,
    );
  });

  it("refuses AUTH_DEV_TOKENS=true with NODE_ENV=production before anything starts", async () => {
    const { code, output } = await runUntilExit("main.ts", {
      DATABASE_URL: await database(),
      NODE_ENV: "production",
      AUTH_SECRET: "a-real-secret-of-a-real-deployment",
      AUTH_DEV_TOKENS: "true",
    });
    expect(code, output).to.equal(1);
    expect(output).to.match(
      /Marquee cannot start: the configuration has 1 problem:\n {2}AUTH_DEV_TOKENS: AUTH_DEV_TOKENS=true is refused with NODE_ENV=production/,
    );
  });

  it("startNode rejects with the stage named and closes what it opened", async () => {
    const port = await freePort();
    const url = await database();
    const config = loadConfig({
      NODE_ENV: "test",
      PORT: String(port),
      DATABASE_URL: url,
      NAMESPACE: uniqueName("ns"),
      REDIS_KEY_PREFIX: `${uniqueName("mq")}:`,
      SERVICES: "api,catalog,stuck",
      START_SERVICE_TIMEOUT_MS: "1000",
    });
    let failure: unknown;
    await startNode(config, { services: { stuck: stuckService } }).catch((error) => (failure = error));
    expect(failure).to.be.instanceOf(StartStageError);
    expect((failure as StartStageError).stage).to.equal("service stuck");
    expect((failure as Error).message).to.equal("start stage service stuck timed out after 1000 ms");
    // The gateway it had started listens no more, and its database connections are closed.
    const answer = await fetch(`http://127.0.0.1:${port}/health/live`).then(
      (response) => response.status,
      () => "refused",
    );
    expect(answer).to.equal("refused");
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const { rows } = await client.query(
        "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()",
      );
      expect(rows[0].n).to.equal(0);
    } finally {
      await client.end();
    }
  });
});
