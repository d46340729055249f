// Turns the tickets named in a request (`ticketId` or `ticketIds`) into one event and its ordinals.
// A ticket id embeds its event id, so no lookup is needed to route the command to the event's actor.
import { MarqueeError, validationError } from "../domain/errors.ts";
import { parseTicketId } from "../domain/ids.ts";
import { ticketsPerRequestMax } from "../domain/limits.ts";

export interface TicketSelection {
  eventId: string;
  ordinals: number[];
}

const eventIdPattern = /^[A-Za-z0-9_.-]{1,100}$/;

export function selectTickets(params: { ticketId?: string; ticketIds?: string[] }): TicketSelection {
  if ((params.ticketId === undefined) === (params.ticketIds === undefined))
    throw validationError("ticketIds", "Give either ticketId or ticketIds");
  const named = params.ticketIds ?? [params.ticketId!];
  const unique = [...new Set(named)];
  if (unique.length < 1 || unique.length > ticketsPerRequestMax)
    throw validationError("ticketIds", `Name 1 to ${ticketsPerRequestMax} tickets`);
  const parsed = unique.map((id) => ({ id, parsed: parseTicketId(id) }));
  const unknown = parsed.filter((item) => !item.parsed || !eventIdPattern.test(item.parsed.eventId));
  if (unknown.length > 0)
    throw new MarqueeError("NOT_FOUND", "Ticket not found", { ticketIds: unknown.map((item) => item.id) });
  const eventId = parsed[0].parsed!.eventId;
  if (parsed.some((item) => item.parsed!.eventId !== eventId))
    throw validationError("ticketIds", "All tickets of one request must belong to the same event");
  return { eventId, ordinals: parsed.map((item) => item.parsed!.ordinal) };
}
