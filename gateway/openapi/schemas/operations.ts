// Answers of the gateway's own routes: health, the development token issuer.
import type { JsonSchema } from "../json-schema.ts";
import { closedObject } from "./common.ts";

const checkState: JsonSchema = { type: "string", enum: ["up", "down", "degraded"] };

export const operationsSchemas: Record<string, JsonSchema> = {
  DevToken: closedObject({ token: { type: "string", minLength: 1, description: "A bearer token (JWT)" } }),
  Liveness: closedObject({ status: { const: "ok" } }),
  Readiness: closedObject({
    status: { type: "string", enum: ["ok", "degraded", "down"] },
    checks: {
      type: "object",
      additionalProperties: checkState,
      required: ["postgres", "redis"],
      properties: { postgres: checkState, redis: checkState, transporter: checkState, booking: checkState },
    },
    services: { type: "array", items: { type: "string" }, description: "Services some node offers now" },
  }),
};
