// The seat map on one canvas: drawn once, then only the cells that change are repainted (batched per
// animation frame), so a 50,000-seat stadium stays responsive. Pointer hits are resolved by geometry
// (layout.seatAt), not per-seat DOM listeners. The canvas is one focusable control: arrow keys move a
// cursor across seats, Space/Enter toggles the seat under it.
import type { SeatBoard } from "./board.ts";
import { cellOrigin, defaultCellSize, layoutSeats, seatAt, type SeatLayout } from "./layout.ts";
import { isNavigationKey, moveCursor } from "./navigation.ts";
import { cellColors, focusRingColor, labelColor, mapBackground, type CellKind } from "./palette.ts";

/** Device pixels of one canvas: well under browsers' limits and ~128 MB of backing store at most. */
export const canvasPixelsMax = 32_000_000;
export const cellSizeMin = 3;
export const cellSizeMax = 32;

export interface SeatMapCallbacks {
  kindOf(index: number): CellKind;
  onToggle(index: number): void;
  /** The keyboard cursor moved to a seat (also on focus). */
  onCursor(index: number): void;
  /** The pointer is over a seat, or -1. */
  onHover(index: number): void;
  /** The heading drawn over a section (default: its name), e.g. with its price. */
  sectionHeading?(name: string): string;
}

export class SeatMapView {
  readonly element: HTMLDivElement;
  readonly canvas: HTMLCanvasElement;
  layout!: SeatLayout;
  cursor = -1;
  private board: SeatBoard;
  private readonly callbacks: SeatMapCallbacks;
  private context!: CanvasRenderingContext2D;
  private pixelRatio = 1;
  private cellSize: number;
  private focused = false;
  /** Focus that comes from a pointer press: the click itself places the cursor (no jump, no scroll). */
  private pointerPressed = false;
  private readonly dirty = new Set<number>();
  private frame = 0;
  private hoverFrame = 0;
  private lastPointer: { x: number; y: number } | null = null;
  private hovered = -1;
  /** Milliseconds of the last full draw, and how many full draws there were (tests check deltas do not cause any). */
  lastRenderMs = 0;
  fullRenders = 0;
  cellDraws = 0;

  constructor(board: SeatBoard, callbacks: SeatMapCallbacks, label: string) {
    this.board = board;
    this.callbacks = callbacks;
    this.cellSize = defaultCellSize(board.size);
    this.element = document.createElement("div");
    this.element.className = "seat-map-scroll";
    this.canvas = document.createElement("canvas");
    this.canvas.className = "seat-map";
    this.canvas.tabIndex = 0;
    this.canvas.setAttribute("role", "application");
    this.canvas.setAttribute("aria-roledescription", "seat map");
    this.canvas.setAttribute(
      "aria-label",
      `${label}. Arrow keys move between seats, Space or Enter selects or unselects a seat, ` +
        "Page Up and Page Down jump between sections, Home and End go to the ends of a row.",
    );
    this.element.append(this.canvas);
    this.canvas.addEventListener("pointerdown", this.onPointerDown);
    this.canvas.addEventListener("click", this.onClick);
    this.canvas.addEventListener("pointermove", this.onPointerMove);
    this.canvas.addEventListener("pointerleave", this.onPointerLeave);
    this.canvas.addEventListener("keydown", this.onKeyDown);
    this.canvas.addEventListener("focus", this.onFocus);
    this.canvas.addEventListener("blur", this.onBlur);
  }

  /** Lays out and draws everything; call once mounted (the width of the page shapes the layout). */
  build(): void {
    const maxWidth = Math.max(320, this.element.clientWidth || 1_000);
    let cellSize = this.cellSize;
    let layout = layoutSeats(this.board.tickets, { cellSize, maxWidth });
    let ratio = Math.min(window.devicePixelRatio || 1, 2);
    if (layout.width * layout.height * ratio * ratio > canvasPixelsMax) ratio = 1;
    while (layout.width * layout.height > canvasPixelsMax && cellSize > cellSizeMin) {
      cellSize -= 1;
      layout = layoutSeats(this.board.tickets, { cellSize, maxWidth });
    }
    this.cellSize = cellSize;
    this.layout = layout;
    this.pixelRatio = ratio;
    this.canvas.width = Math.max(1, Math.round(layout.width * ratio));
    this.canvas.height = Math.max(1, Math.round(layout.height * ratio));
    this.canvas.style.width = `${layout.width}px`;
    this.canvas.style.height = `${layout.height}px`;
    const context = this.canvas.getContext("2d", { alpha: false });
    if (!context) throw new Error("This browser cannot draw on a canvas");
    this.context = context;
    this.renderAll();
  }

