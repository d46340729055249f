// The seat map's legend: a swatch and a live count for each kind of cell.
import { h } from "../../dom.ts";
import { cellColors, legendLabels, type CellKind } from "../../seatmap/palette.ts";

const legendKinds: CellKind[] = ["available", "reserved", "booked", "mine", "selected"];

export class SeatLegend {
  readonly element: HTMLUListElement;
  private readonly counts = new Map<CellKind, HTMLElement>();

  constructor() {
    this.element = h(
      "ul",
      { class: "legend", "aria-label": "Seat map legend" },
      legendKinds.map((kind) => {
        const count = h("span", { class: "count", "data-kind": kind }, "0");
        this.counts.set(kind, count);
        const swatch = h("span", { class: `swatch swatch-${kind}`, "aria-hidden": "true" });
        swatch.style.background = cellColors[kind];
        return h("li", { "data-kind": kind }, swatch, `${legendLabels[kind]} `, count);
      }),
    );
  }

  update(counts: Record<CellKind, number>): void {
    for (const [kind, element] of this.counts) element.textContent = counts[kind].toLocaleString("en-US");
  }
}
