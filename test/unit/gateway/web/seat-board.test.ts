import { expect } from "chai";
import {
  SeatBoard,
  type SeatDelta,
  type SeatSnapshot,
  type TicketView,
} from "../../../../gateway/web/app/seatmap/board.ts";
import { SeatSync, bufferedDeltasMax } from "../../../../gateway/web/app/seatmap/sync.ts";

function tickets(count: number, status: TicketView["status"] = "available"): TicketView[] {
  return Array.from({ length: count }, (_, index) => ({
    id: `ev_1.${index}`,
    section: "Floor",
    row: String(Math.floor(index / 10) + 1),
    seat: (index % 10) + 1,
    priceCents: 5_000,
    status,
  }));
}

const delta = (
  fromVersion: number,
  toVersion: number,
  changes: [number, TicketView["status"]][],
): SeatDelta => ({
  eventId: "ev_1",
  fromVersion,
  toVersion,
  changes: changes.map(([ordinal, status]) => ({ ticketId: `ev_1.${ordinal}`, status })),
});

describe("web UI seat board", () => {
  it("applies deltas in version order and keeps the counts", () => {
    const board = new SeatBoard({ version: 3, tickets: tickets(20) });
    const outcome = board.applyDelta(
      delta(3, 5, [
        [1, "reserved"],
        [2, "reserved"],
        [1, "booked"],
      ]),
    );
    expect(outcome.kind).to.equal("applied");
    expect(new Set(outcome.kind === "applied" ? outcome.changed : [])).to.deep.equal(new Set([1, 2]));
    expect(board.version).to.equal(5);
    expect(board.statusOf(1)).to.equal("booked");
    expect(board.statusOf(2)).to.equal("reserved");
    expect([board.count("available"), board.count("reserved"), board.count("booked")]).to.deep.equal([
      18, 1, 1,
    ]);
  });

  it("ignores a delta it already has and reports a gap for a skipped version", () => {
    const board = new SeatBoard({ version: 5, tickets: tickets(5) });
    expect(board.applyDelta(delta(4, 5, [[0, "booked"]]))).to.deep.equal({ kind: "stale" });
    expect(board.statusOf(0)).to.equal("available");
    expect(board.applyDelta(delta(6, 7, [[0, "booked"]]))).to.deep.equal({ kind: "gap" });
    expect(board.version).to.equal(5);
    // Overlapping (4 -> 6 over a board at 5): every change carries its final status, so it applies.
    expect(board.applyDelta(delta(4, 6, [[3, "reserved"]])).kind).to.equal("applied");
    expect(board.version).to.equal(6);
  });

  it("treats an unknown ticket or status as a gap and changes nothing", () => {
    const board = new SeatBoard({ version: 1, tickets: tickets(3) });
    const unknown = delta(1, 2, [[0, "reserved"]]);
    unknown.changes.push({ ticketId: "ev_other.0", status: "reserved" });
    expect(board.applyDelta(unknown)).to.deep.equal({ kind: "gap" });
    expect(board.statusOf(0)).to.equal("available");
    expect(board.applyDelta(delta(1, 2, [[0, "melted" as any]]))).to.deep.equal({ kind: "gap" });
  });

  it("replaces statuses from a snapshot of the same tickets, and refuses other tickets", () => {
    const board = new SeatBoard({ version: 1, tickets: tickets(4) });
    const next = tickets(4);
    next[2].status = "booked";
    expect(board.replace({ version: 9, tickets: next })).to.deep.equal([2]);
    expect(board.version).to.equal(9);
    expect(board.replace({ version: 10, tickets: tickets(5) })).to.equal(null);
  });
});

describe("web UI seat sync", () => {
  function harness(initial: SeatSnapshot) {
    const board = new SeatBoard(initial);
    const changes: (number[] | "rebuild")[] = [];
    const fetches: ((snapshot: SeatSnapshot) => void)[] = [];
    const sync = new SeatSync({
      board,
      fetchSnapshot: () => new Promise((resolve) => fetches.push(resolve)),
      onChange: (change) => changes.push(change),
    });
    return { board, sync, changes, fetches };
  }
  const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

  it("refetches on a gap, buffers deltas meanwhile and applies the newer ones on the snapshot", async () => {
    const { board, sync, changes, fetches } = harness({ version: 1, tickets: tickets(10) });
    sync.handleDelta(delta(1, 2, [[0, "reserved"]]));
    expect(changes).to.deep.equal([[0]]);
    sync.handleDelta(delta(4, 5, [[1, "reserved"]])); // 2 -> 4 missed
    expect(fetches).to.have.length(1);
    sync.handleDelta(delta(5, 6, [[2, "reserved"]])); // buffered
    sync.handleDelta(delta(6, 7, [[3, "booked"]])); // buffered
    const snapshot = tickets(10);
    snapshot[0].status = "reserved";
    snapshot[1].status = "reserved";
    snapshot[2].status = "reserved";
    fetches[0]({ version: 6, tickets: snapshot });
    await settle();
    expect(board.version).to.equal(7);
    expect([0, 1, 2, 3].map((index) => board.statusOf(index))).to.deep.equal([
      "reserved",
      "reserved",
      "reserved",
      "booked",
    ]);
    expect(changes.flat()).to.include.members([1, 2, 3]);
    expect(sync.refetchCount).to.equal(1);
  });

  it("catches up when the subscription is ahead of the board, and not otherwise", async () => {
    const { sync, fetches } = harness({ version: 4, tickets: tickets(3) });
    sync.handleSubscribed(4);
    expect(fetches).to.have.length(0);
    sync.handleSubscribed(6);
    expect(fetches).to.have.length(1);
  });

  it("runs one refetch at a time and one more when asked during it", async () => {
    const { sync, fetches } = harness({ version: 1, tickets: tickets(3) });
    void sync.refetch();
    void sync.refetch();
    void sync.refetch();
    expect(fetches).to.have.length(1);
    fetches[0]({ version: 2, tickets: tickets(3) });
    await settle();
    expect(fetches).to.have.length(2);
  });

  it("bounds the buffer: past the limit it drops it and refetches again", async () => {
    const { board, sync, fetches } = harness({ version: 1, tickets: tickets(3) });
    void sync.refetch();
    for (let version = 1; version <= bufferedDeltasMax + 5; version += 1)
      sync.handleDelta(delta(version, version + 1, [[0, "reserved"]]));
    fetches[0]({ version: 2, tickets: tickets(3) });
    await settle();
    expect(fetches).to.have.length(2);
    fetches[1]({ version: bufferedDeltasMax + 6, tickets: tickets(3) });
    await settle();
    expect(board.version).to.equal(bufferedDeltasMax + 6);
  });

  it("asks for a rebuild when the event's tickets changed", async () => {
    const { sync, changes, fetches } = harness({ version: 1, tickets: tickets(3) });
    void sync.refetch();
    fetches[0]({ version: 2, tickets: tickets(4) });
    await settle();
    expect(changes).to.deep.equal(["rebuild"]);
  });
});
