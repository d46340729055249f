// The refusals every seat command shares: tickets that do not exist, a deleted event, the sale window
// and the per-user cap. Each answers the failed Outcome, or null when the command may go on.
import { ticketId } from "../ids.ts";
import { fail, type Outcome } from "./decision.ts";
import type { SeatState } from "./state.ts";

/**
 * NOT_FOUND for tickets outside the event, or for a deleted event. The list's shape (its count,
 * integers, no repeats) was checked with the command (command-checks.ts).
 */
export function checkOrdinals(state: SeatState, ordinals: number[]): Outcome | null {
  const unknown = ordinals.filter((ordinal) => ordinal >= state.total);
  if (unknown.length > 0)
    return fail("NOT_FOUND", "Ticket not found", {
      ticketIds: unknown.map((ordinal) => ticketId(state.eventId, ordinal)),
    });
  if (!state.settings.active) return fail("NOT_FOUND", "Event not found");
  return null;
}

/**
 * NOT_ON_SALE before the sale opens and from the moment the event starts; null while on sale.
 * `early`: a valid presale code opened it before onSaleAt (presale.ts checked it first).
 */
export function saleClosed(state: SeatState, now: number, early = false): Outcome | null {
  const { settings } = state;
  if (now < settings.onSaleAt && !early)
    return fail("NOT_ON_SALE", "The sale has not started yet", {
      onSaleAt: new Date(settings.onSaleAt).toISOString(),
    });
  if (now >= settings.startsAt) return fail("NOT_ON_SALE", "The event has already started");
  return null;
}

/** TICKET_LIMIT_REACHED when `more` seats would take the user past the event's cap (held + booked). */
export function userCapReached(state: SeatState, userId: string, more: number): Outcome | null {
  const cap = state.settings.ticketsPerUserMax;
  const entry = state.users.get(userId);
  const taken = entry ? entry.held + entry.booked : 0;
  if (taken + more <= cap) return null;
  return fail("TICKET_LIMIT_REACHED", `At most ${cap} tickets per person for this event (held and booked)`, {
    ticketsPerUserMax: cap,
    taken,
  });
}
