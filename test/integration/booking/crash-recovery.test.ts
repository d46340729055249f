// A node SIGKILLed between the charge and the booking commit (the capture is recorded only by that
// commit, so the payment is still pending): after a restart, recovery asks the provider, which knows
// the charge (the simulated provider's ledger file outlives the node, as a real provider's records
// do), and the money must end as a booking or a refund (here: a booking, since the seats were still
// confirming under the payment).
import { readFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { dropDatabase, freshDatabaseUrl, uniqueName } from "../../support/system.ts";
import { createEventFixture } from "../../support/catalog.ts";
import { findDatabaseViolations, queryDatabase } from "../../support/invariants.ts";
import { startNodeProcess, type NodeProcess } from "../../support/node-process.ts";

async function waitFor<T>(
  what: string,
  probe: () => Promise<T | null | undefined>,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("booking: a node killed between capture and booking", function () {
  this.timeout(120_000);
  const nodes: NodeProcess[] = [];
  let databaseUrl: string;
  before(async () => {
    databaseUrl = await freshDatabaseUrl();
  });
  after(async () => {
    for (const node of nodes) await node.kill("SIGKILL");
    await dropDatabase(databaseUrl);
  });

  it("books (or refunds) the captured payment after a restart, and the key replays the booking", async () => {
    const namespace = uniqueName("ns");
    const ledger = path.join(os.tmpdir(), `${uniqueName("provider-ledger")}.jsonl`);
    const first = await startNodeProcess({
      DATABASE_URL: databaseUrl,
      NAMESPACE: namespace,
      TEST_PAUSE_AFTER_CAPTURE_MS: "60000",
      SIMULATED_PROVIDER_LEDGER: ledger,
    });
    nodes.push(first);
    const fixture = await createEventFixture(first, { seats: 10 });
    const token = await first.token("kim");
    const tickets = fixture.ticketIds.slice(0, 2);
    expect(
      (await first.request("POST", "/booking/reserve", { token, body: { ticketIds: tickets } })).status,
    ).to.equal(200);
    const body = { ticketIds: tickets, paymentDetails: { token: "tok_ok" } };
    const headers = { "Idempotency-Key": "kim-crash-key-1" };
    const pending = first
      .request("POST", "/booking/confirm", { token, body, headers })
      .catch((error) => error);

    const payment = await waitFor("the charge", async () => {
      const rows = await queryDatabase(databaseUrl, "SELECT * FROM payments WHERE user_id = 'kim'");
      const charged = await readFile(ledger, "utf8").catch(() => "");
      return rows[0] && charged.includes(rows[0].id) ? rows[0] : null;
    });
    expect(await first.kill("SIGKILL")).to.equal("SIGKILL");
    expect(await pending).to.be.instanceOf(Error); // the client never got an answer
    const before = await queryDatabase(databaseUrl, "SELECT status, booking_id FROM payments WHERE id = $1", [
      payment.id,
    ]);
    expect(before[0]).to.deep.equal({ status: "pending", booking_id: null });
    const holds = await queryDatabase(databaseUrl, "SELECT status, payment_id FROM holds ORDER BY ordinal");
    expect(holds.map((hold) => hold.status)).to.deep.equal(["confirming", "confirming"]);
    const [key] = await queryDatabase(databaseUrl, "SELECT payment_id, response FROM idempotency_keys");
    expect(key).to.deep.equal({ payment_id: payment.id, response: null }); // claimed with the intent

    const second = await startNodeProcess({
      DATABASE_URL: databaseUrl,
      NAMESPACE: namespace,
      SIMULATED_PROVIDER_LEDGER: ledger,
    });
    nodes.push(second);
    // A pending payment is asked about once it is older than pendingPaymentAbandonMs (30 s).
    const settled = await waitFor(
      "recovery",
      async () => {
        const rows = await queryDatabase(
          databaseUrl,
          "SELECT status, booking_id FROM payments WHERE id = $1",
          [payment.id],
        );
        return rows[0].booking_id !== null || rows[0].status === "refunded" ? rows[0] : null;
      },
      75_000,
    );
    expect(settled.status).to.equal("captured");
    expect(settled.booking_id).to.be.a("string");
    expect(await findDatabaseViolations(databaseUrl)).to.deep.equal([]);

    const replay = await second.request("POST", "/booking/confirm", { token, body, headers });
    expect(replay.status, JSON.stringify(replay.body)).to.equal(201);
    expect(replay.body.booking).to.include({ id: settled.booking_id, paymentId: payment.id });
    const map = await second.request("GET", `/events/${fixture.eventId}/tickets`);
    expect(map.body.tickets.slice(0, 2).map((ticket: any) => ticket.status)).to.deep.equal([
      "booked",
      "booked",
    ]);
    expect(await second.kill("SIGTERM")).to.equal(0);
  });
});
