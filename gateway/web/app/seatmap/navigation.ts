// Keyboard movement of the seat-map cursor. Arrow keys move across seats and rows and continue into
// the next or previous section at an edge, so every seat is reachable; Home/End go to the ends of the
// row, PageUp/PageDown jump between sections. Pure (no DOM).
import type { SeatLayout } from "./layout.ts";

export const navigationKeys = [
  "ArrowLeft",
  "ArrowRight",
  "ArrowUp",
  "ArrowDown",
  "Home",
  "End",
  "PageUp",
  "PageDown",
] as const;
export type NavigationKey = (typeof navigationKeys)[number];

export const isNavigationKey = (key: string): key is NavigationKey =>
  (navigationKeys as readonly string[]).includes(key);

function seatIn(layout: SeatLayout, section: number, row: number, column: number): number {
  const rows = layout.sections[section].rows;
  const seats = rows[Math.max(0, Math.min(row, rows.length - 1))].seats;
  return seats[Math.max(0, Math.min(column, seats.length - 1))];
}

/** The ticket index the cursor lands on; the same index when it cannot move that way. */
export function moveCursor(layout: SeatLayout, index: number, key: NavigationKey): number {
  const section = layout.sectionOf[index];
  const row = layout.rowOf[index];
  const column = layout.columnOf[index];
  const rows = layout.sections[section].rows;
  const rowLength = rows[row].seats.length;
  const lastSection = layout.sections.length - 1;
  switch (key) {
    case "ArrowRight":
      if (column + 1 < rowLength) return rows[row].seats[column + 1];
      return section < lastSection ? seatIn(layout, section + 1, row, 0) : index;
    case "ArrowLeft":
      if (column > 0) return rows[row].seats[column - 1];
      return section > 0 ? seatIn(layout, section - 1, row, Number.MAX_SAFE_INTEGER) : index;
    case "ArrowDown":
      if (row + 1 < rows.length) return seatIn(layout, section, row + 1, column);
      return section < lastSection ? seatIn(layout, section + 1, 0, column) : index;
    case "ArrowUp":
      if (row > 0) return seatIn(layout, section, row - 1, column);
      return section > 0 ? seatIn(layout, section - 1, Number.MAX_SAFE_INTEGER, column) : index;
    case "Home":
      return rows[row].seats[0];
    case "End":
      return rows[row].seats[rowLength - 1];
    case "PageDown":
      return section < lastSection ? seatIn(layout, section + 1, 0, 0) : index;
    case "PageUp":
      return section > 0 ? seatIn(layout, section - 1, 0, 0) : index;
  }
}
