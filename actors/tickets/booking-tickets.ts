// The e-tickets of bookings as their owner reads them: one per booked seat of a confirmed booking,
// with its seat and its signed code (a cancelled booking shows none: its codes no longer check in).
import type { Database } from "../../platform/database.ts";
import { parseTicketId } from "../../domain/ids.ts";
import { ticketsPerBookingMax } from "../../domain/limits.ts";
import type { BookingView } from "../payments/payments.repository.ts";
import { signTicketCode } from "./ticket-code.ts";
import type { TicketKeyStore } from "./ticket-keys.ts";

export interface ETicket {
  ticketId: string;
  section: string;
  row: string;
  seat: number;
  code: string;
}

type Seat = { section: string; row: string; seat: number };

async function seatsOf(db: Database, bookings: BookingView[]): Promise<Map<string, Seat>> {
  const events: string[] = [];
  const ordinals: number[] = [];
  for (const booking of bookings)
    for (const id of booking.ticketIds.slice(0, ticketsPerBookingMax)) {
      const parsed = parseTicketId(id)!;
      events.push(parsed.eventId);
      ordinals.push(parsed.ordinal);
    }
  const seats = new Map<string, Seat>();
  if (events.length === 0) return seats;
  const { rows } = await db.query(
    `SELECT t.event_id, t.ordinal, t.section, t.row_label, t.seat
     FROM unnest($1::text[], $2::int[]) AS wanted (event_id, ordinal)
     JOIN tickets t ON t.event_id = wanted.event_id AND t.ordinal = wanted.ordinal
     WHERE t.event_id = ANY ($1::text[]) AND t.ordinal = ANY ($2::int[])`, // the bookings' partitions and seats only
    [events, ordinals],
  );
  for (const row of rows)
    seats.set(`${row.event_id}.${row.ordinal}`, { section: row.section, row: row.row_label, seat: row.seat });
  return seats;
}

/** Each booking with `tickets` when it is confirmed (the codes signed with its event's key). */
export async function withTickets(
  db: Database,
  keys: TicketKeyStore,
  bookings: BookingView[],
): Promise<(BookingView & { tickets?: ETicket[] })[]> {
  const confirmed = bookings.filter((booking) => booking.status === "confirmed");
  const seats = await seatsOf(db, confirmed);
  return Promise.all(
    bookings.map(async (booking) => {
      if (booking.status !== "confirmed") return booking;
      const { privateKeyObject } = await keys.keysOf(booking.eventId);
      const tickets = booking.ticketIds.slice(0, ticketsPerBookingMax).map((ticketId) => {
        const { ordinal } = parseTicketId(ticketId)!;
        const seat = seats.get(ticketId)!;
        const code = signTicketCode(
          { eventId: booking.eventId, ordinal, bookingId: booking.id },
          privateKeyObject,
        );
        return { ticketId, ...seat, code };
      });
      return { ...booking, tickets };
    }),
  );
}
