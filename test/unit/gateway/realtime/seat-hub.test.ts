// The per-node hub: activation against the current version (deltas that raced it are sorted out),
// coalescing windows, the bound on followed events, idle eviction.
import { expect } from "chai";
import type { SeatsChanged } from "../../../../domain/messages.ts";
import { MarqueeError } from "../../../../domain/errors.ts";
import { SeatHub, type SeatChannel } from "../../../../gateway/realtime/seat-hub.ts";
import type { ResyncNotice, SeatsFrame } from "../../../../gateway/realtime/protocol.ts";

const delta = (eventId: string, fromVersion: number, ordinal = 1): SeatsChanged => ({
  eventId,
  fromVersion,
  toVersion: fromVersion + 1,
  changes: [{ ticketId: `${eventId}.${ordinal}`, status: "reserved" }],
  committedAt: 0,
});

/** A hub whose sinks record what they get; `gated` holds the version fetch until `release()`. */
function recordingHub(options: Partial<ConstructorParameters<typeof SeatHub>[0]> = {}, gated = false) {
  const frames: SeatsFrame[] = [];
  const resyncs: ResyncNotice[] = [];
  const versions = new Map<string, number>([["ev_a", 10]]);
  let open: () => void = () => {};
  const gate = gated ? new Promise<void>((resolve) => (open = resolve)) : Promise.resolve();
  const hub = new SeatHub({
    coalesceMs: 0,
    async fetchVersion(eventId) {
      await gate;
      const version = versions.get(eventId);
      if (version === undefined) throw new MarqueeError("NOT_FOUND", "Event not found");
      return version;
    },
    ...options,
  });
  hub.addSink({
    frame: (_channel: SeatChannel, frame) => void frames.push(frame),
    resync: (_channel: SeatChannel, notice) => void resyncs.push(notice),
  });
  return { hub, frames, resyncs, versions, release: () => open() };
}

describe("SeatHub", function () {
  it("ignores deltas of events nobody follows, then continues from the fetched version", async function () {
    const { hub, frames } = recordingHub();
    hub.receive(delta("ev_a", 9));
    const channel = await hub.acquire("ev_a");
    expect(channel.version).to.equal(10);
    hub.receive(delta("ev_a", 9)); // committed before the version was read: stale
    hub.receive(delta("ev_a", 10));
    expect(frames).to.deep.equal([
      {
        eventId: "ev_a",
        fromVersion: 10,
        toVersion: 11,
        changes: [{ ticketId: "ev_a.1", status: "reserved" }],
      },
    ]);
  });

  it("keeps deltas that arrive while the version is being fetched", async function () {
    const { hub, frames, release } = recordingHub({}, true);
    const acquiring = hub.acquire("ev_a");
    await new Promise((resolve) => setImmediate(resolve));
    hub.receive(delta("ev_a", 9)); // before the version: dropped as stale
    hub.receive(delta("ev_a", 10));
    hub.receive(delta("ev_a", 11));
    release();
    const channel = await acquiring;
    expect(channel.version).to.equal(12);
    expect(frames.map((frame) => [frame.fromVersion, frame.toVersion])).to.deep.equal([
      [10, 11],
      [11, 12],
    ]);
  });

  it("sends a change after a quiet window at once, merges the ones that follow, flushes a full frame early", async function () {
    let now = 0; // the window is judged on this clock; timers are cleared by close()
    const { hub, frames } = recordingHub({ coalesceMs: 1_000, now: () => now });
    await hub.acquire("ev_a");
    const shape = () => frames.map((frame) => [frame.fromVersion, frame.toVersion, frame.changes.length]);
    for (let version = 10; version < 15; version++) hub.receive(delta("ev_a", version, version));
    expect(shape()).to.deep.equal([[10, 11, 1]]); // the first one did not wait
    hub.flushAll(); // what the end of the window does
    expect(shape()).to.deep.equal([
      [10, 11, 1],
      [11, 15, 4],
    ]);
    hub.receive(delta("ev_a", 15)); // inside the window of the last frame: waits
    expect(frames.length).to.equal(2);
    const big: SeatsChanged = {
      eventId: "ev_a",
      fromVersion: 16,
      toVersion: 17,
      changes: Array.from({ length: 5_000 }, (_, index) => ({ ticketId: `ev_a.${index}`, status: "booked" })),
      committedAt: 0,
    };
    hub.receive(big);
    expect(shape().at(-1)).to.deep.equal([15, 17, 5_000]); // sent at once: the merge buffer is full
    now += 1_000; // a quiet window later
    hub.receive(delta("ev_a", 17));
    expect(shape().at(-1)).to.deep.equal([17, 18, 1]);
    hub.close();
  });

  it("merges for the window with real timers", async function () {
    const { hub, frames } = recordingHub({ coalesceMs: 20 });
    await hub.acquire("ev_a");
    for (let version = 10; version < 15; version++) hub.receive(delta("ev_a", version, version));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(frames.map((frame) => [frame.fromVersion, frame.toVersion])).to.deep.equal([
      [10, 11],
      [11, 15],
    ]);
    hub.close();
  });

  it("announces a gap to the sinks and restarts the ring", async function () {
    const { hub, frames, resyncs } = recordingHub();
    const channel = await hub.acquire("ev_a");
    hub.receive(delta("ev_a", 10));
    hub.receive(delta("ev_a", 13));
    expect(resyncs).to.deep.equal([{ eventId: "ev_a", version: 13, reason: "gap" }]);
    expect(frames.map((frame) => frame.fromVersion)).to.deep.equal([10, 13]);
    expect(channel.ring.framesAfter(10, 14)).to.equal(null);
    expect(channel.ring.framesAfter(13, 14)!.length).to.equal(1);
  });

  it("refuses unknown events and keeps no channel for them", async function () {
    const { hub } = recordingHub();
    let failure: any;
    await hub.acquire("ev_missing").catch((error) => (failure = error));
    expect(failure?.code).to.equal("NOT_FOUND");
    expect(hub.channelCount).to.equal(0);
  });

  it("bounds the events followed: evicts the longest idle, refuses when none is idle", async function () {
    let now = 1_000;
    const { hub, versions } = recordingHub({ eventsTrackedMax: 2, idleMs: 100, now: () => now });
    versions.set("ev_b", 1).set("ev_c", 1);
    const a = await hub.acquire("ev_a");
    const b = await hub.acquire("ev_b");
    let failure: any;
    await hub.acquire("ev_c").catch((error) => (failure = error));
    expect(failure?.code).to.equal("OVERLOADED");
    hub.release(a);
    await hub.acquire("ev_c");
    expect(hub.channel("ev_a")).to.equal(undefined);
    expect(hub.channelCount).to.equal(2);
    hub.release(b);
    now += 50;
    hub.sweep();
    expect(hub.channel("ev_b")).to.not.equal(undefined); // idle but within its grace period
    now += 100;
    hub.sweep();
    expect(hub.channel("ev_b")).to.equal(undefined);
  });
});
