// Shared pieces of the answer schemas: references, ids, times, the contract's error body.
import { publicErrorCodes } from "../../../domain/errors.ts";
import type { JsonSchema } from "../json-schema.ts";

/** A reference to a schema of `components.schemas`. */
export const ref = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });

/** A closed object: every property listed, those in `required` always present. */
export function closedObject(properties: Record<string, JsonSchema>, optional: string[] = []): JsonSchema {
  return {
    type: "object",
    additionalProperties: false,
    required: Object.keys(properties).filter((name) => !optional.includes(name)),
    properties,
  };
}

export const idString: JsonSchema = { type: "string", minLength: 1 };
export const dateTime: JsonSchema = { type: "string", format: "date-time" };
export const cents: JsonSchema = { type: "integer", minimum: 0 };
export const count: JsonSchema = { type: "integer", minimum: 0 };
/** A seat-state version: 0 for a map nobody changed yet, +1 per committed change. */
export const seatVersion: JsonSchema = { type: "integer", minimum: 0 };
export const seatStatus: JsonSchema = { type: "string", enum: ["available", "reserved", "booked"] };
/** `<eventId>.<ordinal>`. */
export const ticketIdString: JsonSchema = { type: "string", minLength: 1 };

export const errorSchemas: Record<string, JsonSchema> = {
  ErrorCode: {
    type: "string",
    enum: publicErrorCodes,
    description: "The error's code; each comes with one status (see the responses that name it).",
  },
  Error: closedObject({
    error: closedObject(
      {
        code: ref("ErrorCode"),
        message: { type: "string", minLength: 1, description: "A sentence for people; never parsed" },
        details: {
          type: "object",
          description:
            "Facts for programs: `field` and `problems` (VALIDATION_ERROR), `ticketIds` " +
            "(TICKET_UNAVAILABLE), `paymentId` (PAYMENT_REFUNDED), ...",
        },
      },
      ["details"],
    ),
  }),
};
