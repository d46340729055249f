import { expect } from "chai";
import { startSystem, dropDatabase, type TestSystem } from "../../support/system.ts";
import { createEventFixture } from "../../support/catalog.ts";
import { findDatabaseViolations, queryDatabase } from "../../support/invariants.ts";
import { seededRandom } from "../../../domain/random.ts";

describe("booking: 200 concurrent users racing for the same 50 seats", function () {
  this.timeout(120_000);
  let system: TestSystem;
  before(async () => {
    system = await startSystem({ env: { WORKER_POOL_SIZE: "2", ACTOR_PARANOID_CHECKS: "true" } });
  });
  after(async () => {
    await system.stop();
    await dropDatabase(system.databaseUrl);
  });

  it("holds every seat for at most one user, books each at most once, and sells out cleanly", async () => {
    const fixture = await createEventFixture(system, { seats: 50, rows: 5 });
    const random = seededRandom(42);
    const users = Array.from({ length: 200 }, (_, index) => `racer-${index}`);
    const tokens = await Promise.all(users.map((user) => system.token(user)));
    const holders = new Map<string, string>(); // ticket -> user, from 200 answers
    const booked = new Map<string, string>(); // ticket -> booking id

    const attempt = async (index: number, round: number) => {
      const available = fixture.ticketIds.filter((ticket) => !holders.has(ticket));
      const pool = round === 0 ? fixture.ticketIds : available.length > 0 ? available : fixture.ticketIds;
      const count = 1 + Math.floor(random() * 3);
      const wanted = [
        ...new Set(Array.from({ length: count }, () => pool[Math.floor(random() * pool.length)])),
      ];
      const reserve = await system.request("POST", "/booking/reserve", {
        token: tokens[index],
        body: { ticketIds: wanted },
      });
      if (reserve.status === 409) {
        expect(reserve.body.error.code).to.be.oneOf(["TICKET_UNAVAILABLE", "TICKET_LIMIT_REACHED"]);
        return;
      }
      expect(reserve.status, JSON.stringify(reserve.body)).to.equal(200);
      for (const ticket of wanted) {
        const holder = holders.get(ticket);
        expect(
          holder === undefined || holder === users[index],
          `${ticket} held by ${holder} and ${users[index]}`,
        ).to.equal(true);
        holders.set(ticket, users[index]);
      }
      const confirm = await system.request("POST", "/booking/confirm", {
        token: tokens[index],
        body: { ticketIds: wanted, paymentDetails: { token: "tok_ok" } },
        headers: { "Idempotency-Key": `race-${round}-${index}` },
      });
      expect(confirm.status, JSON.stringify(confirm.body)).to.equal(201);
      for (const ticket of confirm.body.booking.ticketIds) {
        expect(booked.has(ticket), `${ticket} booked twice`).to.equal(false);
        booked.set(ticket, confirm.body.booking.id);
      }
    };

    // Round 0: everyone at once for random seats; later rounds: the rest go for what looks free.
    for (let round = 0; round < 6 && booked.size < fixture.ticketIds.length; round++) {
      await Promise.all(users.map((_, index) => attempt(index, round)));
    }
    expect(booked.size).to.equal(50);
    expect(await findDatabaseViolations(system.databaseUrl)).to.deep.equal([]);
    const rows = await queryDatabase(
      system.databaseUrl,
      `SELECT bt.ordinal, b.id, b.user_id FROM booking_tickets bt JOIN bookings b ON b.event_id = bt.event_id AND b.id = bt.booking_id
       WHERE bt.event_id = $1`,
      [fixture.eventId],
    );
    expect(rows).to.have.length(50);
    for (const row of rows) expect(booked.get(`${fixture.eventId}.${row.ordinal}`)).to.equal(row.id);
    const map = await system.request("GET", `/events/${fixture.eventId}/tickets`);
    expect(map.body.tickets.every((ticket: any) => ticket.status === "booked")).to.equal(true);
    // Group commit: far fewer commits than commands.
    const metrics = await fetch(`${system.baseUrl}/metrics`).then((response) => response.text());
    const commits = Number(/marquee_booking_commits_total\{[^}]*\} (\d+)/.exec(metrics)?.[1] ?? "NaN");
    expect(commits).to.be.greaterThan(0);
  });
});
