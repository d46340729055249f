// Answers of the event search.
import type { JsonSchema } from "../json-schema.ts";
import { closedObject, count, dateTime, idString } from "./common.ts";

export const searchSchemas: Record<string, JsonSchema> = {
  SearchResult: closedObject(
    {
      id: idString,
      name: { type: "string" },
      type: { type: "string" },
      startsAt: dateTime,
      venue: closedObject(
        {
          name: { type: "string" },
          city: { type: "string" },
          country: { type: "string" },
          timeZone: { type: "string", description: "The venue's IANA time zone (startsAt stays UTC)" },
        },
        ["timeZone"],
      ),
      performers: { type: "array", items: { type: "string" }, description: "Performer names" },
      currency: { type: "string", pattern: "^[A-Z]{3}$", description: "ISO 4217 code of the event's prices" },
      priceFromCents: {
        type: "integer",
        minimum: 0,
        description: "The lowest section price, in the minor unit of `currency`",
      },
      seatsAvailable: {
        type: "integer",
        minimum: 0,
        description: "Seats neither booked nor held when the answer was made (cached a few seconds)",
      },
    },
    ["currency", "priceFromCents", "seatsAvailable"],
  ),
  SearchPage: closedObject({
    total: count,
    totalExact: {
      type: "boolean",
      description: "False when there are more matches than were counted: `total` is a lower bound",
    },
    results: { type: "array", items: { $ref: "#/components/schemas/SearchResult" } },
  }),
};
