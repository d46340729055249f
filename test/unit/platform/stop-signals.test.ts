// SIGTERM/SIGINT handling of a node (platform/stop-signals.ts), with signals, exit and time injected.
import { expect } from "chai";
import { EventEmitter } from "node:events";
import { handleStopSignals, type StopSignalOptions } from "../../../platform/stop-signals.ts";

function harness(stop: StopSignalOptions["stop"], timeoutMs = 1_000) {
  const signals = new EventEmitter();
  const exits: number[] = [];
  const lines: string[] = [];
  let now = 0;
  const log = (level: string) => (message: string) => lines.push(`${level} ${message}`);
  handleStopSignals({
    stop,
    logger: { info: log("info"), warn: log("warn"), error: log("error") },
    signals: signals as unknown as NodeJS.Process,
    exit: (code) => exits.push(code),
    now: () => now,
    timeoutMs,
    repeatMs: 1_000,
  });
  return {
    signal: (name: string) => signals.emit(name),
    advance: (ms: number) => (now += ms),
    exits,
    lines,
  };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe("stop signals", () => {
  it("stops once on SIGTERM and exits 0 when the stop is done", async () => {
    let stops = 0;
    const node = harness(async () => void (stops += 1));
    node.signal("SIGTERM");
    await settle();
    expect(stops).to.equal(1);
    expect(node.exits).to.deep.equal([0]);
    expect(node.lines[0]).to.match(/^info SIGTERM: stopping/);
  });

  it("ignores a repeat within the window (Ctrl-C from the terminal and from npm is one request)", async () => {
    let finish!: () => void;
    let stops = 0;
    const node = harness(() => {
      stops += 1;
      return new Promise<void>((resolve) => (finish = resolve));
    });
    node.signal("SIGINT");
    node.advance(10);
    node.signal("SIGTERM");
    await settle();
    expect(stops).to.equal(1);
    expect(node.exits).to.deep.equal([]);
    finish();
    await settle();
    expect(node.exits).to.deep.equal([0]);
  });

  it("exits 1 at once on a second signal after the window, naming the step it was in", async () => {
    const node = harness(async (phase) => {
      phase("draining the gateway");
      await new Promise(() => {}); // never done
    });
    node.signal("SIGTERM");
    node.advance(1_500);
    node.signal("SIGINT");
    expect(node.exits).to.deep.equal([1]);
    expect(node.lines.at(-1)).to.equal(
      "warn SIGINT again: exiting now, without finishing the stop (was draining the gateway)",
    );
  });

  it("exits 1 when the stop fails or outlives its timeout", async () => {
    const failing = harness(async () => {
      throw new Error("pool would not close");
    });
    failing.signal("SIGTERM");
    await settle();
    expect(failing.exits).to.deep.equal([1]);
    expect(failing.lines.at(-1)).to.include("pool would not close");

    const hanging = harness(async (phase) => {
      phase("stopping the services");
      await new Promise(() => {});
    }, 20);
    hanging.signal("SIGTERM");
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(hanging.exits).to.deep.equal([1]);
    expect(hanging.lines.at(-1)).to.equal(
      "error stop not done after 20 ms (still stopping the services): exiting",
    );
  });
});
