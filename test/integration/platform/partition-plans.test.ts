// The single-partition property of the hot path (docs/partitioning.md): every statement the real
// code sends in a small real flow (an actor's activation, the group commits of a reserve, a confirm
// and a cancellation, the Idempotency-Key replay, the reads of a booking, its e-tickets, a payment,
// a check-in) is recorded as sent, then EXPLAINed with its own values: a plan that names a booking
// table (partitioned by event_id, migration 0360) names exactly one of its partitions. A statement
// added to the hot path that reaches every partition fails this test; the Citus router needs the same.
import { expect } from "chai";
import type { Reply } from "../../../actors/booking/protocol.ts";
import { confirm, type SagaContext } from "../../../actors/payments/confirm-saga.ts";
import { cancelBooking } from "../../../actors/payments/cancellation.ts";
import {
  findIdempotencyKey,
  findUserBooking,
  findUserPayment,
} from "../../../actors/payments/payments.repository.ts";
import type { PaymentProvider } from "../../../actors/payments/provider.ts";
import { withTickets } from "../../../actors/tickets/booking-tickets.ts";
import { checkIn } from "../../../actors/tickets/checkin.ts";
import { createTicketKeyStore } from "../../../actors/tickets/ticket-keys.ts";
import { eventOfScopedId } from "../../../domain/ids.ts";
import type { Command } from "../../../domain/seat-state.ts";
import { createPool, type Database } from "../../../platform/database.ts";
import { simulationDatabase } from "../../support/actor-simulation.ts";
import {
  recordingPool,
  relationsOf,
  type RecordedStatement,
  type RecordingPool,
} from "../../support/recording-pool.ts";
import { dropDatabase } from "../../support/system.ts";
import {
  hostWithReplies,
  insertFourSeatEvent,
  sagaOverHost,
  type HostWithReplies,
} from "../../support/saga-over-host.ts";

const partitionedTables = ["tickets", "holds", "bookings", "booking_tickets", "payments", "idempotency_keys"];
const namesBookingTable = new RegExp(`\\b(${[...partitionedTables, "booking_seats"].join("|")})\\b`);

const provider: PaymentProvider = {
  name: "test",
  charge: async (request) => ({ status: "captured", providerRef: `ref-${request.paymentId}` }),
  refund: async () => {},
  lookup: async () => null,
};

