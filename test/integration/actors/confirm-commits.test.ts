// The confirm in two of the actor's group commits (issue 14), on the real ActorHost and Postgres with
// the saga of actors/payments/: a happy confirm sends no statement outside those two transactions; a
// confirm whose Idempotency-Key is taken (by another event's claim) is refused alone while the other
// commands of the same group commit, of this event and another, are written; a booking whose payment
// was declared lost outside the actor while the charge went through is refused alone and refunded.
import { expect } from "chai";
import { confirm, type SagaContext } from "../../../actors/payments/confirm-saga.ts";
import type { ChargeRequest, ChargeResult, PaymentProvider } from "../../../actors/payments/provider.ts";
import type { Command } from "../../../domain/seat-state.ts";
import { createPool, type Database } from "../../../platform/database.ts";
import { recordingPool, type RecordingPool } from "../../support/recording-pool.ts";
import { dropDatabase } from "../../support/system.ts";
import {
  hostWithReplies,
  insertFourSeatEvent,
  sagaOverHost,
  type HostWithReplies,
} from "../../support/saga-over-host.ts";
import { simulationDatabase } from "../../support/actor-simulation.ts";

class TestProvider implements PaymentProvider {
  readonly name = "test";
  refunds: string[] = [];
  beforeCapture: (paymentId: string) => Promise<void> = async () => {};
  async charge(request: ChargeRequest): Promise<ChargeResult> {
    await this.beforeCapture(request.paymentId);
    return { status: "captured", providerRef: `ref-${request.paymentId}` };
  }
  async refund(paymentId: string): Promise<void> {
    this.refunds.push(paymentId);
  }
  async lookup(): Promise<ChargeResult | null> {
    return null;
  }
}

