// What the seat map shows beside the seats: each section's price (always visible, not only when a
// seat is pointed at) and where the stage is (in front of the first section), from the layout.
import { h } from "../../dom.ts";
import { formatMoney } from "../../format.ts";
import type { PublicLayout } from "../../seatmap/compact.ts";

export function sectionPrices(layout: PublicLayout, currency: string): HTMLElement {
  return h(
    "ul",
    { class: "section-prices", id: "section-prices", "aria-label": "Prices by section" },
    layout.sections.map((section) =>
      h(
        "li",
        { "data-section": section.name },
        h("span", { class: "section-name" }, section.name),
        " ",
        h("span", { class: "price" }, formatMoney(section.priceCents, currency)),
      ),
    ),
  );
}

/** "Pitch Standing · £89.50": a section's heading on the canvas. */
export function sectionHeadings(layout: PublicLayout, currency: string): (name: string) => string {
  const prices = new Map(layout.sections.map((section) => [section.name, section.priceCents]));
  return (name) => {
    const price = prices.get(name);
    return price === undefined ? name : `${name} · ${formatMoney(price, currency)}`;
  };
}

/** A bar across the top of the map, where the first section's row 1 faces; null when none is recorded. */
export function stageMarker(layout: PublicLayout): HTMLElement | null {
  if (!layout.stage) return null;
  return h(
    "div",
    {
      class: "stage-marker",
      id: "stage-marker",
      role: "img",
      "aria-label": `${layout.stage.label}: in front of ${layout.sections[0]?.name ?? "the seats"}`,
    },
    layout.stage.label,
  );
}
