// The parameter schemas (fastest-validator) and bulkhead shared by the booking actions, and the
// caller every user-facing action requires.
import { idPattern } from "../../domain/ids.ts";
import { nameLengthMax, ticketsPerRequestMax } from "../../domain/limits.ts";

const ticketIdSchema = { type: "string", min: 1, max: 120 };
export const ticketSelectionSchema = {
  ticketId: { ...ticketIdSchema, optional: true },
  ticketIds: { type: "array", min: 1, max: ticketsPerRequestMax, items: ticketIdSchema, optional: true },
};
export const eventIdSchema = { type: "string", pattern: idPattern };
/** Best available: `eventId` + `quantity` (and filters) instead of ticket ids. */
export const bestAvailableSchema = {
  eventId: { ...eventIdSchema, optional: true },
  quantity: { type: "number", integer: true, min: 1, max: ticketsPerRequestMax, optional: true },
  section: { type: "string", min: 1, max: nameLengthMax, optional: true },
  maxPriceCents: { type: "number", integer: true, min: 0, max: Number.MAX_SAFE_INTEGER, optional: true },
  adjacent: { type: "boolean", optional: true },
};

/**
 * Seat commands are bounded by the actors' mailboxes (actorMailboxMax per event, 503 beyond), not by
 * the default bulkhead: a group commit needs the next batch to gather while the current one commits.
 */
export const internalBulkhead = { enabled: true, concurrency: 50_000, maxQueueSize: 0 };
