import { expect } from "chai";
import { SeatBoard } from "../../../../gateway/web/app/seatmap/board.ts";
import { snapshotFromCompact } from "../../../../gateway/web/app/seatmap/compact.ts";
import { SeatSync } from "../../../../gateway/web/app/seatmap/sync.ts";
import type { PublicLayout } from "../../../../domain/public-layout.ts";

const layout: PublicLayout = {
  eventId: "ev_1",
  currency: "USD",
  ticketCount: 7,
  sections: [
    {
      name: "Floor",
      priceCents: 9_000,
      rows: [
        { label: "A", seats: 3, firstOrdinal: 0 },
        { label: "B", seats: 2, firstOrdinal: 3 },
      ],
    },
    { name: "Balcony", priceCents: 4_000, rows: [{ label: "1", seats: 2, firstOrdinal: 5 }] },
  ],
};

describe("web UI seats from the layout and the compact map", () => {
  it("builds every ticket in ordinal order with its section, row, seat, price and status", () => {
    const snapshot = snapshotFromCompact(layout, { version: 4, statuses: "ARBAXAA" });
    expect(snapshot.version).to.equal(4);
    expect(snapshot.tickets.map((ticket) => ticket.id)).to.deep.equal(
      Array.from({ length: 7 }, (_, ordinal) => `ev_1.${ordinal}`),
    );
    expect(snapshot.tickets[4]).to.deep.equal({
      id: "ev_1.4",
      section: "Floor",
      row: "B",
      seat: 2,
      priceCents: 9_000,
      // X (not for sale) reads as taken.
      status: "booked",
    });
    expect(snapshot.tickets[6]).to.include({ section: "Balcony", row: "1", seat: 2, status: "available" });
    expect(snapshot.tickets.map((ticket) => ticket.status).slice(0, 3)).to.deep.equal([
      "available",
      "reserved",
      "booked",
    ]);
  });

  it("refuses statuses that do not fit the layout or are not the compact alphabet", () => {
    expect(() => snapshotFromCompact(layout, { version: 1, statuses: "AAA" })).to.throw(/3 statuses for 7/);
    expect(() => snapshotFromCompact(layout, { version: 1, statuses: "AAAAAAZ" })).to.throw(/unknown status/);
  });

  it("a board takes a compact refetch of the same tickets, and asks for a rebuild otherwise", async () => {
    const board = new SeatBoard(snapshotFromCompact(layout, { version: 1, statuses: "AAAAAAA" }));
    expect(board.replace({ version: 3, statuses: "ARAAAAB" })).to.deep.equal([1, 6]);
    expect(board.version).to.equal(3);
    expect(board.count("booked")).to.equal(1);
    expect(board.replace({ version: 4, statuses: "AAAA" })).to.equal(null);
    const changes: unknown[] = [];
    const sync = new SeatSync({
      board,
      fetchSnapshot: async () => ({ version: 5, statuses: "AAAAAAAA" }),
      onChange: (change) => changes.push(change),
    });
    await sync.refetch();
    expect(changes).to.deep.equal(["rebuild"]);
  });
});
