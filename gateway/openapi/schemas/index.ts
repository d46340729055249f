// Every named answer schema of the document (`components.schemas`), defined once per area.
import type { JsonSchema } from "../json-schema.ts";
import { bookingSchemas } from "./booking.ts";
import { catalogSchemas } from "./catalog.ts";
import { errorSchemas } from "./common.ts";
import { operationsSchemas } from "./operations.ts";
import { presaleSchemas } from "./presales.ts";
import { realtimeSchemas } from "./realtime.ts";
import { searchSchemas } from "./search.ts";
import { ticketSchemas } from "./tickets.ts";
import { waitingRoomSchemas } from "./waiting-room.ts";
import { waitlistSchemas } from "./waitlist.ts";
import { webhookSchemas } from "./webhooks.ts";

export const answerSchemas: Record<string, JsonSchema> = {
  ...errorSchemas,
  ...operationsSchemas,
  ...catalogSchemas,
  ...searchSchemas,
  ...bookingSchemas,
  ...ticketSchemas,
  ...waitingRoomSchemas,
  ...realtimeSchemas,
  ...webhookSchemas,
  ...waitlistSchemas,
  ...presaleSchemas,
};