  /** A new board for the same map (after a refetch with other tickets): rebuild everything. */
  setBoard(board: SeatBoard): void {
    this.board = board;
    this.cursor = -1;
    this.dirty.clear();
    this.build();
  }

  get currentCellSize(): number {
    return this.cellSize;
  }

  /** Changes the cell size (zoom) and redraws once; keeps the cursor's seat in view. */
  zoom(direction: 1 | -1): void {
    const next = Math.max(
      cellSizeMin,
      Math.min(cellSizeMax, Math.round(this.cellSize * (direction > 0 ? 1.5 : 1 / 1.5))),
    );
    if (next === this.cellSize) return;
    this.cellSize = next;
    this.build();
    if (this.cursor >= 0) this.scrollToCell(this.cursor);
  }

  renderAll(): void {
    const started = performance.now();
    const context = this.context;
    const layout = this.layout;
    context.setTransform(this.pixelRatio, 0, 0, this.pixelRatio, 0, 0);
    context.fillStyle = mapBackground;
    context.fillRect(0, 0, layout.width, layout.height);
    context.fillStyle = labelColor;
    context.textBaseline = "alphabetic";
    context.font = "600 12px system-ui, sans-serif";
    context.textAlign = "left";
    for (const section of layout.sections)
      context.fillText(
        this.callbacks.sectionHeading?.(section.name) ?? section.name,
        section.x,
        section.y + 13,
        section.width,
      );
    if (layout.rowLabelWidth > 0) {
      context.font = `${Math.min(11, layout.cellSize - 2)}px system-ui, sans-serif`;
      context.textAlign = "right";
      for (const section of layout.sections) {
        section.rows.forEach((row, rowIndex) => {
          const y = section.seatsY + rowIndex * layout.cellSize + layout.cellSize * 0.75;
          context.fillText(row.label, section.seatsX - 4, y, layout.rowLabelWidth - 6);
        });
      }
    }
    // One fill colour at a time: bucket the seats by kind, then draw each bucket.
    const buckets = new Map<CellKind, number[]>();
    for (let index = 0; index < this.board.size; index += 1) {
      const kind = this.callbacks.kindOf(index);
      let bucket = buckets.get(kind);
      if (!bucket) buckets.set(kind, (bucket = []));
      bucket.push(index);
    }
    const size = layout.cellSize;
    const inset = size >= 6 ? 1 : 0;
    for (const [kind, indices] of buckets) {
      context.fillStyle = cellColors[kind];
      for (const index of indices) {
        const { x, y } = cellOrigin(layout, index);
        context.fillRect(x + inset, y + inset, size - 2 * inset, size - 2 * inset);
      }
    }
    if (this.focused && this.cursor >= 0) this.drawCell(this.cursor);
    this.dirty.clear();
    this.lastRenderMs = performance.now() - started;
    this.canvas.dataset.renderedSeats = String(this.board.size);
    this.canvas.dataset.renderMs = this.lastRenderMs.toFixed(1);
    this.fullRenders += 1;
    this.canvas.dataset.fullRenders = String(this.fullRenders);
  }

  /** Repaints these cells on the next animation frame (changes of one frame are coalesced). */
  invalidate(indices: Iterable<number>): void {
    for (const index of indices) this.dirty.add(index);
    if (this.frame === 0 && this.dirty.size > 0) {
      this.frame = requestAnimationFrame(() => {
        this.frame = 0;
        for (const index of this.dirty) this.drawCell(index);
        this.cellDraws += this.dirty.size;
        this.canvas.dataset.cellDraws = String(this.cellDraws);
        this.dirty.clear();
      });
    }
  }

