// The real-time frames (Socket.IO events and SSE `data:`): not HTTP answers, but described here once so
// the typed client reads them from the same document. Shapes of gateway/realtime/protocol.ts.
import type { JsonSchema } from "../json-schema.ts";
import { closedObject, count, idString, ref, seatStatus, seatVersion, ticketIdString } from "./common.ts";

const ordinals: JsonSchema = { type: "array", items: count };

export const realtimeSchemas: Record<string, JsonSchema> = {
  SeatChange: closedObject({ ticketId: ticketIdString, status: seatStatus }),
  SeatsFrame: {
    ...closedObject({
      eventId: idString,
      fromVersion: { ...seatVersion, description: "The version before the first change of this frame" },
      toVersion: seatVersion,
      changes: {
        type: "array",
        items: ref("SeatChange"),
        description: "The last status of every ticket changed in (fromVersion, toVersion]",
      },
    }),
    description:
      "Socket.IO `seats` and SSE `event: seats`. Apply when fromVersion <= your version < toVersion; " +
      "ignore when toVersion <= your version; a fromVersion above your version is a gap: refetch the map.",
  },
  SeatsCompactFrame: {
    ...closedObject(
      {
        eventId: idString,
        fromVersion: seatVersion,
        toVersion: seatVersion,
        available: ordinals,
        reserved: ordinals,
        booked: ordinals,
        other: { type: "array", items: ref("SeatChange") },
      },
      ["other"],
    ),
    description: "Socket.IO `seatsCompact` (subscribe with format compact): ordinals grouped by status",
  },
  ResyncNotice: {
    ...closedObject({
      eventId: idString,
      version: { ...seatVersion, description: "The fromVersion of the next frame this client gets" },
      reason: { type: "string", enum: ["lagging", "gap", "expired"] },
    }),
    description: "Socket.IO `resync` and SSE `event: resync`: refetch the map, then keep applying frames",
  },
  SubscribeRequest: closedObject(
    {
      eventId: idString,
      version: { ...seatVersion, description: "The version the client has: later frames are replayed" },
      format: { type: "string", enum: ["full", "compact"] },
    },
    ["version", "format"],
  ),
  SubscribeAnswer: {
    oneOf: [closedObject({ eventId: idString, version: seatVersion }), ref("Error")],
  },
  UnsubscribeRequest: closedObject({ eventId: idString }),
};
