// Answers of booking: holds, bookings, payments.
import type { JsonSchema } from "../json-schema.ts";
import { cents, closedObject, dateTime, idString, ref, ticketIdString } from "./common.ts";

const ticketIds: JsonSchema = { type: "array", minItems: 1, items: ticketIdString };

export const bookingSchemas: Record<string, JsonSchema> = {
  Hold: closedObject({
    eventId: idString,
    ticketIds,
    expiresAt: { ...dateTime, description: "When the hold lapses unless confirmed" },
  }),
  Release: closedObject({
    eventId: idString,
    ticketIds: { type: "array", items: ticketIdString, description: "The caller's holds that ended" },
  }),
  Booking: closedObject(
    {
      id: idString,
      eventId: idString,
      ticketIds,
      amountCents: cents,
      status: { type: "string", enum: ["confirmed", "cancelled"] },
      paymentId: idString,
      createdAt: dateTime,
      tickets: {
        type: "array",
        items: ref("ETicket"),
        description:
          "A confirmed booking's e-tickets, one per seat (GET /bookings, GET /bookings/{bookingId})",
      },
    },
    ["tickets"],
  ),
  Confirmation: closedObject({ booking: ref("Booking") }),
  BookingList: closedObject({ bookings: { type: "array", items: ref("Booking") } }),
  Payment: closedObject({
    id: idString,
    status: { type: "string", enum: ["pending", "captured", "declined", "refunded"] },
    amountCents: cents,
    eventId: idString,
    bookingId: { type: ["string", "null"] },
  }),
};
