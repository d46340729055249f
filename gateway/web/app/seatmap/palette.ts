// Colours of the seat map and its legend, in one place (the canvas and the CSS swatches use them).
// Chosen to differ in lightness as well as hue, so they stay apart for colour-blind eyes too.

export type CellKind = "available" | "reserved" | "booked" | "mine" | "selected";

export const cellColors: Record<CellKind, string> = {
  available: "#2e7d32",
  reserved: "#f2b33d",
  booked: "#b0b4ba",
  mine: "#1e5bd7",
  selected: "#8e24aa",
};

export const focusRingColor = "#111111";
export const mapBackground = "#ffffff";
export const labelColor = "#333333";

export const legendLabels: Record<CellKind, string> = {
  available: "Available",
  reserved: "Reserved",
  booked: "Booked",
  mine: "Mine",
  selected: "Selected",
};

/** "#rrggbb" -> [r, g, b]. */
export function rgb(color: string): [number, number, number] {
  const value = Number.parseInt(color.slice(1), 16);
  return [(value >> 16) & 255, (value >> 8) & 255, value & 255];
}
