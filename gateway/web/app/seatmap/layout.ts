// Geometry of a seat map: sections (in the order the event lists them) packed left to right in
// shelves, each a block of rows, each row a line of square cells. Built once per map and cell size;
// answers "which seat is at (x, y)" and "where is seat i" in O(sections) and O(1), without any
// per-seat DOM. Pure (no DOM).

export interface SeatLocation {
  section: string;
  row: string;
  seat: number;
}

export interface RowGeometry {
  label: string;
  /** Ticket indices in seat order. */
  seats: Int32Array;
}

export interface SectionGeometry {
  name: string;
  x: number;
  y: number;
  width: number;
  height: number;
  /** Left edge of the first seat column and top edge of the first row. */
  seatsX: number;
  seatsY: number;
  rows: RowGeometry[];
}

export interface SeatLayout {
  cellSize: number;
  width: number;
  height: number;
  rowLabelWidth: number;
  sections: SectionGeometry[];
  /** Per ticket index: its section, row within the section, and column within the row. */
  sectionOf: Uint16Array;
  rowOf: Uint16Array;
  columnOf: Uint16Array;
}

export const sectionHeaderHeight = 18;
export const sectionGap = 16;
export const mapMargin = 8;
/** Row labels are drawn only when a cell is big enough to read them beside. */
export const rowLabelMinCellSize = 12;
const rowLabelWidthPixels = 30;

/** A default cell size that keeps big maps on a sensible canvas. */
export function defaultCellSize(seatCount: number): number {
  if (seatCount <= 2_000) return 20;
  if (seatCount <= 10_000) return 12;
  if (seatCount <= 60_000) return 8;
  return 5;
}

export function layoutSeats(
  tickets: readonly SeatLocation[],
  options: { cellSize: number; maxWidth: number },
): SeatLayout {
  const { cellSize } = options;
  // Group by section, then row, in order of first appearance; seats in a row by seat number.
  const sectionRows = new Map<string, Map<string, number[]>>();
  tickets.forEach((ticket, index) => {
    let rows = sectionRows.get(ticket.section);
    if (!rows) sectionRows.set(ticket.section, (rows = new Map()));
    let seats = rows.get(ticket.row);
    if (!seats) rows.set(ticket.row, (seats = []));
    seats.push(index);
  });

  const count = tickets.length;
  const sectionOf = new Uint16Array(count);
  const rowOf = new Uint16Array(count);
  const columnOf = new Uint16Array(count);
  const rowLabelWidth = cellSize >= rowLabelMinCellSize ? rowLabelWidthPixels : 0;
  const sections: SectionGeometry[] = [];
  for (const [name, rowMap] of sectionRows) {
    const sectionIndex = sections.length;
    const rows: RowGeometry[] = [];
    let widestRow = 0;
    for (const [label, seatIndices] of rowMap) {
      seatIndices.sort((a, b) => tickets[a].seat - tickets[b].seat);
      const rowIndex = rows.length;
      seatIndices.forEach((ticketIndex, column) => {
        sectionOf[ticketIndex] = sectionIndex;
        rowOf[ticketIndex] = rowIndex;
        columnOf[ticketIndex] = column;
      });
      rows.push({ label, seats: Int32Array.from(seatIndices) });
      widestRow = Math.max(widestRow, seatIndices.length);
    }
    const width = Math.max(rowLabelWidth + widestRow * cellSize, measureLabel(name));
    const height = sectionHeaderHeight + rows.length * cellSize;
    sections.push({ name, x: 0, y: 0, width, height, seatsX: 0, seatsY: 0, rows });
  }

  // Shelf packing: left to right, a new shelf when the next section would not fit.
  const maxWidth = Math.max(options.maxWidth, ...sections.map((section) => section.width + 2 * mapMargin));
  let x = mapMargin;
  let y = mapMargin;
  let shelfHeight = 0;
  let width = 0;
  for (const section of sections) {
    if (x > mapMargin && x + section.width + mapMargin > maxWidth) {
      x = mapMargin;
      y += shelfHeight + sectionGap;
      shelfHeight = 0;
    }
    section.x = x;
    section.y = y;
    section.seatsX = x + rowLabelWidth;
    section.seatsY = y + sectionHeaderHeight;
    x += section.width + sectionGap;
    shelfHeight = Math.max(shelfHeight, section.height);
    width = Math.max(width, section.x + section.width + mapMargin);
  }
  const height = sections.length > 0 ? y + shelfHeight + mapMargin : 0;
  return { cellSize, width, height, rowLabelWidth, sections, sectionOf, rowOf, columnOf };
}

/** A rough width of a section label (12 px sans-serif), so that short sections do not cut it. */
function measureLabel(text: string): number {
  return Math.min(text.length, 40) * 7;
}

/** The ticket index under a point of the map, or -1. */
export function seatAt(layout: SeatLayout, x: number, y: number): number {
  const size = layout.cellSize;
  for (const section of layout.sections) {
    if (x < section.seatsX || y < section.seatsY || x >= section.x + section.width) continue;
    if (y >= section.y + section.height) continue;
    const row = section.rows[Math.floor((y - section.seatsY) / size)];
    if (!row) return -1;
    const column = Math.floor((x - section.seatsX) / size);
    return column < row.seats.length ? row.seats[column] : -1;
  }
  return -1;
}

/** Top-left corner of a seat's cell. */
export function cellOrigin(layout: SeatLayout, index: number): { x: number; y: number } {
  const section = layout.sections[layout.sectionOf[index]];
  return {
    x: section.seatsX + layout.columnOf[index] * layout.cellSize,
    y: section.seatsY + layout.rowOf[index] * layout.cellSize,
  };
}
