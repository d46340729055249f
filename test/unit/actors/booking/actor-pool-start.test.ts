// The actor pool's start (issue 16, item 8): a worker that never says "ready" is killed and started
// again, within a bounded number of attempts; after the start, a restarted worker that gets stuck is
// killed and respawned too. Workers are injected (startWorker) as tiny scripts.
import { expect } from "chai";
import { Worker } from "node:worker_threads";
import { ActorPool } from "../../../../actors/booking/actor-pool.ts";
import { actorWorkerStartAttemptsMax } from "../../../../domain/limits.ts";
import { systemClock } from "../../../../domain/clock.ts";

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** A worker script: answers "stop"; says "ready" when `ready`; exits by itself after `exitAfterMs`. */
const fakeWorker = (behaviour: { ready: boolean; exitAfterMs?: number }) =>
  new Worker(
    `const { parentPort } = require("node:worker_threads");
     parentPort.on("message", (message) => {
       if (message.type === "stop") parentPort.postMessage({ type: "stopped" });
     });
     ${behaviour.ready ? `parentPort.postMessage({ type: "ready" });` : ""}
     ${behaviour.exitAfterMs !== undefined ? `setTimeout(() => process.exit(3), ${behaviour.exitAfterMs});` : ""}`,
    { eval: true },
  );

function poolWith(behaviours: Array<{ ready: boolean; exitAfterMs?: number }>, readyTimeoutMs = 300) {
  const logs: string[] = [];
  const started: Worker[] = [];
  const exitCodes: number[] = [];
  const pool = new ActorPool({
    size: 1,
    clock: systemClock,
    worker: { databaseUrl: "postgres://unused", owner: "test", holdTtlMs: 60_000 },
    onSeatsChanged: () => {},
    onHoldsEnded: () => {},
    onCommit: () => {},
    log: (level, message) => logs.push(`${level}: ${message}`),
    readyTimeoutMs,
    startWorker: () => {
      const worker = fakeWorker(behaviours[Math.min(started.length, behaviours.length - 1)]);
      started.push(worker);
      worker.once("exit", (code) => exitCodes.push(code));
      return worker;
    },
  });
  return { pool, logs, started, exitCodes };
}

describe("actor pool: the start of its workers", function () {
  this.timeout(20_000);

  it("kills a worker that does not say ready in time and starts another", async () => {
    const { pool, logs, started, exitCodes } = poolWith([{ ready: false }, { ready: true }]);
    const began = Date.now();
    await pool.start();
    try {
      expect(started).to.have.length(2);
      expect(exitCodes).to.deep.equal([1]); // the first one, terminated
      expect(Date.now() - began).to.be.at.least(300);
      expect(pool.ready).to.equal(true);
      expect(logs).to.include("error: actor worker 0 not ready after 300 ms; killing it");
      const matching = (pattern: RegExp) => logs.filter((line) => pattern.test(line)).length;
      expect(matching(/^info: start stage actor worker 0 \.\.\. \(timeout 300 ms\)$/)).to.equal(1);
      expect(matching(/^info: start stage actor worker 0 \.\.\. \(attempt 2\) \(timeout 300 ms\)$/)).to.equal(
        1,
      );
      expect(matching(/^info: start stage actor worker 0 done in \d+ ms$/)).to.equal(1);
    } finally {
      await pool.stop();
    }
  });

  it("fails the start after the last attempt, naming the worker", async () => {
    const { pool, started, exitCodes } = poolWith([{ ready: false }], 150);
    let failure: Error | undefined;
    await pool.start().catch((error: Error) => (failure = error));
    expect(failure?.message).to.match(
      new RegExp(`actor worker 0 .*attempt ${actorWorkerStartAttemptsMax} of ${actorWorkerStartAttemptsMax}`),
    );
    expect(started).to.have.length(actorWorkerStartAttemptsMax);
    await until(() => exitCodes.length === started.length); // none left running
  });

  it("kills a restarted worker that gets stuck before ready, and respawns it", async () => {
    // Ready, then dies; its restart never gets ready (killed); the next one serves.
    const { pool, logs, started, exitCodes } = poolWith([
      { ready: true, exitAfterMs: 100 },
      { ready: false },
      { ready: true },
    ]);
    await pool.start();
    try {
      await until(() => started.length === 3 && pool.ready);
      expect(exitCodes).to.deep.equal([3, 1]); // died by itself, then killed
      expect(logs).to.include("error: actor worker 0 not ready after 300 ms; killing it");
    } finally {
      await pool.stop();
    }
  });
});
