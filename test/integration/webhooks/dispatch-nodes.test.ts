// Several nodes run the dispatcher on one database: they share the due deliveries (FOR UPDATE SKIP
// LOCKED) and a receiver acknowledges each event once; a delivery claimed by a node that died is
// attempted again by another once its lease has run out.
import { expect } from "chai";
import { claimDue } from "../../../webhooks/deliveries.repository.ts";
import { createPool } from "../../../platform/database.ts";
import { startSystem, dropDatabase, type TestSystem } from "../../support/system.ts";
import { eventually } from "../../support/eventually.ts";
import { startReceiver, type WebhookReceiver } from "../../support/webhook-receiver.ts";

const attemptsOf = (system: TestSystem): number => {
  const metric = system.node.broker.metrics.getMetric("marquee.webhook.delivery_attempts_total") as any;
  return [...metric.values.values()].reduce((sum: number, item: any) => sum + item.value, 0);
};

describe("webhook dispatch on several nodes", function () {
  this.timeout(30_000);
  let gateway: TestSystem;
  let worker: TestSystem;
  let receiver: WebhookReceiver;
  const env = { WEBHOOK_POLL_INTERVAL_MS: "20", WEBHOOK_RETRY_BASE_SECONDS: "0.05" };

  before(async () => {
    // An answer takes 20 ms: each node's 4 slots for this receiver fill, so both nodes take work.
    receiver = await startReceiver(() => new Promise((resolve) => setTimeout(() => resolve(200), 20)));
    gateway = await startSystem({ env });
    worker = await startSystem({ databaseUrl: gateway.databaseUrl, env: { ...env, SERVICES: "webhooks" } });
  });
  after(async () => {
    await worker.stop();
    await gateway.stop();
    await receiver.close();
    await dropDatabase(gateway.databaseUrl);
  });

  it("shares the deliveries between the nodes, each acknowledged once", async () => {
    const admin = await gateway.token("webhook-admin", "admin");
    const created = await gateway.request("POST", "/admin/webhooks", {
      token: admin,
      body: { url: receiver.url, events: ["booking.confirmed"] },
    });
    expect(created.status).to.equal(201);
    await gateway.node.runtime.db.query(
      `SELECT webhook_emit('booking.confirmed', (SELECT jsonb_agg(jsonb_build_object('n', n)) FROM generate_series(1, 60) n))`,
    );
    await eventually(async () => (receiver.acknowledged().size === 60 ? true : undefined));
    for (const [, copies] of receiver.acknowledged()) expect(copies).to.have.length(1);
    expect(receiver.received).to.have.length(60);
    // Each attempt is counted once its outcome is recorded, just after the receiver answered.
    await eventually(async () => (attemptsOf(gateway) + attemptsOf(worker) === 60 ? true : undefined));
    expect(attemptsOf(gateway)).to.be.greaterThan(0);
    expect(attemptsOf(worker)).to.be.greaterThan(0);
  });

  it("attempts again a delivery whose node died mid-delivery, once its lease has run out", async () => {
    const db = gateway.node.runtime.db;
    const { rows } = await db.query("SELECT id FROM webhooks");
    // A node emits and claims in one transaction, then dies: the live dispatchers never saw the
    // delivery due before its lease (300 ms) runs out.
    const dead = createPool(gateway.databaseUrl, { max: 1 });
    const client = await dead.connect();
    await client.query("BEGIN");
    await client.query(
      `SELECT webhook_emit('booking.confirmed', jsonb_build_array(jsonb_build_object('n', 'orphan')))`,
    );
    // (Due at its capture's clock_timestamp(), after this transaction's now(): made due for the claim.)
    await client.query("UPDATE webhook_deliveries SET next_attempt_at = now() WHERE attempts = 0");
    const claimed = await claimDue(client as any, [rows[0].id], [4], 300);
    await client.query("COMMIT");
    client.release();
    await dead.end();
    expect(claimed).to.have.length(1);
    expect(receiver.received.some((d) => d.body.id === claimed[0].eventId)).to.equal(false);
    const orphanId = claimed[0].eventId;
    await eventually(async () => (receiver.acknowledged().has(orphanId) ? true : undefined), 5_000);
    const history = await gateway.request("GET", `/admin/webhooks/${rows[0].id}/deliveries?limit=1`, {
      token: await gateway.token("webhook-admin", "admin"),
    });
    expect(history.body.deliveries[0]).to.include({ id: orphanId, status: "delivered", attempts: 2 });
  });
});

describe("webhook dispatch of a backlog", function () {
  this.timeout(30_000);
  let gateway: TestSystem;
  let worker: TestSystem | null = null;
  let receiver: WebhookReceiver;
  // No poll comes within the test: only the dispatcher's first pass and the slots it frees can move.
  const env = { WEBHOOK_POLL_INTERVAL_MS: "60000" };

  before(async () => {
    receiver = await startReceiver(() => 200);
    gateway = await startSystem({ env });
  });
  after(async () => {
    await worker?.stop();
    await gateway.stop();
    await receiver.close();
    await dropDatabase(gateway.databaseUrl);
  });

  it("drains at the receiver's pace, each freed slot claiming the next delivery, without waiting for a poll", async () => {
    const admin = await gateway.token("webhook-admin", "admin");
    await gateway.request("POST", "/admin/webhooks", {
      token: admin,
      body: { url: receiver.url, events: ["booking.confirmed"] },
    });
    // 150 events while the gateway's dispatcher waits for its next poll (a minute away).
    await gateway.node.runtime.db.query(
      `SELECT webhook_emit('booking.confirmed', (SELECT jsonb_agg(jsonb_build_object('n', n)) FROM generate_series(1, 150) n))`,
    );
    // A node starting now passes once, claims 4 (its slots for this receiver) and must go on from there.
    worker = await startSystem({ databaseUrl: gateway.databaseUrl, env: { ...env, SERVICES: "webhooks" } });
    await eventually(async () => (receiver.acknowledged().size === 150 ? true : undefined), 20_000);
    for (const [, copies] of receiver.acknowledged()) expect(copies).to.have.length(1);
  });
});
