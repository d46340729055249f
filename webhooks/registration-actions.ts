// Admin actions: register, list and delete webhooks, and a webhook's delivery history.
import { randomBytes } from "node:crypto";
import type { Context, ServiceSchema } from "moleculer";
import type { Database } from "../platform/database.ts";
import type { WebhookSettings } from "../platform/webhook-config.ts";
import { notFound, validationError } from "../domain/errors.ts";
import { newId } from "../domain/ids.ts";
import { webhookDeliveriesPageDefault, webhookDeliveriesPageMax, webhooksMax } from "../domain/limits.ts";
import { createWebhookSchema, deliveriesSchema, listWebhooksSchema, webhookIdSchema } from "./schemas.ts";
import { targetProblem } from "./target-check.ts";
import { createSecretSealer } from "./secret-sealing.ts";

interface CreateParams {
  url: string;
  events: string[];
  description?: string;
}

interface DeliveriesParams {
  webhookId: string;
  limit?: string;
  cursor?: string;
}

const webhookRecord = (row: any) => ({
  id: row.id,
  url: row.url,
  events: row.events,
  description: row.description,
  createdAt: row.created_at.toISOString(),
});

const deliveryRecord = (row: any) => ({
  id: row.event_id,
  type: row.type,
  status: row.status,
  attempts: row.attempts,
  lastStatusCode: row.last_status_code,
  lastError: row.last_error,
  nextAttemptAt: row.next_attempt_at ? row.next_attempt_at.toISOString() : null,
  createdAt: row.created_at.toISOString(),
});

/** A secret to sign with: 32 random bytes, shown once. */
const newSecret = () => `whsec_${randomBytes(32).toString("base64url")}`;

export function registrationActions(db: Database, settings: WebhookSettings): ServiceSchema["actions"] {
  const sealer = createSecretSealer(settings.sealingSecret);
  return {
    create: {
      openapi: {
        summary: "Register a webhook (its signing secret is in this answer only)",
        description:
          "With NODE_ENV=production, a URL whose host is or resolves to a private, loopback or " +
          "link-local address is refused (400) unless WEBHOOK_ALLOW_PRIVATE=true.",
      },
      params: createWebhookSchema,
      async handler(ctx: Context<CreateParams, any>) {
        const { url, events, description } = ctx.params;
        const problem = await targetProblem(url, settings.checkTargets);
        if (problem) throw validationError("url", problem);
        const [id, secret] = [newId("wh"), newSecret()];
        const { rows } = await db.query(
          `INSERT INTO webhooks (id, url, events, description, sealed_secret)
           SELECT $1, $2, $3, $4, $5 WHERE (SELECT count(*) FROM webhooks) < $6
           RETURNING *`,
          [id, url, events, description ?? null, sealer.seal(id, secret), webhooksMax],
        );
        if (rows.length === 0)
          throw validationError("url", `at most ${webhooksMax} webhooks can be registered`);
        ctx.meta.$statusCode = 201;
        return { ...webhookRecord(rows[0]), secret };
      },
    },

    list: {
      openapi: { summary: "Registered webhooks, oldest first (without their secrets)" },
      params: listWebhooksSchema,
      async handler() {
        const { rows } = await db.query("SELECT * FROM webhooks ORDER BY created_at, id LIMIT $1", [
          webhooksMax,
        ]);
        return { webhooks: rows.map(webhookRecord) };
      },
    },

    remove: {
      openapi: { summary: "Delete a webhook: nothing more is sent to it, its delivery history goes with it" },
      params: webhookIdSchema,
      async handler(ctx: Context<{ webhookId: string }>) {
        await removeWebhook(db, ctx.params.webhookId);
        return { id: ctx.params.webhookId, deleted: true };
      },
    },

    deliveries: {
      openapi: { summary: "A webhook's deliveries, newest first, a page at a time (`nextCursor`)" },
      params: deliveriesSchema,
      handler: (ctx: Context<DeliveriesParams>) => deliveriesPage(db, ctx.params),
    },
  };
}

/** Deletes the webhook and its deliveries in one transaction; 404 when unknown. */
async function removeWebhook(db: Database, webhookId: string): Promise<void> {
  const client = await db.connect();
  try {
    await client.query("BEGIN");
    const { rowCount } = await client.query("DELETE FROM webhooks WHERE id = $1", [webhookId]);
    if (rowCount === 0) throw notFound("Webhook");
    await client.query("DELETE FROM webhook_deliveries WHERE webhook_id = $1", [webhookId]);
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

/** A page of the webhook's deliveries, newest first (keyset on the event's capture order). */
async function deliveriesPage(db: Database, params: DeliveriesParams) {
  const limit = params.limit === undefined ? webhookDeliveriesPageDefault : Number(params.limit);
  if (limit > webhookDeliveriesPageMax)
    throw validationError("limit", `limit must be an integer from 1 to ${webhookDeliveriesPageMax}`);
  const known = await db.query("SELECT 1 FROM webhooks WHERE id = $1", [params.webhookId]);
  if (known.rowCount === 0) throw notFound("Webhook");
  const { rows } = await db.query(
    `SELECT d.*, e.type FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id
     WHERE d.webhook_id = $1 AND d.event_seq < $2
     ORDER BY d.event_seq DESC LIMIT $3`,
    [params.webhookId, params.cursor ?? "9223372036854775807", limit + 1],
  );
  const page = rows.slice(0, limit);
  const nextCursor = rows.length > limit ? String(page[page.length - 1].event_seq) : null;
  return { deliveries: page.map(deliveryRecord), nextCursor };
}
