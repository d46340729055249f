import { expect } from "chai";
import { FollowedSeats } from "../../../domain/seat-snapshot.ts";
import type { SeatsChanged } from "../../../domain/messages.ts";

const delta = (fromVersion: number, toVersion: number, changes: [number, string][], eventId = "ev_1") =>
  ({
    eventId,
    fromVersion,
    toVersion,
    changes: changes.map(([ordinal, status]) => ({ ticketId: `${eventId}.${ordinal}`, status })),
    committedAt: 0,
  }) as SeatsChanged;

describe("followed seats (domain/seat-snapshot.ts)", () => {
  it("applies deltas that continue the version, overlapping ones too", () => {
    const seats = new FollowedSeats("ev_1", 5, new Uint8Array(4));
    expect(seats.apply(delta(5, 6, [[1, "reserved"]]))).to.equal("applied");
    expect(
      seats.apply(
        delta(6, 8, [
          [2, "booked"],
          [1, "available"],
        ]),
      ),
    ).to.equal("applied");
    // Overlaps what is held (7 -> 9): final statuses, applied again safely.
    expect(
      seats.apply(
        delta(7, 9, [
          [2, "booked"],
          [3, "reserved"],
        ]),
      ),
    ).to.equal("applied");
    expect(seats.version).to.equal(9);
    expect([...seats.statuses]).to.deep.equal([0, 0, 2, 1]);
  });

  it("ignores old deltas and reports a gap without applying it", () => {
    const seats = new FollowedSeats("ev_1", 5, new Uint8Array(4));
    expect(seats.apply(delta(4, 5, [[0, "booked"]]))).to.equal("old");
    expect(seats.apply(delta(6, 7, [[0, "booked"]]))).to.equal("gap");
    expect(seats.version).to.equal(5);
    expect([...seats.statuses]).to.deep.equal([0, 0, 0, 0]);
  });

  it("refuses, whole, a delta that does not fit: another event, an ordinal past the map, bad statuses or versions", () => {
    const seats = new FollowedSeats("ev_1", 5, new Uint8Array(4));
    const refused = [
      delta(5, 6, [[0, "reserved"]], "ev_2"),
      delta(5, 6, [
        [0, "reserved"],
        [4, "reserved"],
      ]),
      delta(5, 6, [
        [0, "reserved"],
        [1, "gone"],
      ]),
      delta(5, 5, [[0, "reserved"]]),
      { ...delta(5, 6, [[0, "reserved"]]), changes: [{ ticketId: "ev_1.x", status: "reserved" }] },
      { ...delta(5, 6, []), changes: null },
      { ...delta(5, 6, []), toVersion: 6.5 },
      null,
    ];
    for (const bad of refused) expect(seats.apply(bad as any), JSON.stringify(bad)).to.equal("invalid");
    expect(seats.version).to.equal(5);
    expect([...seats.statuses]).to.deep.equal([0, 0, 0, 0]);
  });
});
