// Clean stop (issue 17): SIGTERM to `npm start` (the npm process, as `kill -TERM <pid>` of an operator
// or a supervisor sends it) drains and stops every process of it within 10 s with exit code 0; a
// slow confirm already in flight gets its normal answer, the port is free afterwards.
import { expect } from "chai";
import { dropDatabase, freshDatabaseUrl, uniqueName } from "../support/system.ts";
import { freePort } from "../support/processes.ts";
import {
  portIsFree,
  slowConfirm,
  startGroup,
  waitForOutput,
  waitGone,
  type ProcessGroup,
} from "../support/stopping.ts";

describe("stopping npm start", function () {
  this.timeout(60_000);
  let group: ProcessGroup | undefined;
  let databaseUrl: string | undefined;

  after(async () => {
    group?.killAll();
    if (databaseUrl) await dropDatabase(databaseUrl);
  });

  it("SIGTERM to npm: the confirm in flight is answered, every process is gone within 10 s, exit 0", async () => {
    databaseUrl = await freshDatabaseUrl();
    const port = await freePort();
    group = startGroup(["start", "--silent"], {
      DATABASE_URL: databaseUrl,
      PORT: String(port),
      REDIS_KEY_PREFIX: `${uniqueName("mq")}:`,
      NAMESPACE: uniqueName("ns"),
      DEMO_DATA: "false",
      WORKER_POOL_SIZE: "1",
      LOG_LEVEL: "info",
      NODE_ENV: "",
    });
    await waitForOutput(group, /dev admin token/, 40_000);
    const baseUrl = `http://127.0.0.1:${port}`;
    const { answer } = await slowConfirm(baseUrl);

    const signalledAt = Date.now();
    process.kill(group.child.pid!, "SIGTERM"); // npm only, not its group: npm forwards it
    const confirmed = await answer;
    expect(confirmed.status, JSON.stringify(confirmed.body)).to.equal(201);
    expect(confirmed.body.booking.status).to.equal("confirmed");

    const goneAfterMs = await waitGone(group, 10_000);
    expect(Date.now() - signalledAt, group.output().slice(-3000)).to.be.below(10_000);
    expect(goneAfterMs).to.be.below(10_000);
    expect(await group.exited).to.equal(0);
    expect(await portIsFree(port)).to.equal(true);
    const output = group.output();
    expect(output).to.include("SIGTERM: stopping");
    expect(output).to.match(/stopped in \d+ ms/);
    expect(output).to.not.include("Unable to stop all services");
    expect(output).to.not.match(/request\(s\) still running/);
    console.log(`      npm start stopped ${Date.now() - signalledAt} ms after SIGTERM`);
  });
});
