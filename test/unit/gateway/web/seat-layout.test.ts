import { expect } from "chai";
import {
  cellOrigin,
  defaultCellSize,
  layoutSeats,
  seatAt,
  type SeatLocation,
} from "../../../../gateway/web/app/seatmap/layout.ts";
import { moveCursor } from "../../../../gateway/web/app/seatmap/navigation.ts";

/** Sections of rows x seats, listed in a shuffled order to show the layout does not rely on order. */
function stadium(sections: number, rows: number, seats: number): SeatLocation[] {
  const list: SeatLocation[] = [];
  for (let section = 0; section < sections; section += 1)
    for (let row = 0; row < rows; row += 1)
      for (let seat = seats; seat >= 1; seat -= 1)
        list.push({ section: `S${section + 1}`, row: String(row + 1), seat });
  return list;
}

describe("web UI seat layout", () => {
  it("groups by section and row, orders seats by number and finds every seat by its own position", () => {
    const tickets = stadium(3, 4, 5);
    const layout = layoutSeats(tickets, { cellSize: 10, maxWidth: 400 });
    expect(layout.sections.map((section) => section.name)).to.deep.equal(["S1", "S2", "S3"]);
    expect(layout.sections[0].rows[0].seats.length).to.equal(5);
    for (let index = 0; index < tickets.length; index += 1) {
      const { x, y } = cellOrigin(layout, index);
      expect(seatAt(layout, x + 5, y + 5)).to.equal(index);
      expect(x + layout.cellSize).to.be.at.most(layout.width);
      expect(y + layout.cellSize).to.be.at.most(layout.height);
    }
    // Seat 1 of row 1 is the leftmost cell of the first row.
    const first = layout.sections[0].rows[0].seats[0];
    expect(tickets[first].seat).to.equal(1);
  });

  it("misses between sections, on labels and outside the map", () => {
    const layout = layoutSeats(stadium(2, 2, 2), { cellSize: 20, maxWidth: 1000 });
    const section = layout.sections[0];
    expect(seatAt(layout, section.x + 1, section.y + 1)).to.equal(-1); // the section's title
    expect(seatAt(layout, section.seatsX - 1, section.seatsY + 1)).to.equal(-1); // row labels
    expect(seatAt(layout, -5, -5)).to.equal(-1);
    expect(seatAt(layout, layout.width + 5, 10)).to.equal(-1);
  });

  it("wraps sections into shelves within the width, and lays out 50,000 seats", () => {
    const tickets = stadium(20, 50, 50);
    const cellSize = defaultCellSize(tickets.length);
    const layout = layoutSeats(tickets, { cellSize, maxWidth: 1200 });
    expect(layout.width).to.be.at.most(1200);
    expect(new Set(layout.sections.map((section) => section.y)).size).to.be.greaterThan(1);
    for (const index of [0, 12_345, 49_999]) {
      const { x, y } = cellOrigin(layout, index);
      expect(seatAt(layout, x + cellSize / 2, y + cellSize / 2)).to.equal(index);
    }
  });
});

describe("web UI keyboard navigation", () => {
  const tickets = stadium(2, 3, 4);
  const layout = layoutSeats(tickets, { cellSize: 10, maxWidth: 1000 });
  const at = (section: number, row: number, column: number) =>
    layout.sections[section].rows[row].seats[column];
  const where = (index: number) => [layout.sectionOf[index], layout.rowOf[index], layout.columnOf[index]];

  it("moves along a row and across rows, clamping the column", () => {
    expect(where(moveCursor(layout, at(0, 0, 0), "ArrowRight"))).to.deep.equal([0, 0, 1]);
    expect(where(moveCursor(layout, at(0, 0, 1), "ArrowLeft"))).to.deep.equal([0, 0, 0]);
    expect(where(moveCursor(layout, at(0, 0, 2), "ArrowDown"))).to.deep.equal([0, 1, 2]);
    expect(where(moveCursor(layout, at(0, 1, 2), "ArrowUp"))).to.deep.equal([0, 0, 2]);
    expect(where(moveCursor(layout, at(0, 1, 2), "Home"))).to.deep.equal([0, 1, 0]);
    expect(where(moveCursor(layout, at(0, 1, 0), "End"))).to.deep.equal([0, 1, 3]);
  });

  it("continues into the neighbouring section at an edge and stops at the ends of the map", () => {
    expect(where(moveCursor(layout, at(0, 1, 3), "ArrowRight"))).to.deep.equal([1, 1, 0]);
    expect(where(moveCursor(layout, at(1, 1, 0), "ArrowLeft"))).to.deep.equal([0, 1, 3]);
    expect(where(moveCursor(layout, at(0, 2, 1), "ArrowDown"))).to.deep.equal([1, 0, 1]);
    expect(where(moveCursor(layout, at(1, 0, 1), "ArrowUp"))).to.deep.equal([0, 2, 1]);
    expect(where(moveCursor(layout, at(0, 2, 3), "PageDown"))).to.deep.equal([1, 0, 0]);
    expect(where(moveCursor(layout, at(1, 2, 3), "PageUp"))).to.deep.equal([0, 0, 0]);
    expect(moveCursor(layout, at(0, 0, 0), "ArrowLeft")).to.equal(at(0, 0, 0));
    expect(moveCursor(layout, at(1, 2, 3), "ArrowRight")).to.equal(at(1, 2, 3));
    expect(moveCursor(layout, at(1, 2, 3), "PageDown")).to.equal(at(1, 2, 3));
  });

  it("reaches every seat with the arrow keys alone", () => {
    const seen = new Set<number>();
    let index = at(0, 0, 0);
    seen.add(index);
    for (let step = 0; step < tickets.length * 2; step += 1) {
      const next = moveCursor(layout, index, "ArrowRight");
      if (next === index) break;
      index = next;
      seen.add(index);
    }
    // Right walks rows of the same number across sections; Down then covers the other rows.
    for (const start of [...seen]) {
      let cursor = start;
      for (let step = 0; step < 10; step += 1) {
        cursor = moveCursor(layout, cursor, "ArrowDown");
        seen.add(cursor);
      }
    }
    expect(seen.size).to.equal(tickets.length);
  });
});
