// The seat-map panel: the canvas map with its toolbar (legend, zoom, live status), the line that
// describes the seat under the pointer or cursor, and the live region that reads out the cursor.
import { h } from "../../dom.ts";
import { SeatMapView } from "../../seatmap/view.ts";
import type { EventSeats } from "./seats.ts";

export interface MapPanelParts {
  seats: EventSeats;
  eventName: string;
  legend: HTMLElement;
  /** Each section's price, shown with the legend. */
  prices: HTMLElement;
  /** A section's heading on the map (its name and price). */
  sectionHeading(name: string): string;
  /** Where the stage is, above the map (null: not recorded). */
  stage: HTMLElement | null;
  liveStatus: HTMLElement;
  /** A seat was picked (click, Space or Enter). */
  onToggle(index: number): void;
}

export interface MapPanel {
  element: HTMLElement;
  view: SeatMapView;
  seatInfo: HTMLElement;
}

export function seatMapPanel(parts: MapPanelParts): MapPanel {
  const { seats, eventName, legend, prices, stage, liveStatus, onToggle, sectionHeading } = parts;
  const seatInfo = h(
    "p",
    { id: "seat-info", class: "seat-info" },
    "Point at a seat or focus the map and use the arrow keys.",
  );
  const cursorAnnouncer = h("div", { id: "seat-cursor", class: "visually-hidden", "aria-live": "polite" });
  const view = new SeatMapView(
    seats.board,
    {
      kindOf: (index) => seats.kindOf(index),
      onToggle,
      onCursor(index) {
        const text = seats.describe(index);
        seatInfo.textContent = text;
        cursorAnnouncer.textContent = text;
      },
      onHover(index) {
        if (index >= 0) seatInfo.textContent = seats.describe(index);
      },
      sectionHeading,
    },
    `Seats for ${eventName}`,
  );
  const element = h(
    "section",
    { class: "map-panel", "aria-label": "Seat map" },
    h("div", { class: "map-toolbar" }, legend, zoomControls(view), liveStatus),
    prices,
    stage,
    view.element,
    seatInfo,
    cursorAnnouncer,
  );
  return { element, view, seatInfo };
}

function zoomControls(view: SeatMapView): HTMLElement {
  const zoomOut = h(
    "button",
    { type: "button", class: "icon", "aria-label": "Zoom out of the seat map" },
    "−",
  );
  const zoomIn = h("button", { type: "button", class: "icon", "aria-label": "Zoom in to the seat map" }, "+");
  zoomOut.addEventListener("click", () => view.zoom(-1));
  zoomIn.addEventListener("click", () => view.zoom(1));
  return h("div", { class: "zoom" }, zoomOut, zoomIn);
}
