// Answers of the catalog: performers, venues, events, their seat maps and layouts.
import type { JsonSchema } from "../json-schema.ts";
import { cents, closedObject, count, dateTime, idString, ref, seatStatus, seatVersion } from "./common.ts";

const nullableString: JsonSchema = { type: ["string", "null"] };
const nullableNumber: JsonSchema = { type: ["number", "null"] };
const currency: JsonSchema = {
  type: "string",
  pattern: "^[A-Z]{3}$",
  description: "ISO 4217; every `priceCents` and amount of the event is in its minor unit (0 to 3 digits)",
};

const sectionSummary = closedObject({
  name: { type: "string" },
  priceCents: cents,
  rows: { ...count, description: "Rows in the section (their seats are in the layout)" },
});

const layoutRow = closedObject({
  label: { type: "string" },
  seats: { type: "integer", minimum: 1 },
  firstOrdinal: {
    ...count,
    description: "Ordinal of seat 1 of the row: its tickets are `<eventId>.<firstOrdinal + seat - 1>`",
  },
});

const eventPageParts = {
  event: ref("Event"),
  venue: ref("Venue"),
  performers: { type: "array", items: ref("Performer") },
};

export const catalogSchemas: Record<string, JsonSchema> = {
  Performer: closedObject({ id: idString, name: { type: "string" }, genre: nullableString }),
  Venue: closedObject({
    id: idString,
    name: { type: "string" },
    city: { type: "string" },
    country: { type: "string" },
    lat: nullableNumber,
    lng: nullableNumber,
    timeZone: {
      type: "string",
      description: "IANA time zone of the venue (e.g. Europe/London) or UTC; times in the API stay UTC",
    },
  }),
  WaitingRoomSettings: closedObject({
    enabled: { type: "boolean" },
    maxActiveShoppers: { type: "integer", minimum: 1 },
    admitPerMinute: { type: "integer", minimum: 1 },
    tokenTtlSeconds: { type: "integer", minimum: 1 },
  }),
  Event: closedObject({
    id: idString,
    name: { type: "string" },
    description: { type: "string" },
    type: { type: "string" },
    startsAt: dateTime,
    onSaleAt: dateTime,
    venueId: idString,
    performerIds: { type: "array", items: idString },
    waitingRoom: ref("WaitingRoomSettings"),
    ticketsPerUserMax: { type: "integer", minimum: 1 },
    ticketCount: count,
    currency,
    sections: { type: "array", items: sectionSummary },
  }),
  CreatedEvent: closedObject({ event: ref("Event"), ticketCount: count }),
  DeletedEvent: closedObject({ id: idString, deleted: { const: true } }),
  Ticket: closedObject({
    id: idString,
    section: { type: "string" },
    row: { type: "string" },
    seat: { type: "integer", minimum: 1 },
    priceCents: cents,
    status: seatStatus,
  }),
  CompactStatuses: {
    type: "string",
    pattern: "^[ARBX]*$",
    description:
      "One character per ticket in ordinal order (ticket id `<eventId>.<ordinal>`): A available, " +
      "R reserved, B booked, X not for sale",
  },
  EventPage: closedObject({
    ...eventPageParts,
    tickets: { type: "array", items: ref("Ticket") },
    version: seatVersion,
  }),
  CompactEventPage: closedObject({
    ...eventPageParts,
    statuses: ref("CompactStatuses"),
    version: seatVersion,
  }),
  SeatMap: closedObject({
    eventId: idString,
    version: seatVersion,
    tickets: { type: "array", items: ref("Ticket") },
  }),
  CompactSeatMap: closedObject({ eventId: idString, version: seatVersion, statuses: ref("CompactStatuses") }),
  Layout: closedObject(
    {
      eventId: idString,
      currency,
      ticketCount: { ...count, description: "Tickets in all: the length of the compact map's `statuses`" },
      sections: {
        type: "array",
        items: closedObject({
          name: { type: "string" },
          priceCents: cents,
          rows: { type: "array", items: layoutRow },
        }),
      },
      stage: closedObject({
        label: { type: "string" },
        position: { const: "front", description: "In front of the first section (its row 1)" },
      }),
    },
    ["stage"],
  ),
};
