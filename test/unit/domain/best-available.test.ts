import { expect } from "chai";
import fc from "fast-check";
import {
  chooseBestAvailable,
  FreeRunIndex,
  rankRows,
  type BestAvailableRequest,
} from "../../../domain/best-available.ts";
import { buildSeatLayout } from "../../../domain/seat-layout.ts";

/** A hand-drawn map: one string per row ('.' free, 'x' taken), rows grouped by section. */
interface DrawnSection {
  name: string;
  priceCents?: number;
  rows: string[];
}

function drawMap(sections: DrawnSection[]) {
  const free: boolean[] = sections.flatMap((section) =>
    section.rows.flatMap((row) => [...row].map((mark) => mark === ".")),
  );
  const layout = rankRows(
    buildSeatLayout(
      sections.map((section) => ({
        name: section.name,
        priceCents: section.priceCents ?? 1000,
        rows: section.rows.map((row, index) => ({ label: String(index + 1), seats: row.length })),
      })),
    ),
  );
  const isFree = (ordinal: number) => free[ordinal];
  const index = new FreeRunIndex(layout, isFree);
  const choose = (request: BestAvailableRequest) => chooseBestAvailable(layout, index, isFree, request);
  /** Renders the chosen seats back as a map with 'o' for the choice. */
  const render = (chosen: number[] | null) => {
    const picked = new Set(chosen ?? []);
    return layout.rows.map((row) =>
      Array.from({ length: row.seatCount }, (_, offset) => {
        const ordinal = row.firstOrdinal + offset;
        return picked.has(ordinal) ? "o" : free[ordinal] ? "." : "x";
      }).join(""),
    );
  };
  const take = (ordinals: number[]) => {
    for (const ordinal of ordinals) {
      free[ordinal] = false;
      index.seatChanged(ordinal);
    }
  };
  return { layout, index, isFree, choose, render, take, free };
}

