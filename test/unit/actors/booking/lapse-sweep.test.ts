// The hold lapse sweep's passes (actors/booking/lapse-sweep.ts) over a fake database: what it asks,
// which events it sends `expire` to, and how passes follow one another. Its statement runs against
// PostgreSQL in test/integration/booking/orphaned-lapses.test.ts.
import { expect } from "chai";
import { startLapseSweep, type LapseSweep } from "../../../../actors/booking/lapse-sweep.ts";
import { ManualClock } from "../../../../domain/clock.ts";
import { holdLapseSweep } from "../../../../domain/limits.ts";
import type { Database } from "../../../../platform/database.ts";

async function until(condition: () => boolean, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

interface Harness {
  sweep: LapseSweep;
  queries: unknown[][];
  expired: string[];
  logs: string[];
  ring: string[];
  /** Each query answers the next page (then none); a page of `Error` fails the query. */
  pages: Array<string[] | Error>;
  /** Holds each query until released (to catch a pass in the middle). */
  gate: { wait: Promise<void> | null };
}

function harness(ownedHere: (eventId: string) => boolean = () => true, ringSettleMs = 0): Harness {
  const h = {
    queries: [],
    expired: [],
    logs: [],
    ring: ["node-a", "node-b"],
    pages: [],
    gate: { wait: null },
  } as Omit<Harness, "sweep">;
  const db = {
    async query(_text: string, values: unknown[]) {
      h.queries.push(values);
      if (h.gate.wait) await h.gate.wait;
      const page = h.pages.shift() ?? [];
      if (page instanceof Error) throw page;
      return { rows: page.map((eventId) => ({ event_id: eventId })) };
    },
  } as unknown as Database;
  const sweep = startLapseSweep({
    db,
    clock: new ManualClock(1_000_000),
    self: "node-a",
    ringNodes: () => h.ring,
    ownedHere,
    expire: async (eventId) => {
      h.expired.push(eventId);
      if (eventId.startsWith("fail")) throw new Error("no");
    },
    log: (level, message) => h.logs.push(`${level}: ${message}`),
    ringSettleMs,
  });
  return Object.assign(h, { sweep });
}

describe("hold lapse sweep", () => {
  const sweeps: LapseSweep[] = [];
  afterEach(async () => {
    for (const sweep of sweeps.splice(0)) await sweep.stop();
  });
  const started = (ownedHere?: (eventId: string) => boolean, ringSettleMs?: number): Harness => {
    const h = harness(ownedHere, ringSettleMs);
    sweeps.push(h.sweep);
    return h;
  };

  it("asks for the ring's nodes, holds overdue as of the clock, a page; expires the events owned here", async () => {
    const h = started((eventId) => eventId !== "ev_elsewhere");
    h.pages.push(["ev_1", "ev_elsewhere", "ev_2"]);
    h.sweep.runSoon();
    await until(() => h.expired.length === 2);
    expect(h.queries).to.deep.equal([
      [["node-a", "node-b"], 1_000_000 - holdLapseSweep.overdueMs, holdLapseSweep.eventsMax],
    ]);
    expect(h.expired).to.deep.equal(["ev_1", "ev_2"]);
    await until(() => h.logs.length === 1);
    expect(h.logs[0]).to.match(/^info: hold lapse sweep: 2 events/);
  });

  it("does nothing while this node is not in its own ring (starting)", async () => {
    const h = started();
    h.ring = ["node-b"];
    h.sweep.runSoon();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(h.queries).to.deep.equal([]);
  });

  it("asks for owners missing from the ring only once this node has been in it for a while", async () => {
    const h = started(undefined, 100);
    h.sweep.runSoon();
    await until(() => h.queries.length === 1);
    expect(h.queries[0][0]).to.equal(null);
    await new Promise((resolve) => setTimeout(resolve, 120));
    h.sweep.runSoon();
    await until(() => h.queries.length === 2);
    expect(h.queries[1][0]).to.deep.equal(["node-a", "node-b"]);
  });

  it("runs one more pass after the running one when asked meanwhile, not one per request", async () => {
    const h = started();
    let open!: () => void;
    h.gate.wait = new Promise((resolve) => (open = resolve));
    h.sweep.runSoon();
    await until(() => h.queries.length === 1);
    h.sweep.runSoon();
    h.sweep.runSoon();
    h.gate.wait = null;
    open();
    await until(() => h.queries.length === 2);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(h.queries).to.have.length(2);
  });

  it("goes on at once after a full page it took events from, and stops at a short one", async () => {
    const h = started();
    const full = Array.from({ length: holdLapseSweep.eventsMax }, (_, index) => `ev_${index}`);
    h.pages.push(full, ["ev_last"]);
    h.sweep.runSoon();
    await until(() => h.queries.length === 2 && h.expired.length === full.length + 1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(h.queries).to.have.length(2);
  });

  it("logs a failed query or expire, and sweeps again later", async () => {
    const h = started();
    h.pages.push(new Error("database down"), ["fail_1", "ev_ok"]);
    h.sweep.runSoon();
    await until(() => h.logs.length === 1);
    expect(h.logs[0]).to.equal("error: hold lapse sweep failed: database down");
    h.sweep.runSoon();
    await until(() => h.logs.length === 2);
    expect(h.logs[1]).to.match(/^warn: hold lapse sweep: 2 events .*\(1 failed/);
  });

  it("stop() waits for the running pass, and no pass starts after it", async () => {
    const h = started();
    let open!: () => void;
    h.gate.wait = new Promise((resolve) => (open = resolve));
    h.pages.push(["ev_1"]);
    h.sweep.runSoon();
    await until(() => h.queries.length === 1);
    let stopped = false;
    const stopping = h.sweep.stop().then(() => (stopped = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(stopped).to.equal(false);
    open();
    await stopping;
    h.sweep.runSoon();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(h.queries).to.have.length(1);
  });
});
