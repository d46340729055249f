// The keyed batcher of the line (actors/waiting-room/batcher.ts): one call per key in flight, so calls
// run in arrival order even when the first one is slow (a script sent again after NOSCRIPT, a cluster
// redirect), full batches at once, a bound on what waits, a failed call failing its batch alone.
import { expect } from "chai";
import { KeyedBatcher } from "../../../../actors/waiting-room/batcher.ts";

/** A `run` that records its calls and answers each when told (items doubled). */
function controlledRun() {
  const calls: { key: string; items: number[]; answer(): void; fail(error: Error): void }[] = [];
  let inFlight = 0;
  let mostInFlight = 0;
  const run = (key: string, items: number[]) =>
    new Promise<number[]>((resolve, reject) => {
      inFlight++;
      mostInFlight = Math.max(mostInFlight, inFlight);
      const done = () => inFlight--;
      calls.push({
        key,
        items,
        answer: () => (done(), resolve(items.map((item) => item * 2))),
        fail: (error) => (done(), reject(error)),
      });
    });
  return { calls, run, mostInFlight: () => mostInFlight };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe("waiting room: the keyed batcher", () => {
  it("sends a full batch at once and a partial one after the turn, one call in flight per key", async () => {
    const { calls, run, mostInFlight } = controlledRun();
    const batcher = new KeyedBatcher(run, 3, 100);
    const answers = Array.from({ length: 7 }, (_, item) => batcher.submit("ev", item));
    expect(calls.map((call) => call.items)).to.deep.equal([[0, 1, 2]]); // full: sent before the turn ends
    await turn();
    expect(calls).to.have.length(1); // the others wait for it
    calls[0].answer();
    await turn();
    expect(calls.map((call) => call.items)).to.deep.equal([
      [0, 1, 2],
      [3, 4, 5],
    ]);
    calls[1].answer();
    await turn();
    calls[2].answer();
    expect(await Promise.all(answers)).to.deep.equal([0, 2, 4, 6, 8, 10, 12]);
    expect(calls.map((call) => call.items)).to.deep.equal([[0, 1, 2], [3, 4, 5], [6]]);
    expect(mostInFlight()).to.equal(1);
  });

  it("what arrives while a call is in flight joins the next batch, in arrival order", async () => {
    const { calls, run } = controlledRun();
    const batcher = new KeyedBatcher(run, 10, 100);
    const first = batcher.submit("ev", 1);
    await turn();
    const later = [batcher.submit("ev", 2), batcher.submit("ev", 3)];
    await turn();
    const last = batcher.submit("ev", 4);
    expect(calls.map((call) => call.items)).to.deep.equal([[1]]);
    calls[0].answer();
    expect(await first).to.equal(2);
    await turn();
    expect(calls.map((call) => call.items)).to.deep.equal([[1], [2, 3, 4]]);
    calls[1].answer();
    expect(await Promise.all([...later, last])).to.deep.equal([4, 6, 8]);
  });

  it("runs different keys side by side", async () => {
    const { calls, run, mostInFlight } = controlledRun();
    const batcher = new KeyedBatcher(run, 10, 100);
    const answers = [batcher.submit("a", 1), batcher.submit("b", 2)];
    await turn();
    expect(calls.map((call) => call.key)).to.deep.equal(["a", "b"]);
    expect(mostInFlight()).to.equal(2);
    calls.forEach((call) => call.answer());
    expect(await Promise.all(answers)).to.deep.equal([2, 4]);
  });

  it("refuses beyond queuedMax with OVERLOADED, and queues nothing for it", async () => {
    const { calls, run } = controlledRun();
    const batcher = new KeyedBatcher(run, 2, 4);
    const inFlight = [batcher.submit("ev", 0), batcher.submit("ev", 1)]; // sent: no longer queued
    const queued = [2, 3, 4, 5].map((item) => batcher.submit("ev", item));
    const refused = await batcher.submit("ev", 6).then(
      () => null,
      (error: { code?: string }) => error.code,
    );
    expect(refused).to.equal("OVERLOADED");
    calls[0].answer();
    await turn();
    calls[1].answer();
    await turn();
    calls[2].answer();
    expect(await Promise.all([...inFlight, ...queued])).to.deep.equal([0, 2, 4, 6, 8, 10]);
    expect(calls.flatMap((call) => call.items)).to.deep.equal([0, 1, 2, 3, 4, 5]);
  });

  it("a failed call fails its own batch only; the next one runs", async () => {
    const { calls, run } = controlledRun();
    const batcher = new KeyedBatcher(run, 1, 100);
    const first = batcher.submit("ev", 1).catch((error: Error) => error.message);
    const second = batcher.submit("ev", 2);
    calls[0].fail(new Error("redis went away"));
    expect(await first).to.equal("redis went away");
    await turn();
    calls[1].answer();
    expect(await second).to.equal(4);
  });

  it("refuses settings that could not work", () => {
    const run = async (_key: string, items: number[]) => items;
    expect(() => new KeyedBatcher(run, 0, 10)).to.throw("batchMax");
    expect(() => new KeyedBatcher(run, 10, 5)).to.throw("queuedMax");
  });
});
