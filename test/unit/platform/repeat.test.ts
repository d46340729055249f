import { expect } from "chai";
import { repeatEvery } from "../../../platform/repeat.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("repeatEvery", () => {
  it("runs one pass at a time, carries on after a failed pass, and stops", async () => {
    let running = 0;
    let overlapped = false;
    let passes = 0;
    const errors: string[] = [];
    const loop = repeatEvery(
      async () => {
        running++;
        overlapped ||= running > 1;
        passes++;
        await sleep(15); // longer than the interval: the next pass waits for this one
        running--;
        if (passes === 2) throw new Error("pass 2 failed");
      },
      { firstDelayMs: 0, intervalMs: 5, onError: (error) => errors.push(error.message) },
    );
    for (let waited = 0; passes < 4 && waited < 5_000; waited += 5) await sleep(5);
    loop.stop();
    const stoppedAt = passes;
    await sleep(60);
    expect(overlapped).to.equal(false);
    expect(errors).to.deep.equal(["pass 2 failed"]);
    expect(passes).to.be.at.least(4);
    expect(passes, "passes after stop").to.equal(stoppedAt);
  });
});
