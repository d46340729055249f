// Ids are strings. A ticket id embeds its event id (`<eventId>.<seat ordinal>`), so a reserve by
// ticket id is routed to the event's actor without a database lookup.
import { randomBytes } from "node:crypto";

/** Ids of events, venues, performers... (and the event part of a ticket id): URL- and key-safe. */
export const idPattern = /^[A-Za-z0-9_.-]{1,100}$/;

const alphabet = "0123456789abcdefghjkmnpqrstvwxyz"; // Crockford base32, lower case

export function newId(prefix: string, bytes = 10): string {
  const random = randomBytes(bytes);
  let out = prefix + "_";
  for (const byte of random) out += alphabet[byte & 31];
  return out;
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
