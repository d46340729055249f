// Parameter schemas of the catalog actions (fastest-validator). `$$strict: true` refuses unknown
// fields. The same schemas are the source of the OpenAPI document.
import {
  descriptionLengthMax,
  nameLengthMax,
  rowsPerSectionMax,
  seatsPerRowMax,
  sectionsPerEventMax,
} from "../domain/limits.ts";
import { idPattern } from "../domain/ids.ts";

export { idPattern }; // defined in domain/ids.ts; re-exported for the callers that validate ids with the schemas

export const isoTimestampPattern = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

const name = { type: "string", min: 1, max: nameLengthMax, trim: true };
const id = { type: "string", pattern: idPattern };
// `format` is ignored by fastest-validator and documents the field in /openapi.json.
const timestamp = { type: "string", pattern: isoTimestampPattern, format: "date-time" };
// Checked against the runtime's ISO 4217 list by the action (catalog/money-and-zones.ts).
const currency = {
  type: "string",
  pattern: /^[A-Z]{3}$/,
  optional: true,
  description:
    "ISO 4217 code (e.g. GBP); every priceCents of the event is in its minor unit. Default: the usual " +
    "currency of the venue's country, else USD. PATCH: only before onSaleAt and while no seat was held.",
};

/** Where the stage is: drawn in front of the first section of the seat map. */
export const stageSchema = {
  type: "object",
  strict: true,
  props: { label: { type: "string", min: 1, max: 40, trim: true } },
  description: "Where the stage is, e.g. {label: Stage}: drawn in front of the first section",
};

export const waitingRoomSchema = {
  type: "object",
  strict: true,
  props: {
    enabled: { type: "boolean" },
    maxActiveShoppers: { type: "number", integer: true, min: 1, max: 1_000_000, optional: true },
    admitPerMinute: { type: "number", integer: true, min: 1, max: 10_000_000, optional: true },
    tokenTtlSeconds: { type: "number", integer: true, min: 30, max: 86_400, optional: true },
  },
};

/** PATCH merges into the current settings, so every field may be left out (`enabled` too). */
export const waitingRoomPatchSchema = {
  ...waitingRoomSchema,
  props: { ...waitingRoomSchema.props, enabled: { type: "boolean", optional: true } },
};

export const createPerformerSchema = {
  name,
  genre: { type: "string", min: 1, max: 100, optional: true },
  $$strict: true,
};

export const createVenueSchema = {
  name,
  city: name,
  country: name,
  lat: { type: "number", min: -90, max: 90, optional: true },
  lng: { type: "number", min: -180, max: 180, optional: true },
  // IANA name (e.g. Europe/London) or UTC, checked against the runtime's list by the action.
  timeZone: {
    type: "string",
    min: 1,
    max: 64,
    optional: true,
    description: "IANA time zone, e.g. Europe/London, or UTC (the default); event times are shown in it",
  },
  $$strict: true,
};

export const sectionSchema = {
  type: "object",
  strict: true,
  props: {
    name: { type: "string", min: 1, max: 100 },
    priceCents: { type: "number", integer: true, min: 0, max: 100_000_000 },
    rows: {
      type: "array",
      min: 1,
      max: rowsPerSectionMax,
      items: {
        type: "object",
        strict: true,
        props: {
          label: { type: "string", min: 1, max: 20 },
          seats: { type: "number", integer: true, min: 1, max: seatsPerRowMax },
        },
      },
    },
  },
};

export const createEventSchema = {
  name,
  description: { type: "string", max: descriptionLengthMax, optional: true },
  type: { type: "string", pattern: /^[a-z][a-z0-9-]{0,49}$/ },
  venueId: id,
  performerIds: { type: "array", items: id, max: 50, unique: true, optional: true },
  startsAt: timestamp,
  onSaleAt: { ...timestamp, optional: true },
  sections: { type: "array", min: 1, max: sectionsPerEventMax, items: sectionSchema },
  waitingRoom: { ...waitingRoomSchema, optional: true },
  ticketsPerUserMax: { type: "number", integer: true, min: 1, max: 100, optional: true },
  currency,
  stage: { ...stageSchema, optional: true },
  $$strict: true,
};

export const updateEventSchema = {
  eventId: id,
  name: { ...name, optional: true },
  description: { type: "string", max: descriptionLengthMax, optional: true },
  type: { type: "string", pattern: /^[a-z][a-z0-9-]{0,49}$/, optional: true },
  startsAt: { ...timestamp, optional: true },
  onSaleAt: { ...timestamp, optional: true },
  waitingRoom: { ...waitingRoomPatchSchema, optional: true },
  ticketsPerUserMax: { type: "number", integer: true, min: 1, max: 100, optional: true },
  currency,
  $$strict: true,
};

export const eventIdSchema = { eventId: id, $$strict: true };

/** The forms of a live seat map: the contract's Ticket list, or one character per ticket. */
export const seatMapFormats = ["full", "compact"] as const;
export type SeatMapFormat = (typeof seatMapFormats)[number];
export const seatMapQuerySchema = {
  eventId: id,
  format: { type: "enum", values: [...seatMapFormats], optional: true },
  $$strict: true,
};
