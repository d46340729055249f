// Parameter schemas of the webhooks actions (fastest-validator, strict: unknown fields are refused).
// The same schemas are the source of the OpenAPI document.
import { idPattern } from "../domain/ids.ts";
import {
  webhookDescriptionLengthMax,
  webhookDeliveriesPageMax,
  webhookUrlLengthMax,
} from "../domain/limits.ts";
import { webhookEventTypes } from "../domain/webhooks.ts";

const webhookId = { type: "string", pattern: idPattern };

export const createWebhookSchema = {
  url: { type: "string", min: 1, max: webhookUrlLengthMax, format: "uri" },
  events: {
    type: "array",
    min: 1,
    max: webhookEventTypes.length,
    unique: true,
    items: { type: "enum", values: [...webhookEventTypes] },
  },
  description: { type: "string", min: 1, max: webhookDescriptionLengthMax, optional: true },
  $$strict: true,
};

export const listWebhooksSchema = { $$strict: true };

export const webhookIdSchema = { webhookId, $$strict: true };

/** Query strings: `limit` (1..webhookDeliveriesPageMax) and the opaque `cursor` of a previous page. */
export const deliveriesSchema = {
  webhookId,
  limit: {
    type: "string",
    pattern: /^[1-9][0-9]{0,2}$/,
    optional: true,
    description: `Deliveries per page, 1 to ${webhookDeliveriesPageMax}`,
  },
  cursor: { type: "string", pattern: /^[0-9]{1,18}$/, optional: true },
  $$strict: true,
};
