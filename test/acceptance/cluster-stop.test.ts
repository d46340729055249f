// `npm run cluster` (issue 17): honours PORT and NAMESPACE, stops every node cleanly on SIGTERM (a
// slow confirm in flight answered, exit 0, all gone within 10 s), says when a node dies, and on
// Ctrl-C (SIGINT to the whole terminal group) names the node that did not stop cleanly.
import { expect } from "chai";
import { dropDatabase, freshDatabaseUrl, uniqueName } from "../support/system.ts";
import { freePortRun } from "../support/processes.ts";
import {
  portIsFree,
  slowConfirm,
  startGroup,
  waitForOutput,
  waitGone,
  type ProcessGroup,
} from "../support/stopping.ts";

describe("stopping npm run cluster", function () {
  this.timeout(60_000);
  let group: ProcessGroup | undefined;
  const databases: string[] = [];

  afterEach(() => group?.killAll());
  after(async () => {
    for (const databaseUrl of databases) await dropDatabase(databaseUrl);
  });

  async function startCluster(): Promise<{ port: number; namespace: string; pids: Map<string, number> }> {
    const databaseUrl = await freshDatabaseUrl();
    databases.push(databaseUrl);
    // The gateway's port and the next three: the other nodes' HEALTH_PORTs.
    const port = await freePortRun(4);
    const namespace = uniqueName("ns");
    group = startGroup(["run", "cluster", "--silent"], {
      DATABASE_URL: databaseUrl,
      PORT: String(port),
      NAMESPACE: namespace,
      REDIS_KEY_PREFIX: `${uniqueName("mq")}:`,
      DEMO_DATA: "false",
      WORKER_POOL_SIZE: "1",
      LOG_LEVEL: "warn",
      NODE_ENV: "",
    });
    await waitForOutput(group, /cluster: up: .*\n/, 45_000);
    const up = /cluster: up: (.*) at (http:\S+)/.exec(group.output())!;
    expect(up[2]).to.equal(`http://127.0.0.1:${port}`);
    const pids = new Map(
      [...up[1].matchAll(/([\w-]+)\[[^\]]*\] pid (\d+)/g)].map((m) => [m[1], Number(m[2])]),
    );
    expect([...pids.keys()]).to.have.members(["gateway", "actor-1", "actor-2", "indexer"]);
    return { port, namespace, pids };
  }

  it("SIGTERM: the confirm in flight is answered, every node stops within 10 s, exit 0", async () => {
    const { port, namespace } = await startCluster();
    const ready = await fetch(`http://127.0.0.1:${port}/health/ready`);
    expect(ready.status).to.equal(200);
    // NAMESPACE honoured: the nodes' metrics carry it.
    expect(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()).to.include(
      `namespace="${namespace}"`,
    );
    const { answer } = await slowConfirm(`http://127.0.0.1:${port}`);

    const signalledAt = Date.now();
    process.kill(group!.child.pid!, "SIGTERM");
    const confirmed = await answer;
    expect(confirmed.status, JSON.stringify(confirmed.body)).to.equal(201);
    expect(await waitGone(group!, 10_000), group!.output().slice(-3000)).to.be.below(10_000);
    expect(Date.now() - signalledAt).to.be.below(10_000);
    expect(await group!.exited, group!.output().slice(-3000)).to.equal(0);
    expect(await portIsFree(port)).to.equal(true);
    const output = group!.output();
    expect(output).to.include("cluster: every node stopped cleanly: gateway, actor-1, actor-2, indexer");
    expect(output).to.not.include("Unable to stop all services");
    expect(output).to.not.include("died");
  });

  it("says when a node dies, and names it when Ctrl-C stops the rest (exit 1)", async () => {
    const { port, pids } = await startCluster();
    process.kill(pids.get("indexer")!, "SIGKILL");
    await waitForOutput(group!, /node indexer died \(signal SIGKILL\); the other nodes keep running/, 5_000);
    expect((await fetch(`http://127.0.0.1:${port}/health/live`)).status).to.equal(200);

    const signalledAt = Date.now();
    process.kill(-group!.child.pid!, "SIGINT"); // the terminal's Ctrl-C: npm, the launcher and every node
    expect(await waitGone(group!, 10_000), group!.output().slice(-3000)).to.be.below(10_000);
    expect(Date.now() - signalledAt).to.be.below(10_000);
    expect(await group!.exited).to.equal(1);
    expect(group!.output()).to.include("not stopped cleanly: indexer (signal SIGKILL)");
    expect(group!.output()).to.not.match(/again: exiting now/); // one Ctrl-C, delivered twice, is one stop
    expect(await portIsFree(port)).to.equal(true);
  });
});
