// Answers of the webhooks routes (webhooks/registration-actions.ts), and what each route answers.
import type { JsonSchema } from "../json-schema.ts";
import { closedObject, count, dateTime, idString, ref } from "./common.ts";
import { webhookDeliveryStatuses, webhookEventTypes } from "../../../domain/webhooks.ts";

const webhookFields = {
  id: idString,
  url: { type: "string", format: "uri" },
  events: { type: "array", minItems: 1, uniqueItems: true, items: { enum: [...webhookEventTypes] } },
  description: { type: ["string", "null"] },
  createdAt: dateTime,
};

export const webhookSchemas: Record<string, JsonSchema> = {
  Webhook: closedObject(webhookFields),
  CreatedWebhook: closedObject({
    ...webhookFields,
    secret: {
      type: "string",
      minLength: 16,
      description:
        "The signing secret, shown only here: Marquee-Signature is an HMAC-SHA256 with it (docs/api.md#webhooks)",
    },
  }),
  WebhookList: closedObject({ webhooks: { type: "array", items: ref("Webhook") } }),
  DeletedWebhook: closedObject({ id: idString, deleted: { const: true } }),
  WebhookDelivery: closedObject({
    id: { ...idString, description: "The delivered event's id: the `id` of the body the receiver got" },
    type: { enum: [...webhookEventTypes] },
    status: { enum: [...webhookDeliveryStatuses] },
    attempts: count,
    lastStatusCode: { type: ["integer", "null"], description: "The receiver's status at the last attempt" },
    lastError: { type: ["string", "null"], description: "Why the last attempt failed, when it did" },
    nextAttemptAt: {
      type: ["string", "null"],
      format: "date-time",
      description: "Null once delivered or failed",
    },
    createdAt: dateTime,
  }),
  WebhookDeliveries: closedObject({
    deliveries: { type: "array", items: ref("WebhookDelivery") },
    nextCursor: {
      type: ["string", "null"],
      description: "`cursor` of the next (older) page; null at the end",
    },
  }),
};

export const webhookRouteAnswers = {
  "webhooks.create": {
    status: 201,
    description: "Registered; the secret is shown this once",
    schema: ref("CreatedWebhook"),
  },
  "webhooks.list": { status: 200, description: "Every registered webhook", schema: ref("WebhookList") },
  "webhooks.remove": { status: 200, description: "Deleted", schema: ref("DeletedWebhook") },
  "webhooks.deliveries": {
    status: 200,
    description: "The webhook's deliveries, newest first: one per event sent to it",
    schema: ref("WebhookDeliveries"),
  },
};
