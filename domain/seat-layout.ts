// Where each ticket ordinal sits: section, row and seat number, derived from the event's sections
// without loading a row per seat. The order mirrors how the catalog generates tickets (catalog
// insertEvent: row_number() OVER (ORDER BY section, row, seat) - 1), so ordinal N here is ordinal N
// in the tickets table.
import type { SectionInput, Ticket, TicketStatus } from "./event.ts";
import { ticketId } from "./ids.ts";
import { invariant } from "./errors.ts";
import type { PublicLayout, PublicStage } from "./public-layout.ts";

export type { PublicLayout };

export interface RowLayout {
  label: string;
  seats: number;
  /** Ordinal of seat 1 of this row. */
  firstOrdinal: number;
}

export interface SectionLayout {
  name: string;
  priceCents: number;
  rows: RowLayout[];
  firstOrdinal: number;
  seatCount: number;
}

export interface SeatLayout {
  sections: SectionLayout[];
  total: number;
}

export function buildSeatLayout(sections: SectionInput[]): SeatLayout {
  let ordinal = 0;
  const result: SectionLayout[] = [];
  for (const section of sections) {
    const firstOrdinal = ordinal;
    const rows: RowLayout[] = [];
    for (const row of section.rows) {
      rows.push({ label: row.label, seats: row.seats, firstOrdinal: ordinal });
      ordinal += row.seats;
    }
    result.push({
      name: section.name,
      priceCents: section.priceCents,
      rows,
      firstOrdinal,
      seatCount: ordinal - firstOrdinal,
    });
  }
  return { sections: result, total: ordinal };
}

/** Price of every ordinal, for summing a booking without walking the layout. */
export function pricesByOrdinal(layout: SeatLayout): Uint32Array {
  const prices = new Uint32Array(layout.total);
  for (const section of layout.sections) {
    prices.fill(section.priceCents, section.firstOrdinal, section.firstOrdinal + section.seatCount);
  }
  return prices;
}

/** Public status codes of a seat map snapshot (one byte per ordinal). */
export const publicStatusCodes: readonly TicketStatus[] = ["available", "reserved", "booked"];

/** The contract's Ticket list from a layout and one status byte per ordinal. */
export function ticketsFromStatuses(eventId: string, layout: SeatLayout, statuses: Uint8Array): Ticket[] {
  invariant(statuses.length === layout.total, "seat map: status count differs from the layout");
  const tickets: Ticket[] = new Array(layout.total);
  for (const section of layout.sections) {
    for (const row of section.rows) {
      for (let seat = 1; seat <= row.seats; seat++) {
        const ordinal = row.firstOrdinal + seat - 1;
        tickets[ordinal] = {
          id: ticketId(eventId, ordinal),
          section: section.name,
          row: row.label,
          seat,
          priceCents: section.priceCents,
          status: publicStatusCodes[statuses[ordinal]],
        };
      }
    }
  }
  return tickets;
}

/** What the layout says beside the seats: the event's currency (ISO 4217) and its stage, if any. */
export interface LayoutExtras {
  currency: string;
  stage: { label: string } | null;
}

/** Sections with their rows, each row's seats and its first ordinal (ticket id `<eventId>.<ordinal>`). */
export function publicLayout(eventId: string, layout: SeatLayout, extras: LayoutExtras): PublicLayout {
  const stage: PublicStage | null = extras.stage ? { label: extras.stage.label, position: "front" } : null;
  return {
    eventId,
    currency: extras.currency,
    ticketCount: layout.total,
    sections: layout.sections.map((section) => ({
      name: section.name,
      priceCents: section.priceCents,
      rows: section.rows.map((row) => ({
        label: row.label,
        seats: row.seats,
        firstOrdinal: row.firstOrdinal,
      })),
    })),
    ...(stage ? { stage } : {}),
  };
}
