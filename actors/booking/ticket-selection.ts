// Turns the tickets named in a request (`ticketId` or `ticketIds`) into one event and its ordinals,
// and a reserve request (by tickets, or best available by event) into the actor's command.
// A ticket id embeds its event id, so no lookup is needed to route the command to the event's actor:
// the gateway's call already reaches the event's owner (the Shard strategy's key, domain/ids.ts).
import { MarqueeError, validationError } from "../../domain/errors.ts";
import { readTicketIds } from "../../domain/ids.ts";
import { ticketsPerRequestMax } from "../../domain/limits.ts";
import type { Command } from "../../domain/seat-state.ts";

export interface TicketSelection {
  eventId: string;
  ordinals: number[];
}

export function selectTickets(params: { ticketId?: string; ticketIds?: string[] }): TicketSelection {
  // Never null: the validator refuses null in every field (platform/validator.ts).
  const { ticketId, ticketIds } = params;
  if ((ticketId === undefined) === (ticketIds === undefined))
    throw validationError("ticketIds", "Give either ticketId or ticketIds");
  const named = ticketIds ?? [ticketId!];
  const unique = [...new Set(named)];
  if (unique.length < 1 || unique.length > ticketsPerRequestMax)
    throw validationError("ticketIds", `Name 1 to ${ticketsPerRequestMax} tickets`);
  // The same reading as the Shard strategy's (domain/ids.ts), so the request came to the event's owner.
  const reading = readTicketIds(unique);
  if ("notTicketIds" in reading)
    throw new MarqueeError("NOT_FOUND", "Ticket not found", { ticketIds: reading.notTicketIds });
  if ("mixedEvents" in reading)
    throw validationError("ticketIds", "All tickets of one request must belong to the same event");
  return reading;
}

export interface ReserveParams {
  ticketId?: string;
  ticketIds?: string[];
  eventId?: string;
  quantity?: number;
  section?: string;
  maxPriceCents?: number;
  adjacent?: boolean;
}

const bestAvailableFields = ["eventId", "quantity", "section", "maxPriceCents", "adjacent"] as const;

/**
 * The reserve command for a request in one of its three forms: `ticketId`, `ticketIds`, or best
 * available (`eventId` + `quantity`, optionally `section`, `maxPriceCents`, `adjacent`). Mixed or
 * incomplete forms are a 400, and so is best available when the engine has none. The command's hold
 * id is filled in by the actor.
 */
export function reserveCommand(
  params: ReserveParams,
  userId: string,
  bestAvailable = true,
): { eventId: string; command: Command } {
  const byTickets = params.ticketId !== undefined || params.ticketIds !== undefined;
  if (!byTickets && !bestAvailable)
    throw validationError(
      "quantity",
      "Best available is not supported by this booking engine: name ticketId or ticketIds",
    );
  const bestGiven = bestAvailableFields.filter((field) => params[field] !== undefined);
  if (byTickets && bestGiven.length > 0)
    throw validationError(
      bestGiven[0],
      `Give either ticketId, ticketIds, or eventId with quantity (best available): '${bestGiven[0]}' cannot go with ticket ids`,
    );
  if (byTickets) {
    const { eventId, ordinals } = selectTickets(params);
    return { eventId, command: { type: "reserve", userId, ordinals, holdId: "" } };
  }
  if (params.eventId === undefined || params.quantity === undefined)
    throw validationError(
      params.eventId === undefined ? (bestGiven.length > 0 ? "eventId" : "ticketIds") : "quantity",
      "Give either ticketId, ticketIds, or eventId with quantity (best available)",
    );
  const command: Command = { type: "reserveBest", userId, holdId: "", quantity: params.quantity };
  if (params.section !== undefined) command.section = params.section;
  if (params.maxPriceCents !== undefined) command.maxPriceCents = params.maxPriceCents;
  if (params.adjacent !== undefined) command.adjacent = params.adjacent;
  return { eventId: params.eventId, command };
}
