// The event aggregate as the catalog and the booking core see it.

export interface WaitingRoomSettings {
  enabled: boolean;
  maxActiveShoppers: number;
  admitPerMinute: number;
  tokenTtlSeconds: number;
}

export const waitingRoomDefaults: WaitingRoomSettings = {
  enabled: false,
  maxActiveShoppers: 1_000,
  admitPerMinute: 6_000,
  tokenTtlSeconds: 900,
};

export function normalizeWaitingRoom(
  input: Partial<WaitingRoomSettings> | null | undefined,
): WaitingRoomSettings {
  return { ...waitingRoomDefaults, ...(input ?? {}) };
}

export interface RowInput {
  label: string;
  seats: number;
}
export interface SectionInput {
  name: string;
  priceCents: number;
  rows: RowInput[];
}

export const countSeats = (sections: SectionInput[]): number =>
  sections.reduce((total, section) => total + section.rows.reduce((sum, row) => sum + row.seats, 0), 0);

/** Duplicate section names or row labels within a section make seats ambiguous. */
export function findDuplicateLabel(sections: SectionInput[]): string | null {
  const sectionNames = new Set<string>();
  for (const [index, section] of sections.entries()) {
    if (sectionNames.has(section.name)) return `sections[${index}].name`;
    sectionNames.add(section.name);
    const labels = new Set<string>();
    for (const [rowIndex, row] of section.rows.entries()) {
      if (labels.has(row.label)) return `sections[${index}].rows[${rowIndex}].label`;
      labels.add(row.label);
    }
  }
  return null;
}

export type TicketStatus = "available" | "reserved" | "booked";

export interface Ticket {
  id: string;
  section: string;
  row: string;
  seat: number;
  priceCents: number;
  status: TicketStatus;
}
