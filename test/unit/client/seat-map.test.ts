import { expect } from "chai";
import {
  SeatMap,
  SeatSync,
  type CompactSnapshot,
  type Layout,
  type SeatsFrame,
} from "../../../client/src/index.ts";
import { compactFrame } from "../../../gateway/realtime/compact.ts";
import type { SeatsFrame as GatewayFrame } from "../../../gateway/realtime/protocol.ts";

// Two sections: A has rows of 3 and 2 seats (ordinals 0-4), B one row of 2 (ordinals 5-6).
const layout: Layout = {
  eventId: "ev_1",
  currency: "USD",
  ticketCount: 7,
  sections: [
    {
      name: "A",
      priceCents: 5000,
      rows: [
        { label: "1", seats: 3, firstOrdinal: 0 },
        { label: "2", seats: 2, firstOrdinal: 3 },
      ],
    },
    { name: "B", priceCents: 2000, rows: [{ label: "1", seats: 2, firstOrdinal: 5 }] },
  ],
};

const frame = (fromVersion: number, toVersion: number, changes: SeatsFrame["changes"]): SeatsFrame => ({
  eventId: "ev_1",
  fromVersion,
  toVersion,
  changes,
});

describe("client: SeatMap (layout + compact + frames)", () => {
  it("reads the compact map by ordinal (X, not for sale, reads as booked) and places every seat", () => {
    const map = new SeatMap(layout, { version: 4, statuses: "ARBAAXA" });
    expect([...map.status]).to.deep.equal([0, 1, 2, 0, 0, 2, 0]);
    expect(map.version).to.equal(4);
    expect(map.count("available")).to.equal(4);
    expect(map.place(4)).to.deep.equal({ section: "A", row: "2", seat: 2, priceCents: 5000 });
    expect(map.place(5)).to.deep.equal({ section: "B", row: "1", seat: 1, priceCents: 2000 });
    expect(map.ordinalOf("ev_1.6")).to.equal(6);
    for (const other of ["ev_1.7", "ev_1.06", "ev_2.1", "ev_1.x"])
      expect(map.ordinalOf(other), other).to.equal(undefined);
    expect(() => new SeatMap(layout, { version: 1, statuses: "AAAA" })).to.throw(/4 statuses for 7 tickets/);
  });

  it("applies frames by the version rules: stale ignored, overlap applied, a gap reported", () => {
    const map = new SeatMap(layout, { version: 4, statuses: "AAAAAAA" });
    expect(map.applyDelta(frame(4, 5, [{ ticketId: "ev_1.0", status: "reserved" }]))).to.deep.equal({
      kind: "applied",
      changed: [0],
    });
    expect(map.applyDelta(frame(3, 5, [{ ticketId: "ev_1.0", status: "available" }]))).to.deep.equal({
      kind: "stale",
    });
    expect(map.applyDelta(frame(4, 6, [{ ticketId: "ev_1.1", status: "booked" }])).kind).to.equal("applied");
    expect(map.applyDelta(frame(7, 8, [{ ticketId: "ev_1.2", status: "booked" }]))).to.deep.equal({
      kind: "gap",
    });
    expect(map.applyDelta(frame(6, 7, [{ ticketId: "ev_1.99", status: "booked" }]))).to.deep.equal({
      kind: "gap",
    });
    expect([map.version, map.statusOf(0), map.statusOf(1), map.statusOf(2)]).to.deep.equal([
      6,
      "reserved",
      "booked",
      "available",
    ]);
  });

  it("applies the gateway's compact frames as it applies the full ones", () => {
    const full: GatewayFrame = frame(0, 2, [
      { ticketId: "ev_1.1", status: "booked" },
      { ticketId: "ev_1.5", status: "reserved" },
    ]);
    const [byFull, byCompact] = [
      new SeatMap(layout, { version: 0, statuses: "AAAAAAA" }),
      new SeatMap(layout, { version: 0, statuses: "AAAAAAA" }),
    ];
    byFull.applyDelta(full);
    byCompact.applyDelta(compactFrame(full));
    expect([...byCompact.status])
      .to.deep.equal([...byFull.status])
      .and.deep.equal([0, 2, 0, 0, 0, 1, 0]);
    expect(byCompact.version).to.equal(2);
  });
});

/** Lets every pending promise callback run. */
const settled = () => new Promise((resolve) => setImmediate(resolve));

describe("client: SeatSync", () => {
  function syncing(snapshots: CompactSnapshot[]) {
    const map = new SeatMap(layout, { version: 1, statuses: "AAAAAAA" });
    const changes: (number[] | "rebuild")[] = [];
    let release: () => void = () => {};
    const sync = new SeatSync<CompactSnapshot, SeatsFrame>({
      board: map,
      fetchSnapshot: async () => {
        // Each fetch waits until the test lets it answer, so frames can arrive meanwhile.
        await new Promise<void>((resolve) => (release = resolve));
        return snapshots.shift()!;
      },
      onChange: (change) => changes.push(change),
    });
    return { map, sync, changes, answer: () => release() };
  }

  it("refetches the compact map on a gap and applies the frames that came meanwhile on top", async () => {
    const { map, sync, changes, answer } = syncing([{ version: 5, statuses: "BAAAAAA" }]);
    expect(sync.handleDelta(frame(3, 4, [{ ticketId: "ev_1.3", status: "booked" }]))).to.deep.equal({
      kind: "gap",
    });
    expect(sync.refetchCount).to.equal(1);
    expect(sync.handleDelta(frame(5, 6, [{ ticketId: "ev_1.2", status: "reserved" }]))).to.equal("buffered");
    answer();
    await settled();
    expect(map.version).to.equal(6);
    expect([map.statusOf(0), map.statusOf(2), map.statusOf(3)]).to.deep.equal([
      "booked",
      "reserved",
      "available",
    ]);
    expect(changes).to.deep.equal([[0], [2]]);
  });

  it("refetches when a subscription reports a newer version, never for an older one", async () => {
    const { map, sync, answer } = syncing([{ version: 9, statuses: "AAAAAAB" }]);
    sync.handleSubscribed(1);
    expect(sync.refetchCount).to.equal(0);
    sync.handleSubscribed(9);
    expect(sync.refetchCount).to.equal(1);
    answer();
    await settled();
    expect(sync.refetchCount).to.equal(1);
    expect([map.version, map.statusOf(6)]).to.deep.equal([9, "booked"]);
  });
});
