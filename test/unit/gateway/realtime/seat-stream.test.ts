// Pure coalescing logic: versions stay continuous whatever order deltas arrive in, and the replay
// ring resumes exactly the frames a client missed.
import { expect } from "chai";
import fc from "fast-check";
import type { SeatChange, SeatsChanged } from "../../../../domain/messages.ts";
import { ReplayRing, SeatStream, invalidDeltaReason } from "../../../../gateway/realtime/seat-stream.ts";
import type { SeatsFrame } from "../../../../gateway/realtime/protocol.ts";

const delta = (fromVersion: number, changes: SeatChange[], toVersion = fromVersion + 1): SeatsChanged => ({
  eventId: "ev_1",
  fromVersion,
  toVersion,
  changes,
  committedAt: 0,
});
const change = (ordinal: number, status: SeatChange["status"]): SeatChange => ({
  ticketId: `ev_1.${ordinal}`,
  status,
});
const frame = (fromVersion: number, toVersion: number, changeCount = 1): SeatsFrame => ({
  eventId: "ev_1",
  fromVersion,
  toVersion,
  changes: Array.from({ length: changeCount }, (_, index) => change(index, "reserved")),
});

describe("SeatStream", function () {
  it("merges deltas into one frame with the last status per ticket", function () {
    const stream = new SeatStream("ev_1", 7);
    expect(stream.takeFrame()).to.equal(null);
    expect(stream.accept(delta(7, [change(1, "reserved"), change(2, "reserved")]))).to.equal("merged");
    expect(stream.accept(delta(8, [change(1, "booked")], 10))).to.equal("merged");
    expect(stream.version).to.equal(7);
    expect(stream.takeFrame()).to.deep.equal({
      eventId: "ev_1",
      fromVersion: 7,
      toVersion: 10,
      changes: [change(1, "booked"), change(2, "reserved")],
    });
    expect(stream.version).to.equal(10);
    expect(stream.takeFrame()).to.equal(null);
  });

  it("ignores stale deltas and reports gaps", function () {
    const stream = new SeatStream("ev_1", 5);
    expect(stream.accept(delta(4, [change(1, "reserved")]))).to.equal("stale");
    expect(stream.accept(delta(6, [change(1, "reserved")]))).to.equal("gap");
    expect(stream.accept(delta(5, [change(1, "reserved")]))).to.equal("merged");
    expect(stream.accept(delta(5, [change(1, "available")]))).to.equal("stale");
    // Overlapping: starts before what was merged, ends after it; statuses are as of its toVersion.
    expect(stream.accept(delta(5, [change(1, "booked"), change(2, "reserved")], 8))).to.equal("merged");
    expect(stream.takeFrame()).to.deep.include({ fromVersion: 5, toVersion: 8 });
    expect(() => stream.restart(20)).to.not.throw();
    expect(stream.version).to.equal(20);
  });

  it("keeps frames continuous and the final map right for any arrival order (property)", function () {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(fc.integer({ min: 0, max: 9 }), fc.constantFrom("available", "reserved", "booked")),
          {
            minLength: 1,
            maxLength: 60,
          },
        ),
        fc.array(fc.integer({ min: 0, max: 59 }), { maxLength: 30 }),
        fc.array(fc.integer({ min: 1, max: 8 }), { maxLength: 20 }),
        (edits, swaps, cuts) => {
          const deltas = edits.map(([ordinal, status], index) =>
            delta(index, [change(ordinal, status as SeatChange["status"])]),
          );
          // Deliver with duplicates and local reordering, as a transporter might.
          const arrivals = [...deltas];
          for (const swap of swaps) {
            const at = swap % arrivals.length;
            if (at + 1 < arrivals.length) [arrivals[at], arrivals[at + 1]] = [arrivals[at + 1], arrivals[at]];
            arrivals.push(deltas[swap % deltas.length]);
          }
          const stream = new SeatStream("ev_1", 0);
          const frames: SeatsFrame[] = [];
          const resyncs: number[] = [];
          let cutIndex = 0;
          arrivals.forEach((item, index) => {
            const result = stream.accept(item);
            if (result === "gap") {
              const pending = stream.takeFrame();
              if (pending) frames.push(pending);
              stream.restart(item.fromVersion);
              resyncs.push(item.fromVersion);
              expect(stream.accept(item)).to.equal("merged");
            }
            if (cuts.length > 0 && index % cuts[cutIndex++ % cuts.length] === 0) {
              const taken = stream.takeFrame();
              if (taken) frames.push(taken);
            }
          });
          const last = stream.takeFrame();
          if (last) frames.push(last);
          // Frames are continuous except exactly where a resync was announced.
          let version = 0;
          for (const item of frames) {
            if (item.fromVersion !== version) expect(resyncs).to.include(item.fromVersion);
            expect(item.toVersion).to.be.greaterThan(item.fromVersion);
            version = item.toVersion;
          }
          expect(new Set(frames.map((item) => item.toVersion)).size).to.equal(frames.length);
          // Without a resync, applying the frames gives the same map as applying every delta.
          if (resyncs.length === 0) {
            const expected = new Map<string, string>();
            for (const item of deltas)
              for (const each of item.changes) expected.set(each.ticketId, each.status);
            const actual = new Map<string, string>();
            for (const item of frames)
              for (const each of item.changes) actual.set(each.ticketId, each.status);
            expect(actual).to.deep.equal(expected);
            expect(version).to.equal(deltas.length);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it("rejects malformed deltas", function () {
    expect(invalidDeltaReason(delta(1, [change(1, "booked")]))).to.equal(null);
    expect(invalidDeltaReason(null)).to.equal("not an object");
    expect(invalidDeltaReason({ ...delta(1, []), toVersion: 1 })).to.match(/toVersion/);
    expect(invalidDeltaReason({ ...delta(1, []), fromVersion: -1 })).to.equal("versions");
    expect(invalidDeltaReason({ ...delta(1, []), changes: [{ ticketId: "x", status: "gone" }] })).to.equal(
      "change",
    );
    expect(invalidDeltaReason({ ...delta(1, []), eventId: "" })).to.equal("eventId");
  });
});

describe("ReplayRing", function () {
  it("returns the frames after a version, including one that straddles it", function () {
    const ring = new ReplayRing(10, 1_000);
    ring.push(frame(0, 2));
    ring.push(frame(2, 5));
    ring.push(frame(5, 6));
    expect(ring.framesAfter(6, 6)).to.deep.equal([]);
    expect(ring.framesAfter(5, 6)).to.deep.equal([frame(5, 6)]);
    expect(ring.framesAfter(2, 6)).to.deep.equal([frame(2, 5), frame(5, 6)]);
    expect(ring.framesAfter(3, 6)).to.deep.equal([frame(2, 5), frame(5, 6)]);
    expect(ring.framesAfter(0, 6)!.length).to.equal(3);
    expect(ring.framesAfter(7, 6)).to.equal(null);
    expect(ring.framesAfter(6, 9)).to.equal(null); // the ring does not reach the current version
  });

  it("is bounded in frames and in changes, and forgets what it evicted", function () {
    const ring = new ReplayRing(3, 10);
    for (let version = 0; version < 5; version++) ring.push(frame(version, version + 1));
    expect(ring.size).to.equal(3);
    expect(ring.framesAfter(1, 5)).to.equal(null);
    expect(ring.framesAfter(2, 5)!.length).to.equal(3);
    ring.push(frame(5, 6, 9));
    expect(ring.size).to.equal(2); // 1 + 9 changes fit, 1 + 1 + 9 do not
    expect(ring.framesAfter(4, 6)!.length).to.equal(2);
  });

  it("starts over after a discontinuity", function () {
    const ring = new ReplayRing(10, 100);
    ring.push(frame(0, 1));
    ring.push(frame(4, 5));
    expect(ring.size).to.equal(1);
    expect(ring.framesAfter(0, 5)).to.equal(null);
    expect(ring.framesAfter(4, 5)).to.deep.equal([frame(4, 5)]);
  });
});
