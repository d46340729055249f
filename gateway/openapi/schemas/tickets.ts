// Answers of e-tickets, check-in and the organiser's reads (v1.1).
import type { JsonSchema } from "../json-schema.ts";
import { cents, closedObject, count, dateTime, idString, ref, ticketIdString } from "./common.ts";

const nextCursor: JsonSchema = {
  type: ["string", "null"],
  description: "Opaque: send it back as `cursor` for the next page; null on the last page",
};

export const ticketSchemas: Record<string, JsonSchema> = {
  ETicket: closedObject({
    ticketId: ticketIdString,
    section: { type: "string" },
    row: { type: "string" },
    seat: { type: "integer", minimum: 1 },
    code: {
      type: "string",
      description:
        "`<payload>.<signature>` in base64url: payload `1|<eventId>|<ordinal>|<bookingId>`, Ed25519 " +
        "signature with the event's key (GET /admin/events/{eventId}/ticket-key verifies it offline)",
    },
  }),
  CheckIn: closedObject({
    ticketId: ticketIdString,
    eventId: idString,
    checkedInAt: dateTime,
    holder: closedObject({ userId: idString }),
  }),
  TicketKey: closedObject({
    eventId: idString,
    algorithm: { const: "Ed25519" },
    publicKey: { type: "string", description: "The raw 32-byte public key, base64url" },
    jwk: closedObject({ kty: { const: "OKP" }, crv: { const: "Ed25519" }, x: { type: "string" } }),
    codeVersion: { const: 1 },
  }),
  VenueList: closedObject({ venues: { type: "array", items: ref("Venue") }, nextCursor }),
  PerformerList: closedObject({ performers: { type: "array", items: ref("Performer") }, nextCursor }),
  OrganiserBooking: closedObject({
    id: idString,
    eventId: idString,
    userId: idString,
    ticketIds: { type: "array", minItems: 1, items: ticketIdString },
    amountCents: cents,
    status: { type: "string", enum: ["confirmed", "cancelled"] },
    paymentId: idString,
    createdAt: dateTime,
  }),
  EventBookings: closedObject({ bookings: { type: "array", items: ref("OrganiserBooking") }, nextCursor }),
  EventSales: closedObject({
    eventId: idString,
    capacity: { ...count, description: "Seats in all: available + reserved + booked" },
    available: count,
    reserved: { ...count, description: "Held (or being paid for) right now" },
    booked: { ...count, description: "The seats of the bookings that stand" },
    bookings: { ...count, description: "Confirmed bookings" },
    revenueCents: { ...cents, description: "What the bookings that stand were paid, in `currency`" },
    refundedCents: { ...cents, description: "What was paid back" },
    currency: { type: "string", pattern: "^[A-Z]{3}$" },
    checkedIn: { ...count, description: "Tickets of bookings that stand let in at the door" },
  }),
};
