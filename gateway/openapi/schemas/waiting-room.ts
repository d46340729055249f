// Answers of the waiting room (also pushed as the Socket.IO `queue` event).
import type { JsonSchema } from "../json-schema.ts";
import { closedObject, count } from "./common.ts";

export const waitingRoomSchemas: Record<string, JsonSchema> = {
  QueueStatus: closedObject(
    {
      status: { type: "string", enum: ["waiting", "admitted"] },
      position: {
        type: ["integer", "null"],
        minimum: 0,
        description: "1 = next in line; null for early joiners before the sale opens; 0 once admitted",
      },
      estimatedWaitSeconds: count,
      admissionToken: {
        type: "string",
        minLength: 1,
        description: "Once admitted to an event with a waiting room: send it as X-Admission-Token",
      },
    },
    ["admissionToken"],
  ),
};
