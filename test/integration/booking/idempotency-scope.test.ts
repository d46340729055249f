// Idempotency-Keys are the user's across events (issue 16, item 6): the same user and key on another
// event is 409 IDEMPOTENCY_CONFLICT, never a second payment, also when two events race on the key.
import { expect } from "chai";
import { startSystem, dropDatabase, type TestSystem } from "../../support/system.ts";
import { createEventFixture, type EventFixture } from "../../support/catalog.ts";
import { findDatabaseViolations, queryDatabase } from "../../support/invariants.ts";

describe("booking: Idempotency-Key scoped per user across events", function () {
  this.timeout(60_000);
  let system: TestSystem;
  let eventA: EventFixture;
  let eventB: EventFixture;

  before(async () => {
    system = await startSystem({ env: { WORKER_POOL_SIZE: "2" } });
    eventA = await createEventFixture(system, { seats: 10, name: "Event A" });
    eventB = await createEventFixture(system, { seats: 10, name: "Event B" });
  });
  after(async () => {
    expect(await findDatabaseViolations(system.databaseUrl)).to.deep.equal([]);
    await system.stop();
    await dropDatabase(system.databaseUrl);
  });

  const captureCount = () =>
    (system.node.broker.getLocalService("booking") as any).paymentProvider.captureCount;
  const reserve = async (token: string, ticketId: string) => {
    const answer = await system.request("POST", "/booking/reserve", { token, body: { ticketId } });
    expect(answer.status, JSON.stringify(answer.body)).to.equal(200);
  };
  const confirm = (token: string, ticketId: string, key: string) =>
    system.request("POST", "/booking/confirm", {
      token,
      body: { ticketId, paymentDetails: { token: "tok_ok" } },
      headers: { "Idempotency-Key": key },
    });
  const paymentsOf = (userId: string) =>
    queryDatabase(system.databaseUrl, "SELECT event_id, status FROM payments WHERE user_id = $1", [userId]);

  it("answers 409 for the key reused on another event, charges nothing, and still replays the first", async () => {
    const olga = await system.token("olga");
    const [ticketA, ticketB] = [eventA.ticketIds[0], eventB.ticketIds[0]];
    await reserve(olga, ticketA);
    await reserve(olga, ticketB);
    const captures = captureCount();

    const first = await confirm(olga, ticketA, "olga-key-0001");
    expect(first.status).to.equal(201);
    const second = await confirm(olga, ticketB, "olga-key-0001");
    expect(second.status).to.equal(409);
    expect(second.body.error.code).to.equal("IDEMPOTENCY_CONFLICT");
    expect(await paymentsOf("olga")).to.deep.equal([{ event_id: eventA.eventId, status: "captured" }]);
    expect(captureCount()).to.equal(captures + 1);
    const seatB = await system.request("GET", `/events/${eventB.eventId}/tickets`);
    expect(seatB.body.tickets.find((ticket: any) => ticket.id === ticketB).status).to.equal("reserved");

    // The same request again is a replay of the first booking; a new key books on B.
    const replay = await confirm(olga, ticketA, "olga-key-0001");
    expect(replay).to.deep.include({ status: 201, body: first.body });
    expect((await confirm(olga, ticketB, "olga-key-0002")).status).to.equal(201);
    expect(captureCount()).to.equal(captures + 2);
  });

  it("another user's same key on another event is theirs", async () => {
    const [pia, quin] = await Promise.all([system.token("pia"), system.token("quin")]);
    await reserve(pia, eventA.ticketIds[1]);
    await reserve(quin, eventB.ticketIds[1]);
    expect((await confirm(pia, eventA.ticketIds[1], "shared-key-0001")).status).to.equal(201);
    expect((await confirm(quin, eventB.ticketIds[1], "shared-key-0001")).status).to.equal(201);
  });

  it("lets exactly one of two concurrent confirms with one key on two events through", async () => {
    for (let round = 0; round < 3; round++) {
      const user = `rosa${round}`;
      const token = await system.token(user);
      const [ticketA, ticketB] = [eventA.ticketIds[2 + round], eventB.ticketIds[2 + round]];
      await reserve(token, ticketA);
      await reserve(token, ticketB);
      const captures = captureCount();
      const answers = await Promise.all([
        confirm(token, ticketA, `${user}-race-key`),
        confirm(token, ticketB, `${user}-race-key`),
      ]);
      const statuses = answers.map((answer) => answer.status).sort();
      expect(statuses, JSON.stringify(answers.map((answer) => answer.body))).to.deep.equal([201, 409]);
      expect(answers.find((answer) => answer.status === 409)!.body.error.code).to.equal(
        "IDEMPOTENCY_CONFLICT",
      );
      expect(await paymentsOf(user)).to.have.length(1);
      expect(captureCount()).to.equal(captures + 1);
    }
  });
});
