// `npm start` on an empty database: the node comes up, seeds the demo catalog and logs its URL and
// ready-made tokens that work.
import { expect } from "chai";
import { spawn, type ChildProcess } from "node:child_process";
import pg from "pg";
import { dropDatabase, freshDatabaseUrl, uniqueName } from "../support/system.ts";
import { freePort } from "../support/processes.ts";

describe("npm start", function () {
  this.timeout(120_000);
  let child: ChildProcess | undefined;
  let databaseUrl: string;
  let output = "";

  after(async () => {
    if (child?.pid !== undefined && child.exitCode === null) {
      const exited = new Promise((resolve) => child!.once("exit", resolve));
      process.kill(-child.pid, "SIGTERM"); // the process group we started: npm, tsx, node
      await exited;
    }
    if (databaseUrl) await dropDatabase(databaseUrl);
  });

  it("serves the demo catalog on PORT and logs a working user and admin token", async () => {
    databaseUrl = await freshDatabaseUrl();
    const port = await freePort();
    child = spawn("npm", ["start", "--silent"], {
      env: {
        ...process.env,
        DATABASE_URL: databaseUrl,
        PORT: String(port),
        REDIS_KEY_PREFIX: `${uniqueName("mq")}:`,
        NAMESPACE: uniqueName("ns"),
        LOG_LEVEL: "info",
        DEMO_DATA: "",
        NODE_ENV: "",
      },
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout!.on("data", (chunk) => (output += chunk));
    child.stderr!.on("data", (chunk) => (output += chunk));
    const startedAt = Date.now();
    while (!/dev admin token:\s+\S+/.test(output)) {
      if (child.exitCode !== null)
        throw new Error(`npm start exited ${child.exitCode}:\n${output.slice(-3000)}`);
      if (Date.now() - startedAt > 100_000) throw new Error(`no tokens logged:\n${output.slice(-3000)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    console.log(`      npm start: ready with demo data in ${Date.now() - startedAt} ms`);
    // Every stage of the start says when it began and how long it took (issue 16).
    for (const stage of [
      "database",
      "migrations",
      "service api",
      "service booking",
      "actor worker 0",
      "demo seed",
    ])
      expect(output, stage).to.match(new RegExp(`start stage ${stage} done in \\d+ ms`));
    const url = /serving on (http:\/\/\S+?) /.exec(output)![1];
    expect(url).to.equal(`http://127.0.0.1:${port}`);
    const userToken = /dev user token:\s+([\w.-]+)/.exec(output)![1];
    const adminToken = /dev admin token:\s+([\w.-]+)/.exec(output)![1];
    const headlineId = /stadium show is (ev_\w+)/.exec(output)![1];

    const ready = await fetch(`${url}/health/ready`);
    expect(ready.status).to.equal(200);
    const headline = (await (await fetch(`${url}/events/${headlineId}`)).json()) as any;
    expect(headline.event.ticketCount).to.equal(50_000);
    expect(headline.venue).to.include({ name: "Wembley Stadium", city: "London" });

    const created = await fetch(`${url}/admin/performers`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${adminToken}` },
      body: JSON.stringify({ name: "Made With The Logged Admin Token" }),
    });
    expect(created.status).to.equal(201);
    const forbidden = await fetch(`${url}/admin/performers`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${userToken}` },
      body: JSON.stringify({ name: "Not Allowed" }),
    });
    expect(forbidden.status).to.equal(403);

    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      const { rows } = await client.query(
        `SELECT (SELECT count(*) FROM venues)::int AS venues, (SELECT count(*) FROM events)::int AS events,
                (SELECT count(DISTINCT type) FROM events)::int AS types`,
      );
      expect(rows[0].venues).to.be.at.least(24);
      expect(rows[0].events).to.be.at.least(200);
      expect(rows[0].types).to.be.at.least(5);
    } finally {
      await client.end();
    }
  });
});
