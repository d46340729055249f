// Webhooks through HTTP with real receivers (node:http on ephemeral ports): registration, signed
// deliveries retried with backoff until acknowledged, one dead receiver delaying nobody, the outbox
// committed and rolled back with the change, give-up after the retry window, bad input refused.
import { expect } from "chai";
import pg from "pg";
import { startSystem, dropDatabase, type TestSystem } from "../../support/system.ts";
import { createEventFixture } from "../../support/catalog.ts";
import { eventually } from "../../support/eventually.ts";
import { signatureValid, startReceiver, type WebhookReceiver } from "../../support/webhook-receiver.ts";

let keys = 0;
async function book(system: TestSystem, user: string, ticketIds: string[]): Promise<any> {
  const token = await system.token(user);
  const held = await system.request("POST", "/booking/reserve", { token, body: { ticketIds } });
  expect(held.status, JSON.stringify(held.body)).to.equal(200);
  const confirmed = await system.request("POST", "/booking/confirm", {
    token,
    body: { ticketIds, paymentDetails: { token: "tok_ok" } },
    headers: { "idempotency-key": `webhook-test-${++keys}-${Date.now()}` },
  });
  expect(confirmed.status, JSON.stringify(confirmed.body)).to.equal(201);
  return confirmed.body.booking;
}