describe("best available (domain)", () => {
  it("takes the middle of the first row of the first section", () => {
    const map = drawMap([{ name: "A", rows: ["..........", ".........."] }]);
    expect(map.render(map.choose({ quantity: 2 }))).to.deep.equal(["....oo....", ".........."]);
  });

  it("prefers an earlier section over a better row of a later one", () => {
    const map = drawMap([
      { name: "A", rows: ["xxxxxxxxxx", "xxxxxx...."] },
      { name: "B", rows: [".........."] },
    ]);
    // Both blocks of the run strand a seat; the one nearer the middle wins.
    expect(map.render(map.choose({ quantity: 3 }))).to.deep.equal(["xxxxxxxxxx", "xxxxxxooo.", ".........."]);
  });

  it("moves to the next row when the block does not fit", () => {
    const map = drawMap([{ name: "A", rows: ["..x..x..x.", ".........."] }]);
    expect(map.render(map.choose({ quantity: 3 }))).to.deep.equal(["..x..x..x.", "...ooo...."]);
  });

  it("never strands a single seat when a choice in the same row avoids it", () => {
    // Free run of 5 between taken seats: taking the middle 3 strands one seat on each side.
    const map = drawMap([{ name: "A", rows: ["xx.....xxx"] }]);
    const chosen = map.render(map.choose({ quantity: 3 }))[0];
    expect(chosen).to.be.oneOf(["xxooo..xxx", "xx..oooxxx"]);
  });

  it("strands a seat only when every block of the row would", () => {
    const map = drawMap([{ name: "A", rows: ["x...x"] }]);
    expect(map.render(map.choose({ quantity: 2 }))).to.deep.equal(["xoo.x"]);
  });

  it("does not strand a seat at the row end", () => {
    const map = drawMap([{ name: "A", rows: ["......"] }]);
    // Middle block of 4 would leave one seat at each end.
    expect(map.render(map.choose({ quantity: 4 }))).to.deep.equal(["oooo.."]);
  });

  it("honours section and price filters", () => {
    const map = drawMap([
      { name: "Front", priceCents: 20000, rows: ["......"] },
      { name: "Back", priceCents: 5000, rows: ["......"] },
    ]);
    expect(map.render(map.choose({ quantity: 2, maxPriceCents: 6000 }))).to.deep.equal(["......", "..oo.."]);
    expect(map.render(map.choose({ quantity: 2, section: "Back" }))).to.deep.equal(["......", "..oo.."]);
    expect(map.choose({ quantity: 2, section: "Nowhere" })).to.equal(null);
  });

  it("answers null when nothing fits, and finds scattered seats when adjacency is not required", () => {
    const map = drawMap([{ name: "A", rows: [".x.x.", "x.x.x"] }]);
    expect(map.choose({ quantity: 2 })).to.equal(null);
    expect(map.render(map.choose({ quantity: 3, adjacent: false }))).to.deep.equal(["oxoxo", "x.x.x"]);
    expect(map.choose({ quantity: 6, adjacent: false })).to.equal(null);
  });

  it("copes with fragmentation late in a sale and sells out cleanly", () => {
    const map = drawMap([{ name: "A", rows: ["..x...xx....x.", "...x..x...x..."] }]);
    let sold = 0;
    for (let step = 0; step < 100; step++) {
      const chosen = map.choose({ quantity: 2 }) ?? map.choose({ quantity: 1 });
      if (!chosen) break;
      map.take(chosen);
      sold += chosen.length;
    }
    expect(map.free.every((free) => !free)).to.equal(true);
    expect(sold).to.equal(21);
  });

  it("keeps the free-run index in step as seats change", () => {
    const map = drawMap([{ name: "A", rows: ["....", "...."] }]);
    map.take([1]);
    expect(map.index.longestFreeRun(0)).to.equal(2);
    expect(map.index.freeSeats(0)).to.equal(3);
    map.take([4, 5, 6, 7]);
    expect(map.index.longestFreeRun(1)).to.equal(0);
  });

  describe("properties over random seat maps", () => {
    const arbitraryMap = fc.record({
      sections: fc.array(
        fc.record({
          priceCents: fc.integer({ min: 1000, max: 5000 }),
          rows: fc.array(fc.array(fc.boolean(), { minLength: 1, maxLength: 16 }), {
            minLength: 1,
            maxLength: 5,
          }),
        }),
        { minLength: 1, maxLength: 3 },
      ),
      quantity: fc.integer({ min: 1, max: 6 }),
      adjacent: fc.boolean(),
    });

    it("chooses N free seats, adjacent when asked, and no fitting block is better", () => {
      fc.assert(
        fc.property(arbitraryMap, ({ sections, quantity, adjacent }) => {
          const map = drawMap(
            sections.map((section, index) => ({
              name: `S${index}`,
              priceCents: section.priceCents,
              rows: section.rows.map((row) => row.map((free) => (free ? "." : "x")).join("")),
            })),
          );
          const chosen = map.choose({ quantity, adjacent });
          const totalFree = map.free.filter(Boolean).length;
          if (!adjacent) {
            if (totalFree < quantity) return chosen === null;
            return (
              chosen !== null && chosen.length === quantity && chosen.every((ordinal) => map.free[ordinal])
            );
          }
          // Every fitting block, by brute force.
          const blocks: { row: number; start: number }[] = [];
          map.layout.rows.forEach((row, rowNumber) => {
            for (let start = 0; start + quantity <= row.seatCount; start++) {
              let fits = true;
              for (let seat = 0; seat < quantity; seat++) fits &&= map.free[row.firstOrdinal + start + seat];
              if (fits) blocks.push({ row: rowNumber, start });
            }
          });
          if (blocks.length === 0) return chosen === null;
          if (chosen === null || chosen.length !== quantity) return false;
          if (!chosen.every((ordinal) => map.free[ordinal])) return false;
          const row = map.layout.rowOfOrdinal[chosen[0]];
          if (
            !chosen.every(
              (ordinal, i) => map.layout.rowOfOrdinal[ordinal] === row && ordinal === chosen[0] + i,
            )
          )
            return false;
          // No fitting block in an earlier row (rows are in section, then row order).
          if (blocks[0].row !== row) return false;
          // Within the row, no block beats it: (strands a single seat, distance from middle) is minimal.
          const layoutRow = map.layout.rows[row];
          const freeAt = (offset: number) =>
            offset >= 0 && offset < layoutRow.seatCount && map.free[layoutRow.firstOrdinal + offset];
          const rank = (start: number) => {
            const strands =
              (freeAt(start - 1) && !freeAt(start - 2)) ||
              (freeAt(start + quantity) && !freeAt(start + quantity + 1));
            const distance = Math.abs(start + (quantity - 1) / 2 - (layoutRow.seatCount - 1) / 2);
            return (strands ? 1_000 : 0) + distance;
          };
          const chosenRank = rank(chosen[0] - layoutRow.firstOrdinal);
          return blocks
            .filter((block) => block.row === row)
            .every((block) => rank(block.start) >= chosenRank);
        }),
        { numRuns: 2_000 },
      );
    });

    it("never strands a single seat when a non-stranding block exists in the same row", () => {
      fc.assert(
        fc.property(
          fc.array(fc.boolean(), { minLength: 1, maxLength: 20 }),
          fc.integer({ min: 1, max: 5 }),
          (row, quantity) => {
            const map = drawMap([{ name: "A", rows: [row.map((free) => (free ? "." : "x")).join("")] }]);
            const chosen = map.choose({ quantity });
            if (chosen === null) return true;
            const strands = (start: number) => {
              const freeAt = (offset: number) => offset >= 0 && offset < row.length && row[offset];
              const leftSingle = freeAt(start - 1) && !freeAt(start - 2);
              const rightSingle = freeAt(start + quantity) && !freeAt(start + quantity + 1);
              return leftSingle || rightSingle;
            };
            if (!strands(chosen[0])) return true;
            for (let start = 0; start + quantity <= row.length; start++) {
              if (row.slice(start, start + quantity).every(Boolean) && !strands(start)) return false;
            }
            return true;
          },
        ),
        { numRuns: 2_000 },
      );
    });
  });
});