describe("partitioning: every hot-path statement's plan names one partition", function () {
  this.timeout(60_000);
  let databaseUrl: string;
  let observer: Database;
  let recording: RecordingPool;
  let actors: HostWithReplies;
  /** partition name -> its partitioned table */
  let parentOf: Map<string, string>;

  const send = async (eventId: string, command: Command): Promise<Reply> =>
    (await actors.send([{ eventId, command }]))[0];
  const saga = (): SagaContext => sagaOverHost(recording.db, provider, send);

  const createEvent = (eventId: string) => insertFourSeatEvent(observer, eventId, "vn_plans");

  before(async () => {
    databaseUrl = await simulationDatabase();
    observer = createPool(databaseUrl, { max: 2 });
    recording = recordingPool(databaseUrl);
    actors = hostWithReplies(recording.db, "partition-plans");
    // Several events, so that a plan reaching beyond its event's partition would show it.
    for (const eventId of ["ev_plans_a", "ev_plans_b", "ev_plans_c", "ev_plans_d"])
      await createEvent(eventId);
    const { rows } = await observer.query(
      `SELECT c.relname AS partition, p.relname AS parent FROM pg_inherits i
       JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
       WHERE p.relname = ANY ($1)`,
      [partitionedTables],
    );
    parentOf = new Map(rows.map((row) => [row.partition, row.parent]));
  });
  after(async () => {
    await actors.host.stop();
    await recording.db.end();
    await observer.end();
    await dropDatabase(databaseUrl);
  });

  /** The partitions each booking table's plan names, for one statement recorded. */
  async function partitionsNamed(statement: RecordedStatement): Promise<Map<string, Set<string>>> {
    const { rows } = await observer.query(`EXPLAIN (FORMAT JSON) ${statement.text}`, statement.values);
    const named = new Map<string, Set<string>>();
    for (const relation of relationsOf(rows[0]["QUERY PLAN"])) {
      const parent = parentOf.get(relation);
      if (parent) named.set(parent, (named.get(parent) ?? new Set()).add(relation));
    }
    return named;
  }

  it("activation, the reserve's, confirm's and cancellation's commits, replays and reads", async () => {
    const eventId = "ev_plans_b";
    const userId = "ana";
    recording.statements.length = 0;
    const reserved = await send(eventId, { type: "reserve", userId, ordinals: [1, 2], holdId: "hd_plans" });
    expect(reserved.ok).to.equal(true);
    const request = {
      eventId,
      userId,
      ordinals: [1, 2],
      token: "tok_ok",
      idempotencyKey: "ana-plans-key-1",
      requestHash: "hash-ana-plans",
    };
    const answer = await confirm(saga(), request);
    expect(answer.statusCode).to.equal(201);
    const booking = (answer.body as { booking: { id: string; paymentId: string } }).booking;
    // New ids carry their event: the reads below name its partition.
    expect(eventOfScopedId(booking.id)).to.equal(eventId);
    expect(eventOfScopedId(booking.paymentId)).to.equal(eventId);
    expect((await confirm(saga(), request)).body).to.deep.equal(answer.body); // a replay
    expect(
      await findIdempotencyKey(recording.db, { eventId, userId, key: request.idempotencyKey }),
    ).to.not.equal(null);
    const view = (await findUserBooking(recording.db, userId, booking.id))!;
    expect(view.status).to.equal("confirmed");
    expect((await findUserPayment(recording.db, userId, booking.paymentId))?.status).to.equal("captured");
    const keys = createTicketKeyStore(recording.db, "partition-plans-secret");
    const [withCodes] = await withTickets(recording.db, keys, [view]);
    expect(withCodes.tickets).to.have.length(2);
    await checkIn(recording.db, { eventId, bookingId: booking.id, ordinal: 1 }, "door");
    expect((await cancelBooking(saga(), booking.id, "plans")).status).to.equal("cancelled");

    const checked = recording.statements.filter((statement) => namesBookingTable.test(statement.text));
    const failures: string[] = [];
    const seen = new Set<string>();
    for (const statement of checked) {
      for (const [table, partitions] of await partitionsNamed(statement)) {
        seen.add(table);
        if (partitions.size !== 1)
          failures.push(`${partitions.size} partitions of ${table}: ${statement.text.replace(/\s+/g, " ")}`);
      }
    }
    expect(failures).to.deep.equal([]);
    // The flow did reach every booking table through plans that named one partition each.
    expect([...seen].sort()).to.deep.equal([...partitionedTables].sort());
    expect(checked.length).to.be.greaterThan(15);
  });

  it("still reads bookings and payments whose ids were made before ids carried their event", async () => {
    const eventId = "ev_plans_c";
    await observer.query(
      `INSERT INTO payments (event_id, id, user_id, idempotency_key, ordinals, amount_cents, status, provider_ref)
       VALUES ($1, 'pay_oldstyle01', 'olga', 'olga-key-0001', '{3}', 1000, 'captured', 'ref');
       INSERT INTO bookings (event_id, id, user_id, amount_cents, payment_id) VALUES ($1, 'bk_oldstyle01', 'olga', 1000, 'pay_oldstyle01');
       UPDATE payments SET booking_id = 'bk_oldstyle01' WHERE event_id = $1 AND id = 'pay_oldstyle01';
       UPDATE tickets SET status = 'booked', booking_id = 'bk_oldstyle01' WHERE event_id = $1 AND ordinal = 3;
       INSERT INTO booking_tickets (event_id, ordinal, booking_id) VALUES ($1, 3, 'bk_oldstyle01');`.replaceAll(
        "$1",
        `'${eventId}'`,
      ),
    );
    expect(eventOfScopedId("bk_oldstyle01")).to.equal(null);
    const booking = await findUserBooking(observer, "olga", "bk_oldstyle01");
    expect(booking).to.deep.include({ eventId, ticketIds: [`${eventId}.3`], status: "confirmed" });
    expect((await findUserPayment(observer, "olga", "pay_oldstyle01"))?.bookingId).to.equal("bk_oldstyle01");
    expect(await findUserBooking(observer, "someone-else", "bk_oldstyle01")).to.equal(null);
  });

  it("the check: a statement without the event's key names every partition", async () => {
    const plan = await partitionsNamed({ text: "SELECT * FROM bookings WHERE id = $1", values: ["bk_x"] });
    expect(plan.get("bookings")?.size).to.equal(16);
  });
});