describe("webhooks", function () {
  this.timeout(30_000);
  let system: TestSystem;
  let admin: string;
  let db: pg.Client;
  const receivers: WebhookReceiver[] = [];

  async function register(receiver: WebhookReceiver, events: string[]) {
    const answer = await system.request("POST", "/admin/webhooks", {
      token: admin,
      body: { url: receiver.url, events, description: "test receiver" },
    });
    expect(answer.status, JSON.stringify(answer.body)).to.equal(201);
    return answer.body as { id: string; secret: string; url: string; events: string[] };
  }

  const deliveries = async (webhookId: string) =>
    (await system.request("GET", `/admin/webhooks/${webhookId}/deliveries`, { token: admin })).body
      .deliveries;

  before(async () => {
    system = await startSystem({
      env: {
        WEBHOOK_RETRY_BASE_SECONDS: "0.05",
        WEBHOOK_POLL_INTERVAL_MS: "20",
        WEBHOOK_RETRY_WINDOW_SECONDS: "2",
      },
    });
    admin = await system.token("webhook-admin", "admin");
    db = new pg.Client({ connectionString: system.databaseUrl });
    await db.connect();
  });
  after(async () => {
    await db.end();
    await system.stop();
    for (const receiver of receivers) await receiver.close();
    await dropDatabase(system.databaseUrl);
  });
  afterEach(async () => {
    // Each test starts with no webhook: the next one's receivers get only their own events.
    const list = await system.request("GET", "/admin/webhooks", { token: admin });
    for (const webhook of list.body.webhooks)
      await system.request("DELETE", `/admin/webhooks/${webhook.id}`, { token: admin });
  });

  it("registers, lists without the secret and deletes", async () => {
    const receiver = await startReceiver();
    receivers.push(receiver);
    const created = await register(receiver, ["booking.confirmed", "event.sold_out"]);
    expect(created.secret).to.match(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(created).to.include({ url: receiver.url });
    const list = await system.request("GET", "/admin/webhooks", { token: admin });
    expect(list.status).to.equal(200);
    expect(list.body.webhooks).to.have.length(1);
    expect(list.body.webhooks[0]).to.not.have.property("secret");
    expect(list.body.webhooks[0]).to.include({ id: created.id, description: "test receiver" });
    expect(list.body.webhooks[0].events).to.deep.equal(["booking.confirmed", "event.sold_out"]);
    const removed = await system.request("DELETE", `/admin/webhooks/${created.id}`, { token: admin });
    expect(removed.status).to.equal(200);
    expect(removed.body).to.deep.equal({ id: created.id, deleted: true });
    const again = await system.request("DELETE", `/admin/webhooks/${created.id}`, { token: admin });
    expect(again.status).to.equal(404);
    const history = await system.request("GET", `/admin/webhooks/${created.id}/deliveries`, { token: admin });
    expect(history.status).to.equal(404);
  });

  it("stores secrets sealed; seals a secret stored in the clear before sealing existed, and signs with it", async () => {
    const receiver = await startReceiver();
    receivers.push(receiver);
    const created = await register(receiver, ["booking.confirmed"]);
    const stored = await db.query("SELECT secret, sealed_secret FROM webhooks WHERE id = $1", [created.id]);
    expect(stored.rows[0].secret).to.equal(null);
    expect(stored.rows[0].sealed_secret).to.be.a("string").and.not.contain(created.secret.slice(6));
    // A row as migration 0370 finds it: the secret in the clear.
    const legacySecret = "whsec_legacy-secret-kept-in-the-clear-0000000000";
    await db.query(
      "INSERT INTO webhooks (id, url, events, secret) VALUES ('wh_legacy', $1, ARRAY['booking.confirmed'], $2)",
      [receiver.url, legacySecret],
    );
    const event = await createEventFixture(system, { seats: 1 });
    await book(system, "buyer-legacy", event.ticketIds);
    // Both webhooks get the booking's event (one id, two deliveries), each signed with its own secret.
    await eventually(async () => (receiver.received.length === 2 ? true : undefined));
    const legacy = await db.query("SELECT secret, sealed_secret FROM webhooks WHERE id = 'wh_legacy'");
    expect(legacy.rows[0].secret).to.equal(null);
    expect(legacy.rows[0].sealed_secret).to.be.a("string").and.not.contain("legacy-secret");
    const signedWith = receiver.received.map((delivery) =>
      [created.secret, legacySecret].findIndex((secret) =>
        signatureValid(secret, delivery.signature, delivery.raw),
      ),
    );
    expect(signedWith.sort()).to.deep.equal([0, 1]);
  });

  it("delivers each event once per id, signed, to a receiver that fails first and then succeeds", async () => {
    // The first three requests fail (500, 503, then a reset-like 502); every later one is acknowledged.
    const receiver = await startReceiver((n) => (n === 1 ? 500 : n === 2 ? 503 : n === 3 ? 502 : 204));
    receivers.push(receiver);
    const webhook = await register(receiver, ["booking.confirmed", "event.sold_out"]);
    const event = await createEventFixture(system, { seats: 3 });
    const first = await book(system, "buyer-1", event.ticketIds.slice(0, 2));
    const second = await book(system, "buyer-2", event.ticketIds.slice(2));

    const history = await eventually(async () => {
      const rows = await deliveries(webhook.id);
      return rows.length === 3 && rows.every((row: any) => row.status === "delivered") ? rows : undefined;
    });
    // Newest first: the first booking is the oldest; the sold-out was captured with the second one.
    expect(history[2].type).to.equal("booking.confirmed");
    expect(history.map((row: any) => row.type).sort()).to.deep.equal([
      "booking.confirmed",
      "booking.confirmed",
      "event.sold_out",
    ]);
    for (const row of history) {
      expect(row.lastStatusCode).to.equal(204);
      expect(row.nextAttemptAt).to.equal(null);
    }
    expect(history.reduce((sum: number, row: any) => sum + row.attempts, 0)).to.equal(6);

    const acknowledged = receiver.acknowledged();
    expect([...acknowledged.keys()].sort()).to.deep.equal(history.map((row: any) => row.id).sort());
    for (const [, copies] of acknowledged) expect(copies).to.have.length(1);
    for (const delivery of receiver.received) {
      expect(signatureValid(webhook.secret, delivery.signature, delivery.raw), delivery.signature).to.equal(
        true,
      );
      expect(signatureValid("whsec_not-the-secret", delivery.signature, delivery.raw)).to.equal(false);
      expect(Object.keys(delivery.body)).to.deep.equal(["id", "type", "createdAt", "data"]);
    }
    // A retried event is the same event: same id, same body.
    const failedIds = receiver.received.filter((d) => d.answered! >= 500).map((d) => d.body.id);
    for (const id of failedIds) {
      const bodies = new Set(receiver.received.filter((d) => d.body.id === id).map((d) => d.raw));
      expect(bodies.size).to.equal(1);
    }
    const bookings = [...acknowledged.values()]
      .map(([d]) => d.body)
      .filter((b) => b.type === "booking.confirmed");
    const byBooking = new Map(bookings.map((b) => [b.data.bookingId, b.data]));
    expect(byBooking.get(first.id)).to.deep.include({
      eventId: event.eventId,
      userId: "buyer-1",
      amountCents: 10_000,
      paymentId: first.paymentId,
      status: "confirmed",
      ticketIds: event.ticketIds.slice(0, 2),
    });
    expect(byBooking.get(second.id)!.ticketIds).to.deep.equal(event.ticketIds.slice(2));
    const soldOut = [...acknowledged.values()].map(([d]) => d.body).find((b) => b.type === "event.sold_out")!;
    expect(soldOut.data).to.deep.equal({ eventId: event.eventId, name: "Test Concert", capacity: 3 });
  });

  it("keeps delivering to a live receiver while another never answers", async () => {
    const dead = await startReceiver(() => "hang");
    const live = await startReceiver(() => 200);
    receivers.push(dead, live);
    const deadHook = await register(dead, ["booking.confirmed"]);
    const liveHook = await register(live, ["booking.confirmed"]);
    const event = await createEventFixture(system, { seats: 12 });
    for (let i = 0; i < 12; i++) await book(system, `buyer-dead-${i}`, [event.ticketIds[i]]);

    // The dead receiver's attempts hang for the 10 s timeout; every live delivery arrives meanwhile.
    await eventually(async () => (live.acknowledged().size === 12 ? true : undefined), 5_000);
    const deadRows = await deliveries(deadHook.id);
    expect(deadRows).to.have.length(12);
    expect(dead.received.length).to.be.at.most(4); // its own slots only (webhookDeliveriesPerReceiverMax)
    expect(dead.received.every((d) => d.answered === null)).to.equal(true);
    const liveRows = await deliveries(liveHook.id);
    expect(liveRows.every((row: any) => row.status === "delivered" && row.attempts === 1)).to.equal(true);
  });

  it("writes the outbox in the transaction of the change: a rollback leaves no event", async () => {
    const receiver = await startReceiver();
    receivers.push(receiver);
    const webhook = await register(receiver, ["payment.refunded", "booking.cancelled"]);
    const event = await createEventFixture(system, { seats: 2 });
    const booking = await book(system, "buyer-tx", [event.ticketIds[0]]);
    const outbox = async () =>
      Number(
        (await db.query("SELECT count(*) FROM webhook_events WHERE data->>'eventId' = $1", [event.eventId]))
          .rows[0].count,
      );

    await db.query("BEGIN");
    await db.query("UPDATE bookings SET status = 'cancelled' WHERE id = $1", [booking.id]);
    await db.query("UPDATE payments SET status = 'refunded' WHERE id = $1", [booking.paymentId]);
    const inside = await db.query(
      "SELECT d.webhook_id FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id WHERE e.data->>'eventId' = $1",
      [event.eventId],
    );
    expect(inside.rows).to.have.length(2); // seen inside the transaction...
    await db.query("ROLLBACK");
    expect(await outbox()).to.equal(0); // ...and gone with it

    await db.query("BEGIN");
    await db.query("UPDATE bookings SET status = 'cancelled' WHERE id = $1", [booking.id]);
    await db.query("UPDATE payments SET status = 'refunded' WHERE id = $1", [booking.paymentId]);
    await db.query("COMMIT");
    expect(await outbox()).to.equal(2);
    // Both webhooks get the booking's event (one id, two deliveries), each signed with its own secret.
    await eventually(async () => (receiver.received.length === 2 ? true : undefined));
    const types = receiver.received.map((d) => d.body.type).sort();
    expect(types).to.deep.equal(["booking.cancelled", "payment.refunded"]);
    const refund = receiver.received.find((d) => d.body.type === "payment.refunded")!.body.data;
    expect(refund).to.include({ paymentId: booking.paymentId, bookingId: booking.id, status: "refunded" });
    expect((await deliveries(webhook.id)).every((row: any) => row.status === "delivered")).to.equal(true);
  });

  it("reports a refund of a failed confirm and no booking", async () => {
    const receiver = await startReceiver();
    receivers.push(receiver);
    await register(receiver, ["payment.refunded", "booking.confirmed"]);
    const event = await createEventFixture(system, { seats: 1 });
    const token = await system.token("buyer-refund");
    await system.request("POST", "/booking/reserve", { token, body: { ticketIds: event.ticketIds } });
    const confirm = await system.request("POST", "/booking/confirm", {
      token,
      body: { ticketIds: event.ticketIds, paymentDetails: { token: "tok_fail_after_capture" } },
      headers: { "idempotency-key": `webhook-refund-${Date.now()}` },
    });
    expect(confirm.status).to.equal(409);
    await eventually(async () => (receiver.acknowledged().size === 1 ? true : undefined));
    expect(receiver.received.map((d) => d.body.type)).to.deep.equal(["payment.refunded"]);
    expect(receiver.received[0].body.data).to.include({
      paymentId: confirm.body.error.details.paymentId,
      bookingId: null,
    });
  });

  it("gives a delivery up as failed once it is older than the retry window", async () => {
    const receiver = await startReceiver(() => 500);
    receivers.push(receiver);
    const webhook = await register(receiver, ["booking.confirmed"]);
    const event = await createEventFixture(system, { seats: 2 });
    await book(system, "buyer-fail", [event.ticketIds[0]]);
    const [row] = await eventually(async () => {
      const rows = await deliveries(webhook.id);
      return rows[0]?.status === "failed" ? rows : undefined;
    }, 10_000);
    expect(row.attempts).to.be.at.least(3); // 0.05 s, 0.1 s, 0.2 s, ... within the 2 s window
    expect(row).to.include({ lastStatusCode: 500, nextAttemptAt: null });
    const attempts = receiver.received.length;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(receiver.received.length).to.equal(attempts); // no attempt after giving up
  });

  it("sends nothing to a deleted webhook, and only subscribed types", async () => {
    const receiver = await startReceiver();
    const other = await startReceiver();
    receivers.push(receiver, other);
    const gone = await register(receiver, ["booking.confirmed"]);
    await register(other, ["event.sold_out"]);
    await system.request("DELETE", `/admin/webhooks/${gone.id}`, { token: admin });
    const event = await createEventFixture(system, { seats: 2 });
    await book(system, "buyer-gone", [event.ticketIds[0]]);
    await book(system, "buyer-gone-2", [event.ticketIds[1]]);
    await eventually(async () => (other.acknowledged().size === 1 ? true : undefined));
    expect(other.received.map((d) => d.body.type)).to.deep.equal(["event.sold_out"]);
    expect(receiver.received).to.have.length(0);
  });
});
