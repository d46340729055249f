// Ids are strings. A ticket id embeds its event id (`<eventId>.<seat ordinal>`), so a reserve by
// ticket id is routed to the event's actor without a database lookup.
import { randomBytes } from "node:crypto";
import { ticketsPerRequestMax } from "./limits.ts";

/** Ids of events, venues, performers... (and the event part of a ticket id): URL- and key-safe. */
export const idPattern = /^[A-Za-z0-9_.-]{1,100}$/;

const alphabet = "0123456789abcdefghjkmnpqrstvwxyz"; // Crockford base32, lower case

export function newId(prefix: string, bytes = 10): string {
  const random = randomBytes(bytes);
  let out = prefix + "_";
  for (const byte of random) out += alphabet[byte & 31];
  return out;
}

/**
 * Ids of bookings and payments carry their event: `<prefix>_<random>.<eventId>` (e.g.
 * `bk_0j5m8q2x4c.ev_7h3k9p1w2z`), so a read by booking or payment id names one partition of the
 * tables partitioned by event (migration 0360). Clients see them as opaque strings.
 */
export const newEventScopedId = (prefix: string, eventId: string): string => `${newId(prefix)}.${eventId}`;

/** Longest event-scoped id: a prefix of up to 8 letters, its random part, a dot, an event id. */
export const eventScopedIdLengthMax = 8 + 1 + 16 + 1 + 100;

/** Booking and payment ids as routes take them: the event-scoped ones and the older ones without. */
export const eventScopedIdPattern = new RegExp(`^[A-Za-z0-9_.-]{1,${eventScopedIdLengthMax}}$`);

/**
 * The event a booking or payment id names (newEventScopedId), or null for an id made before ids
 * carried it (`bk_<random>`): then a read finds the row by its id index across partitions. The one
 * parsing of these ids: every read by booking or payment id goes through it.
 */
export function eventOfScopedId(id: string): string | null {
  const match = /^[a-z]{1,8}_[0-9a-z]{1,16}\.(.+)$/.exec(id);
  return match && idPattern.test(match[1]) ? match[1] : null;
}

export const ticketId = (eventId: string, ordinal: number): string => `${eventId}.${ordinal}`;

/** Splits a ticket id into event id and ordinal; null when it is not one. */
export function parseTicketId(id: string): { eventId: string; ordinal: number } | null {
  const dot = id.lastIndexOf(".");
  if (dot <= 0) return null;
  const ordinalText = id.slice(dot + 1);
  if (!/^(0|[1-9][0-9]{0,6})$/.test(ordinalText)) return null;
  return { eventId: id.slice(0, dot), ordinal: Number(ordinalText) };
}

/** Ticket ids read together: the one event they name and their ordinals, else why they do not. */
export type TicketIdsReading =
  { eventId: string; ordinals: number[] } | { notTicketIds: string[] } | { mixedEvents: true };

/**
 * Reads the ticket ids of one request: each must be `<eventId>.<ordinal>` with an event id matching
 * `idPattern`, and all must name the same event. The one derivation of an event id from ticket ids:
 * the booking service's (to refuse or run the request) and the Shard strategy's (to route it).
 */
export function readTicketIds(ids: readonly string[]): TicketIdsReading {
  const notTicketIds: string[] = [];
  const ordinals: number[] = [];
  let eventId: string | null = null;
  let mixedEvents = false;
  for (const id of ids) {
    const parsed = parseTicketId(id);
    if (!parsed || !idPattern.test(parsed.eventId)) {
      notTicketIds.push(id);
      continue;
    }
    eventId ??= parsed.eventId;
    if (parsed.eventId !== eventId) mixedEvents = true;
    ordinals.push(parsed.ordinal);
  }
  if (notTicketIds.length > 0) return { notTicketIds };
  if (mixedEvents || eventId === null) return { mixedEvents: true };
  return { eventId, ordinals };
}

/**
 * The event a request's params name, for routing (the Shard strategy's key, moleculer.config.ts): its
 * `eventId`, else the event of its `ticketId` or `ticketIds`. Null (routed to any node, whose
 * validation then refuses the request) when they name none: not an object, ids that are not ticket
 * ids, tickets of several events, more than `ticketsPerRequestMax` ids. Never throws.
 */
export function requestEventId(params: unknown): string | null {
  if (typeof params !== "object" || params === null) return null;
  const { eventId, ticketId, ticketIds } = params as Record<string, unknown>;
  if (eventId !== undefined) return typeof eventId === "string" && idPattern.test(eventId) ? eventId : null;
  const ids = ticketIds ?? (ticketId === undefined ? undefined : [ticketId]);
  if (!Array.isArray(ids) || ids.length < 1 || ids.length > ticketsPerRequestMax) return null;
  if (!ids.every((id): id is string => typeof id === "string")) return null;
  const reading = readTicketIds(ids);
  return "eventId" in reading ? reading.eventId : null;
}
