// Answers of the waiting list (also pushed as the Socket.IO `waitlist` event) and of a cancellation.
import type { JsonSchema } from "../json-schema.ts";
import { closedObject, dateTime, ref, ticketIdString } from "./common.ts";
import type { RouteAnswers } from "../route-answers.ts";

export const waitlistSchemas: Record<string, JsonSchema> = {
  WaitlistEntry: closedObject(
    {
      status: { type: "string", enum: ["waiting", "offered", "expired", "booked"] },
      position: { type: "integer", minimum: 1, description: "While waiting: 1 = next in line" },
      offer: {
        ...closedObject({
          ticketIds: { type: "array", minItems: 1, items: ticketIdString },
          expiresAt: { ...dateTime, description: "The offer is a hold in the caller's name until then" },
        }),
        description: "While offered: seats held for the caller; confirm them with POST /booking/confirm",
      },
    },
    ["position", "offer"],
  ),
  WaitlistLeft: closedObject({
    left: { type: "boolean", description: "false when the caller was not on the list" },
  }),
  Cancellation: closedObject({ booking: ref("Booking") }),
};

export const waitlistRouteAnswers: Record<string, RouteAnswers> = {
  "booking.waitlistJoin": {
    status: 201,
    description: "On the list (joining again answers the first entry, its place kept)",
    schema: ref("WaitlistEntry"),
    headers: ["Location"],
    errors: {
      "409":
        "TICKETS_AVAILABLE: the quantity asked for is available now: reserve it instead; " +
        "TICKET_LIMIT_REACHED: the seats the caller holds and booked plus the quantity exceed the event's ticketsPerUserMax",
    },
  },
  "booking.waitlistStatus": {
    status: 200,
    description: "The caller's entry (404 when the caller never joined or left)",
    schema: ref("WaitlistEntry"),
  },
  "booking.waitlistLeave": { status: 200, description: "Off the list", schema: ref("WaitlistLeft") },
  "booking.cancelBooking": {
    status: 200,
    description:
      "Cancelled (a second cancel answers the same booking): refunded, its seats back to sale or to the waiting list",
    schema: ref("Cancellation"),
    requestHeaders: ["IdempotencyKey"],
  },
};
