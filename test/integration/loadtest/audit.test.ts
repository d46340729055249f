import { expect } from "chai";
import { startSystem, dropDatabase, type TestSystem } from "../../support/system.ts";
import { createEventFixture } from "../../support/catalog.ts";
import { auditDatabase } from "../../../loadtest/audit.ts";

describe("invariant audit", () => {
  let system: TestSystem;
  before(async () => {
    system = await startSystem();
  });
  after(async () => {
    await system.stop();
    await dropDatabase(system.databaseUrl);
  });

  const failing = async () =>
    (await auditDatabase(system.node.runtime.db)).checks
      .filter((check) => check.violations > 0)
      .map((check) => check.name);

  it("passes on a clean catalog and names each broken invariant", async () => {
    const { eventId } = await createEventFixture(system, { seats: 10 });
    const db = system.node.runtime.db;
    expect(await failing()).to.deep.equal([]);

    // A captured payment with no booking.
    await db.query(
      `INSERT INTO payments (event_id, id, user_id, idempotency_key, ordinals, amount_cents, status, provider_ref)
       VALUES ($1, 'pay_1', 'u1', 'key-00001', '{0}', 5000, 'captured', 'ref')`,
      [eventId],
    );
    expect(await failing()).to.deep.equal([
      "every captured payment has a standing booking (or was refunded)",
    ]);

    // A booking of ticket 0 whose ticket row is not marked booked, paid by the wrong amount.
    await db.query(
      "INSERT INTO bookings (event_id, id, user_id, amount_cents, payment_id) VALUES ($1, 'bk_1', 'u1', 4000, 'pay_1')",
      [eventId],
    );
    await db.query("UPDATE payments SET booking_id = 'bk_1' WHERE id = 'pay_1'");
    await db.query("INSERT INTO booking_tickets (event_id, ordinal, booking_id) VALUES ($1, 0, 'bk_1')", [
      eventId,
    ]);
    expect(await failing()).to.deep.equal([
      "tickets marked booked = tickets in a confirmed booking",
      "every booking is paid by a captured payment of the same amount",
      "a booking's amount is the sum of its tickets' prices",
    ]);

    // Mend it; then a hold left on the booked ticket.
    await db.query(
      "UPDATE tickets SET status = 'booked', booking_id = 'bk_1' WHERE event_id = $1 AND ordinal = 0",
      [eventId],
    );
    await db.query("UPDATE bookings SET amount_cents = 5000");
    expect(await failing()).to.deep.equal([]);
    await db.query(
      "INSERT INTO holds (event_id, ordinal, hold_id, user_id, expires_at) VALUES ($1, 0, 'h1', 'u2', now() + interval '1 minute')",
      [eventId],
    );
    expect(await failing()).to.deep.equal(["no hold on a booked ticket"]);
    await db.query("DELETE FROM holds");

    // A check-in of a seat the booking does not hold.
    await db.query(
      "INSERT INTO checkins (event_id, booking_id, ordinal, scanned_by) VALUES ($1, 'bk_1', 5, 'door-1')",
      [eventId],
    );
    expect(await failing()).to.deep.equal(["a check-in is of a seat of its booking"]);
    await db.query("UPDATE checkins SET ordinal = 0");
    expect(await failing()).to.deep.equal([]);

    // The available-seat count behind event.sold_out, out of step with the tickets.
    await db.query("UPDATE event_seat_counts SET available = available + 1 WHERE event_id = $1", [eventId]);
    expect(await failing()).to.deep.equal(["an event's available-seat count is its available tickets"]);
    await db.query("UPDATE event_seat_counts SET available = available - 1 WHERE event_id = $1", [eventId]);
    expect(await failing()).to.deep.equal([]);

    // Waiting list: an entry waits for 5 seats while 9 are available (not booked, no hold).
    await db.query(
      "INSERT INTO waitlist_entries (event_id, user_id, seq, quantity, status) VALUES ($1, 'w1', 1, 5, 'waiting')",
      [eventId],
    );
    expect(await failing()).to.deep.equal([
      "no seats available while a waiting-list entry waits for that many",
    ]);
    await db.query("UPDATE waitlist_entries SET quantity = 10");
    expect(await failing()).to.deep.equal([]);
    // Seat 1 offered to two entries, and one of the offers not held in its user's name.
    await db.query(
      "INSERT INTO holds (event_id, ordinal, hold_id, user_id, expires_at) VALUES ($1, 1, 'wl-2', 'w2', now() + interval '1 minute')",
      [eventId],
    );
    await db.query(
      `INSERT INTO waitlist_entries (event_id, user_id, seq, quantity, status, hold_id, offer_ordinals, offer_expires_at)
       VALUES ($1, 'w2', 2, 1, 'offered', 'wl-2', '{1}', now() + interval '1 minute'),
              ($1, 'w3', 3, 1, 'offered', 'wl-3', '{1}', now() + interval '1 minute')`,
      [eventId],
    );
    expect(await failing()).to.deep.equal([
      "a seat is offered to at most one waiting-list entry",
      "every seat offered to a waiting-list entry is held by that entry's user",
    ]);
    await db.query("DELETE FROM waitlist_entries WHERE user_id = 'w3'");
    expect(await failing()).to.deep.equal([]);
    // An offer of seats 1 and 2 whose user holds seat 1 only: seat 2 held by another user, then by
    // nobody, then an offer of no seat at all. Each fails the check seat by seat.
    const offerFails = async () => {
      const report = await auditDatabase(db);
      return report.checks.find((check) => check.name.startsWith("every seat offered"))!.examples;
    };
    await db.query(
      "INSERT INTO holds (event_id, ordinal, hold_id, user_id, expires_at) VALUES ($1, 2, 'h2', 'u9', now() + interval '1 minute')",
      [eventId],
    );
    await db.query("UPDATE waitlist_entries SET offer_ordinals = '{1,2}', quantity = 2 WHERE user_id = 'w2'");
    expect(await offerFails()).to.deep.equal([{ event_id: eventId, user_id: "w2", ordinal: 2 }]);
    await db.query("DELETE FROM holds WHERE hold_id = 'h2'");
    expect(await offerFails()).to.deep.equal([{ event_id: eventId, user_id: "w2", ordinal: 2 }]);
    await db.query("UPDATE waitlist_entries SET offer_ordinals = '{}' WHERE user_id = 'w2'");
    expect(await offerFails()).to.deep.equal([{ event_id: eventId, user_id: "w2", ordinal: null }]);
    await db.query("UPDATE waitlist_entries SET offer_ordinals = '{1}', quantity = 1 WHERE user_id = 'w2'");
    expect(await failing()).to.deep.equal([]);

    // A cancelled booking whose payment was not refunded, and whose seat is still in booking_tickets.
    await db.query("DELETE FROM checkins");
    await db.query("UPDATE bookings SET status = 'cancelled' WHERE id = 'bk_1'");
    expect(await failing()).to.include.members([
      "every captured payment has a standing booking (or was refunded)",
      "a cancelled booking holds no seat",
    ]);
  });
});
