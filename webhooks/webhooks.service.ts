// The webhooks service: the admin actions (register, list, delete, delivery history) and the
// dispatcher that posts the outbox (migrations/0321_webhooks.sql) to the receivers. Any number of
// nodes may run it: their dispatchers share the work through the claim's SKIP LOCKED.
import type { ServiceSchema } from "moleculer";
import type { Runtime } from "../platform/runtime.ts";
import { createPool } from "../platform/database.ts";
import { webhookPoolConnectionsMax } from "../domain/limits.ts";
import { WebhookDispatcher } from "./dispatcher.ts";
import { createWebhookMetrics } from "./metrics.ts";
import { registrationActions } from "./registration-actions.ts";

export function createWebhooksService(runtime: Runtime): ServiceSchema {
  const settings = runtime.config.webhooks;
  // A small pool of its own: deliveries never take connections the booking path needs.
  const db = createPool(runtime.config.databaseUrl, {
    max: webhookPoolConnectionsMax,
    applicationName: "marquee-webhooks",
  });
  let dispatcher: WebhookDispatcher | null = null;
  return {
    name: "webhooks",
    actions: registrationActions(db, settings),
    created(this: any) {
      const log = this.broker.getLogger("webhooks");
      dispatcher = new WebhookDispatcher({
        db,
        settings,
        metrics: createWebhookMetrics(this.broker),
        now: () => runtime.clock.now(),
        warn: (message, details) => log.warn(details ?? {}, message),
      });
      this.dispatcher = dispatcher; // read by tests
    },
    started() {
      dispatcher!.start();
    },
    async stopped() {
      await dispatcher?.stop();
      await db.end();
    },
  } as ServiceSchema;
}