  private drawCell(index: number): void {
    const context = this.context;
    const size = this.layout.cellSize;
    const { x, y } = cellOrigin(this.layout, index);
    const inset = size >= 6 ? 1 : 0;
    context.fillStyle = mapBackground;
    context.fillRect(x, y, size, size);
    context.fillStyle = cellColors[this.callbacks.kindOf(index)];
    context.fillRect(x + inset, y + inset, size - 2 * inset, size - 2 * inset);
    if (this.focused && index === this.cursor) {
      const width = size >= 10 ? 2 : 1.5;
      context.strokeStyle = focusRingColor;
      context.lineWidth = width;
      context.strokeRect(x + width / 2, y + width / 2, size - width, size - width);
    }
  }

  /** Moves the cursor to a seat; keyboard moves also scroll it into view. */
  setCursor(index: number, scroll = true): void {
    if (index < 0 || index >= this.board.size) return;
    const previous = this.cursor;
    this.cursor = index;
    if (previous >= 0 && previous !== index) this.invalidate([previous]);
    this.invalidate([index]);
    if (scroll) this.scrollToCell(index);
    this.callbacks.onCursor(index);
  }

  private scrollToCell(index: number): void {
    const { x, y } = cellOrigin(this.layout, index);
    const size = this.layout.cellSize;
    const view = this.element;
    const margin = 3 * size;
    if (x - margin < view.scrollLeft) view.scrollLeft = Math.max(0, x - margin);
    else if (x + size + margin > view.scrollLeft + view.clientWidth)
      view.scrollLeft = x + size + margin - view.clientWidth;
    // The page scrolls vertically; bring the seat into the window when it is off screen.
    const rect = this.canvas.getBoundingClientRect();
    const top = rect.top + y;
    if (top < 0 || top + size > window.innerHeight) window.scrollBy({ top: top - window.innerHeight / 2 });
  }

  private pointToSeat(event: MouseEvent): number {
    const rect = this.canvas.getBoundingClientRect();
    return seatAt(this.layout, event.clientX - rect.left, event.clientY - rect.top);
  }

  private readonly onPointerDown = (): void => {
    this.pointerPressed = true;
  };

  private readonly onClick = (event: MouseEvent): void => {
    this.pointerPressed = false;
    const index = this.pointToSeat(event);
    if (index < 0) return;
    this.setCursor(index, false);
    this.callbacks.onToggle(index);
  };

  private readonly onPointerMove = (event: PointerEvent): void => {
    this.lastPointer = { x: event.clientX, y: event.clientY };
    if (this.hoverFrame) return;
    this.hoverFrame = requestAnimationFrame(() => {
      this.hoverFrame = 0;
      if (!this.lastPointer) return;
      const rect = this.canvas.getBoundingClientRect();
      const index = seatAt(this.layout, this.lastPointer.x - rect.left, this.lastPointer.y - rect.top);
      if (index === this.hovered) return;
      this.hovered = index;
      this.canvas.style.cursor = index >= 0 ? "pointer" : "default";
      this.callbacks.onHover(index);
    });
  };

  private readonly onPointerLeave = (): void => {
    this.lastPointer = null;
    if (this.hovered !== -1) {
      this.hovered = -1;
      this.callbacks.onHover(-1);
    }
  };

  private readonly onKeyDown = (event: KeyboardEvent): void => {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    if (this.board.size === 0) return;
    if (isNavigationKey(event.key)) {
      event.preventDefault();
      this.setCursor(this.cursor < 0 ? 0 : moveCursor(this.layout, this.cursor, event.key));
    } else if (event.key === " " || event.key === "Enter") {
      event.preventDefault();
      if (this.cursor >= 0) this.callbacks.onToggle(this.cursor);
    }
  };

  private readonly onFocus = (): void => {
    this.focused = true;
    if (this.board.size === 0) return;
    if (this.pointerPressed) {
      this.pointerPressed = false;
      if (this.cursor >= 0) this.invalidate([this.cursor]);
      return;
    }
    if (this.cursor < 0) {
      const firstAvailable = this.board.status.indexOf(0);
      this.cursor = firstAvailable >= 0 ? firstAvailable : 0;
    }
    this.setCursor(this.cursor);
  };

  private readonly onBlur = (): void => {
    this.focused = false;
    this.pointerPressed = false;
    if (this.cursor >= 0) this.invalidate([this.cursor]);
  };

  destroy(): void {
    if (this.frame) cancelAnimationFrame(this.frame);
    if (this.hoverFrame) cancelAnimationFrame(this.hoverFrame);
    this.element.remove();
  }
}