describe("actors: the confirm in two group commits", function () {
  this.timeout(60_000);
  let databaseUrl: string;
  let observer: Database;
  let recording: RecordingPool;
  let actors: HostWithReplies;
  const provider = new TestProvider();

  const send = (commands: { eventId: string; command: Command }[]) => actors.send(commands);
  const saga = (): SagaContext =>
    sagaOverHost(recording.db, provider, async (eventId, command) => (await send([{ eventId, command }]))[0]);

  const createEvent = (eventId: string) => insertFourSeatEvent(observer, eventId, "vn_commits");

  const reserve = (eventId: string, userId: string, ordinal: number) =>
    send([
      {
        eventId,
        command: { type: "reserve", userId, ordinals: [ordinal], holdId: `hd_${userId}_${eventId}` },
      },
    ]);

  before(async () => {
    databaseUrl = await simulationDatabase();
    observer = createPool(databaseUrl, { max: 2 });
    recording = recordingPool(databaseUrl);
    actors = hostWithReplies(recording.db, "confirm-commits");
    for (const eventId of ["ev_commits_a", "ev_commits_b", "ev_commits_c"]) await createEvent(eventId);
  });
  after(async () => {
    await actors.host.stop();
    await recording.db.end();
    await observer.end();
    await dropDatabase(databaseUrl);
  });

  it("a happy confirm is two transactions (the actor's commits) and no statement outside them", async () => {
    expect((await reserve("ev_commits_a", "ana", 3))[0].ok).to.equal(true); // activates the actor too
    recording.statements.length = 0;
    const answer = await confirm(saga(), {
      eventId: "ev_commits_a",
      userId: "ana",
      ordinals: [3],
      token: "tok_ok",
      idempotencyKey: "ana-key-0001",
      requestHash: "hash-ana",
    });
    expect(answer.statusCode).to.equal(201);
    const statements = recording.words();
    expect(statements.filter((word) => word === "BEGIN")).to.have.length(2);
    expect(statements.filter((word) => word === "COMMIT")).to.have.length(2);
    expect(statements[0]).to.equal("BEGIN");
    expect(statements.at(-1)).to.equal("COMMIT");
    expect(statements.indexOf("COMMIT")).to.equal(statements.lastIndexOf("BEGIN") - 1);
    // The stored answer is the one given, and the booking is the one the answer names.
    const [key] = (
      await observer.query("SELECT status_code, response FROM idempotency_keys WHERE key = 'ana-key-0001'")
    ).rows;
    expect(key.status_code).to.equal(201);
    expect(key.response).to.deep.equal(answer.body);
    const [booking] = (await observer.query("SELECT id, created_at FROM bookings WHERE user_id = 'ana'"))
      .rows;
    expect(booking.id).to.equal(answer.body.booking.id);
    expect(new Date(booking.created_at).toISOString()).to.equal(answer.body.booking.createdAt);
    const [payment] = (await observer.query("SELECT status, provider_ref, booking_id FROM payments")).rows;
    expect(payment).to.deep.include({ status: "captured", booking_id: booking.id });
  });

  it("refuses a confirm whose key another event's claim holds, alone: the same commit's others are written", async () => {
    await observer.query(
      `INSERT INTO idempotency_keys (event_id, user_id, key, request_hash, payment_id)
       VALUES ('ev_commits_c', 'bea', 'shared-key-01', 'another-body', 'pay_elsewhere');
       INSERT INTO idempotency_user_keys (user_id, key, event_id) VALUES ('bea', 'shared-key-01', 'ev_commits_c')`,
    );
    for (const [eventId, userId, ordinal] of [
      ["ev_commits_b", "bea", 0],
      ["ev_commits_b", "carl", 1],
      ["ev_commits_a", "dora", 0],
    ] as const)
      expect((await reserve(eventId, userId, ordinal))[0].ok).to.equal(true);
    const start = (eventId: string, userId: string, ordinal: number, key: string) => ({
      eventId,
      command: {
        type: "confirmStart" as const,
        userId,
        ordinals: [ordinal],
        paymentId: `pay_${userId}`,
        idempotencyKey: key,
        requestHash: `hash-${userId}`,
      },
    });
    // One submit: one turn, one group commit for both events.
    const answers = await send([
      start("ev_commits_b", "bea", 0, "shared-key-01"),
      start("ev_commits_b", "carl", 1, "carl-key-0001"),
      start("ev_commits_a", "dora", 0, "dora-key-0001"),
    ]);
    expect(answers.map((reply) => (reply.ok ? "ok" : reply.error.code))).to.deep.equal([
      "IDEMPOTENCY_KEY_TAKEN",
      "ok",
      "ok",
    ]);
    const payments = await observer.query("SELECT id FROM payments WHERE id LIKE 'pay\\_%' ORDER BY id");
    expect(payments.rows.map((row) => row.id)).to.include.members(["pay_carl", "pay_dora"]);
    expect(payments.rows.map((row) => row.id)).to.not.include("pay_bea");
    const holds = await observer.query(
      "SELECT ordinal, user_id, status FROM holds WHERE event_id = 'ev_commits_b' ORDER BY ordinal",
    );
    expect(holds.rows).to.deep.equal([
      { ordinal: 0, user_id: "bea", status: "held" },
      { ordinal: 1, user_id: "carl", status: "confirming" },
    ]);
    const [key] = (
      await observer.query("SELECT event_id, request_hash FROM idempotency_keys WHERE key = 'shared-key-01'")
    ).rows;
    expect(key).to.deep.equal({ event_id: "ev_commits_c", request_hash: "another-body" });
    // The retry is refused as it is decided (the key is remembered as taken: no commit, no reload)...
    recording.statements.length = 0;
    const [retry] = await send([
      {
        ...start("ev_commits_b", "bea", 0, "shared-key-01"),
        command: { ...start("ev_commits_b", "bea", 0, "shared-key-01").command, paymentId: "pay_bea_2" },
      },
    ]);
    expect(retry.ok ? "ok" : retry.error.code).to.equal("IDEMPOTENCY_KEY_TAKEN");
    expect(recording.words()).to.not.include("BEGIN");
    // ... unless the saga found the key freed (a lapsed claim taken over): then the commit decides.
    const freed = {
      ...start("ev_commits_b", "bea", 0, "shared-key-01").command,
      paymentId: "pay_bea_3",
      keyFreed: true,
    };
    const [decided] = await send([{ eventId: "ev_commits_b", command: freed }]);
    expect(decided.ok ? "ok" : decided.error.code).to.equal("IDEMPOTENCY_KEY_TAKEN");
    expect(recording.words()).to.include("BEGIN");
    // The reloaded actor still has bea's hold and lets her pay with a key of her own.
    const [again] = await send([start("ev_commits_b", "bea", 0, "bea-key-00001")]);
    expect(again.ok).to.equal(true);
  });

  it("refuses a confirm reusing a key this worker claimed as it decides it: no transaction, no reload", async () => {
    expect((await reserve("ev_commits_a", "fay", 1))[0].ok).to.equal(true);
    const start = (paymentId: string) => ({
      eventId: "ev_commits_a",
      command: {
        type: "confirmStart" as const,
        userId: "fay",
        ordinals: [1],
        paymentId,
        idempotencyKey: "fay-key-0001",
        requestHash: "hash-fay",
      },
    });
    expect((await send([start("pay_fay_1")]))[0].ok).to.equal(true);
    const declined = { type: "confirmAbort" as const, paymentId: "pay_fay_1", declined: "card declined" };
    expect((await send([{ eventId: "ev_commits_a", command: declined }]))[0].ok).to.equal(true);
    recording.statements.length = 0;
    // A retry after the 402 (the hold is fay's again): the key is this worker's claim.
    const [again] = await send([start("pay_fay_2")]);
    expect(again.ok ? "ok" : again.error.code).to.equal("IDEMPOTENCY_KEY_TAKEN");
    expect(recording.words()).to.not.include("BEGIN");
    expect(recording.words()).to.not.include("INSERT"); // no activation: the actor kept its state
    const [key] = (
      await observer.query("SELECT status_code, response FROM idempotency_keys WHERE key = 'fay-key-0001'")
    ).rows;
    expect(key.status_code).to.equal(402);
    expect(key.response.error).to.deep.include({
      code: "PAYMENT_DECLINED",
      details: { paymentId: "pay_fay_1" },
    });
  });

  it("refunds, and answers from the record, a booking whose payment was declared lost during the charge", async () => {
    expect((await reserve("ev_commits_c", "eve", 2))[0].ok).to.equal(true);
    provider.beforeCapture = async (paymentId) => {
      // A recovery pass on another node declared the payment lost (outside the actor).
      await observer.query("UPDATE payments SET status = 'declined', failure_reason = 'lost' WHERE id = $1", [
        paymentId,
      ]);
    };
    try {
      const answer = await confirm(saga(), {
        eventId: "ev_commits_c",
        userId: "eve",
        ordinals: [2],
        token: "tok_ok",
        idempotencyKey: "eve-key-0001",
        requestHash: "hash-eve",
      });
      expect(answer.statusCode).to.equal(409);
      expect(answer.body.error.code).to.equal("PAYMENT_REFUNDED");
      expect(provider.refunds).to.deep.equal([answer.body.error.details.paymentId]);
      const [key] = (await observer.query("SELECT response FROM idempotency_keys WHERE key = 'eve-key-0001'"))
        .rows;
      expect(key.response).to.deep.equal(answer.body);
      const holds = await observer.query("SELECT status FROM holds WHERE event_id = 'ev_commits_c'");
      expect(holds.rows).to.deep.equal([{ status: "held" }]); // given back, kept until it expires
      expect(
        (await observer.query("SELECT count(*)::int AS n FROM bookings WHERE user_id = 'eve'")).rows[0].n,
      ).to.equal(0);
    } finally {
      provider.beforeCapture = async () => {};
    }
  });
});
