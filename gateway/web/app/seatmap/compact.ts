// A seat snapshot from the static layout (`GET /events/:id/layout`, cached for good) and the compact
// statuses (one character a ticket): no per-seat JSON to download or parse, so a 100,000-seat map
// arrives in ~20 KB (gzipped) and is built in a few milliseconds.
import { compactStatusCodes, type Layout } from "../../../../client/src/index.ts";
import { seatStatuses, type CompactSnapshot, type SeatSnapshot, type TicketView } from "./board.ts";

/** `GET /events/:id/layout`. */
export type PublicLayout = Layout;

/** Every ticket of the layout in ordinal order (ticket id `<eventId>.<ordinal>`), with its status. */
export function snapshotFromCompact(layout: PublicLayout, compact: CompactSnapshot): SeatSnapshot {
  const codes = compactStatusCodes(compact.statuses);
  if (codes.length !== layout.ticketCount)
    throw new Error(`the seat map has ${codes.length} statuses for ${layout.ticketCount} tickets`);
  const tickets = new Array<TicketView>(layout.ticketCount);
  for (const section of layout.sections)
    for (const row of section.rows)
      for (let seat = 1; seat <= row.seats; seat++) {
        const ordinal = row.firstOrdinal + seat - 1;
        tickets[ordinal] = {
          id: `${layout.eventId}.${ordinal}`,
          section: section.name,
          row: row.label,
          seat,
          priceCents: section.priceCents,
          status: seatStatuses[codes[ordinal]],
        };
      }
  return { version: compact.version, tickets };
}
