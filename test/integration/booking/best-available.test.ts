import { expect } from "chai";
import pg from "pg";
import { auditDatabase, formatAudit } from "../../../loadtest/audit.ts";
import { seatsChangedEvent, type SeatsChanged } from "../../../domain/messages.ts";
import { startSystem, dropDatabase, type TestSystem } from "../../support/system.ts";
import { createEventFixture } from "../../support/catalog.ts";
import { findDatabaseViolations, queryDatabase } from "../../support/invariants.ts";

const ordinalOf = (ticketId: string) => Number(ticketId.slice(ticketId.lastIndexOf(".") + 1));

describe("booking: best available over HTTP", function () {
  this.timeout(240_000);
  let system: TestSystem;
  before(async () => {
    system = await startSystem({ env: { ACTOR_PARANOID_CHECKS: "true" } });
  });
  after(async () => {
    await system.stop();
    await dropDatabase(system.databaseUrl);
  });

  it("refuses every malformed or mixed form with 400 and changes nothing", async () => {
    const fixture = await createEventFixture(system, { seats: 10 });
    const token = await system.token("shape-checker");
    const { eventId } = fixture;
    const cases: [unknown, string][] = [
      [{}, "ticketIds"],
      [{ eventId }, "quantity"],
      [{ quantity: 2 }, "eventId"],
      [{ quantity: 2, section: "Floor" }, "eventId"],
      [{ eventId, quantity: 0 }, "quantity"],
      [{ eventId, quantity: 11 }, "quantity"],
      [{ eventId, quantity: 2.5 }, "quantity"],
      [{ eventId, quantity: "2" }, "quantity"],
      [{ eventId, quantity: 2, section: "" }, "section"],
      [{ eventId, quantity: 2, section: 7 }, "section"],
      [{ eventId, quantity: 2, maxPriceCents: -1 }, "maxPriceCents"],
      [{ eventId, quantity: 2, maxPriceCents: 10.5 }, "maxPriceCents"],
      [{ eventId, quantity: 2, adjacent: "no" }, "adjacent"],
      [{ eventId, quantity: 2, seats: 2 }, "seats"],
      [{ eventId: "bad id!", quantity: 2 }, "eventId"],
      [{ eventId, quantity: 2, ticketIds: [fixture.ticketIds[0]] }, "eventId"],
      [{ ticketId: fixture.ticketIds[0], quantity: 2 }, "quantity"],
      [{ ticketIds: [fixture.ticketIds[0]], adjacent: false }, "adjacent"],
    ];
    for (const [body, field] of cases) {
      const answer = await system.request("POST", "/booking/reserve", { token, body });
      expect(answer.status, JSON.stringify(body)).to.equal(400);
      expect(answer.body.error.code).to.equal("VALIDATION_ERROR");
      expect(answer.body.error.details.field, JSON.stringify(body)).to.equal(field);
    }
    const anonymous = await system.request("POST", "/booking/reserve", { body: { eventId, quantity: 2 } });
    expect(anonymous.status).to.equal(401);
    const unknown = await system.request("POST", "/booking/reserve", {
      token,
      body: { eventId: "ev_nonexistent", quantity: 2 },
    });
    expect(unknown.status).to.equal(404);
    expect(unknown.body.error.code).to.equal("NOT_FOUND");
    const map = await system.request("GET", `/events/${eventId}/tickets`);
    expect(map.body.tickets.every((ticket: any) => ticket.status === "available")).to.equal(true);
  });

  it("holds the best block with the answer of a reserve by ids; 409 when nothing fits; cap and sale window apply", async () => {
    const fixture = await createEventFixture(system, {
      extra: {
        sections: [
          { name: "Front", priceCents: 9_000, rows: [{ label: "1", seats: 6 }] },
          { name: "Back", priceCents: 3_000, rows: [{ label: "1", seats: 8 }] },
        ],
      },
    });
    const { eventId } = fixture;
    const [ana, ben, cy] = await Promise.all(["ana", "ben", "cy"].map((user) => system.token(user)));

    const first = await system.request("POST", "/booking/reserve", {
      token: ana,
      body: { eventId, quantity: 2 },
    });
    expect(first.status).to.equal(200);
    expect(Object.keys(first.body).sort()).to.deep.equal(["eventId", "expiresAt", "ticketIds"]);
    expect(first.body.eventId).to.equal(eventId);
    expect(first.body.ticketIds).to.deep.equal([`${eventId}.2`, `${eventId}.3`]); // middle of Front
    expect(Date.parse(first.body.expiresAt)).to.be.greaterThan(Date.now() + 500_000);

    const cheap = await system.request("POST", "/booking/reserve", {
      token: ben,
      body: { eventId, quantity: 2, maxPriceCents: 3_000 },
    });
    expect(cheap.body.ticketIds).to.deep.equal([`${eventId}.9`, `${eventId}.10`]); // middle of Back
    const named = await system.request("POST", "/booking/reserve", {
      token: ben,
      body: { eventId, quantity: 2, section: "Front", adjacent: false },
    });
    expect(named.status).to.equal(200);
    expect(named.body.ticketIds).to.deep.equal([`${eventId}.1`, `${eventId}.4`]);

    // Front has 0 and 5 left, apart: no 2 side by side there.
    const none = await system.request("POST", "/booking/reserve", {
      token: cy,
      body: { eventId, quantity: 2, section: "Front" },
    });
    expect(none.status).to.equal(409);
    expect(none.body.error.code).to.equal("TICKET_UNAVAILABLE");
    expect(none.body.error.details).to.include({ quantity: 2, section: "Front", ticketsAvailable: 8 });

    // The per-user cap (10 by default) counts what ben holds already (4).
    const greedy = await system.request("POST", "/booking/reserve", {
      token: ben,
      body: { eventId, quantity: 7 },
    });
    expect(greedy.status).to.equal(409);
    expect(greedy.body.error.code).to.equal("TICKET_LIMIT_REACHED");

    // Confirm works on seats chosen by the engine like on any others.
    const confirm = await system.request("POST", "/booking/confirm", {
      token: ana,
      body: { ticketIds: first.body.ticketIds, paymentDetails: { token: "tok_ok" } },
      headers: { "Idempotency-Key": "best-available-confirm-1" },
    });
    expect(confirm.status, JSON.stringify(confirm.body)).to.equal(201);
    expect(confirm.body.booking.amountCents).to.equal(18_000);

    const later = await createEventFixture(system, {
      seats: 10,
      onSaleAt: new Date(Date.now() + 3_600_000).toISOString(),
    });
    const early = await system.request("POST", "/booking/reserve", {
      token: cy,
      body: { eventId: later.eventId, quantity: 2 },
    });
    expect(early.status).to.equal(409);
    expect(early.body.error.code).to.equal("NOT_ON_SALE");
  });

  it("500 concurrent requests for 2-4 seats on 2,000 seats: no seat held twice, no refusal while a block fitted, a clean sell-out", async () => {
    // Two sections of different row widths; 2,000 seats.
    const fixture = await createEventFixture(system, {
      extra: {
        sections: [
          {
            name: "Floor",
            priceCents: 8_000,
            rows: Array.from({ length: 25 }, (_, index) => ({ label: String(index + 1), seats: 40 })),
          },
          {
            name: "Balcony",
            priceCents: 4_000,
            rows: Array.from({ length: 20 }, (_, index) => ({ label: String(index + 1), seats: 50 })),
          },
        ],
      },
    });
    const { eventId, ticketIds } = fixture;
    const total = ticketIds.length;
    expect(total).to.equal(2_000);
    // Rows as [first ordinal, seats], for checking blocks without the engine's code.
    const rows: [number, number][] = [
      ...Array.from({ length: 25 }, (_, index): [number, number] => [index * 40, 40]),
      ...Array.from({ length: 20 }, (_, index): [number, number] => [1_000 + index * 50, 50]),
    ];
    const rowOf = (ordinal: number) =>
      rows.findIndex(([first, seats]) => ordinal >= first && ordinal < first + seats);
    const hasBlock = (free: boolean[], quantity: number) =>
      rows.some(([first, seats]) => {
        let run = 0;
        for (let ordinal = first; ordinal < first + seats; ordinal++) {
          run = free[ordinal] ? run + 1 : 0;
          if (run >= quantity) return true;
        }
        return false;
      });

    // Every committed seat change, in the actor's order (versions, then order within a turn).
    const deltas: SeatsChanged[] = [];
    await system.node.broker.createService({
      name: "best-available-probe",
      events: {
        [seatsChangedEvent](ctx: { params: SeatsChanged }) {
          if (ctx.params.eventId === eventId) deltas.push(ctx.params);
        },
      },
    });

    let users = 0;
    const holders = new Map<number, string>(); // ordinal -> user, from the 200 answers
    const holds: { user: string; token: string; ticketIds: string[] }[] = [];
    const free: boolean[] = new Array(total).fill(true);
    let refusals = 0;

    /** One round of concurrent requests; then checks every answer against the actor's order. */
    const round = async (quantities: number[]) => {
      const names = quantities.map(() => `fan-${users++}`);
      const tokens = await Promise.all(names.map((name) => system.token(name)));
      const seen = deltas.length;
      const answers = await Promise.all(
        quantities.map((quantity, index) =>
          system.request("POST", "/booking/reserve", { token: tokens[index], body: { eventId, quantity } }),
        ),
      );
      const successes = new Map<number, { index: number; ordinals: number[] }>(); // first ordinal -> success
      const refused: { quantity: number; seen: number }[] = [];
      answers.forEach((answer, index) => {
        const quantity = quantities[index];
        if (answer.status === 409) {
          expect(answer.body.error.code).to.equal("TICKET_UNAVAILABLE");
          refused.push({ quantity, seen: answer.body.error.details.ticketsAvailable });
          return;
        }
        expect(answer.status, JSON.stringify(answer.body)).to.equal(200);
        const ordinals = (answer.body.ticketIds as string[]).map(ordinalOf);
        expect(ordinals).to.have.length(quantity);
        for (const [offset, ordinal] of ordinals.entries()) {
          expect(ordinal, "side by side").to.equal(ordinals[0] + offset);
          expect(rowOf(ordinal), "in one row").to.equal(rowOf(ordinals[0]));
          expect(holders.has(ordinal), `seat ${ordinal} held twice`).to.equal(false);
          holders.set(ordinal, names[index]);
        }
        successes.set(ordinals[0], { index, ordinals });
        holds.push({ user: names[index], token: tokens[index], ticketIds: answer.body.ticketIds });
      });

      // The actor's order of this round's holds, from the seat deltas (one writer: a total order).
      const heldSeats = [...successes.values()].reduce((sum, success) => sum + success.ordinals.length, 0);
      const reservedOrder = () =>
        deltas
          .slice(seen)
          .sort((a, b) => a.fromVersion - b.fromVersion)
          .flatMap((delta) => delta.changes.filter((change) => change.status === "reserved"))
          .map((change) => ordinalOf(change.ticketId));
      for (let waited = 0; reservedOrder().length < heldSeats && waited < 5_000; waited += 10)
        await new Promise((resolve) => setTimeout(resolve, 10));
      const order = reservedOrder();
      expect(order).to.have.length(heldSeats);
      const ordered: number[][] = [];
      for (let position = 0; position < order.length;) {
        const success = successes.get(order[position]);
        expect(success, `seat ${order[position]} changed without an answer`).to.not.equal(undefined);
        expect(order.slice(position, position + success!.ordinals.length)).to.deep.equal(success!.ordinals);
        ordered.push(success!.ordinals);
        position += success!.ordinals.length;
      }
      expect(ordered).to.have.length(successes.size);

      // Replay: the free map before each hold; every refusal is placed by the free count it saw.
      let available = free.filter(Boolean).length;
      const refusedAt = new Map<number, number[]>(); // free count -> quantities refused then
      for (const { quantity, seen: count } of refused)
        refusedAt.set(count, [...(refusedAt.get(count) ?? []), quantity]);
      const placed = new Set<number>();
      const judge = () => {
        for (const quantity of refusedAt.get(available) ?? []) {
          expect(
            hasBlock(free, quantity),
            `refused ${quantity} seats while a block fitted (${available} free)`,
          ).to.equal(false);
          refusals++;
        }
        if (refusedAt.has(available)) placed.add(available);
      };
      judge();
      for (const ordinals of ordered) {
        for (const ordinal of ordinals) {
          expect(free[ordinal]).to.equal(true);
          free[ordinal] = false;
        }
        available -= ordinals.length;
        judge();
      }
      expect(
        [...refusedAt.keys()].filter((count) => !placed.has(count)),
        "refusals at no point of the order",
      ).to.deep.equal([]);
      return { held: successes.size, refused: refused.length };
    };

    const first = await round(Array.from({ length: 500 }, (_, index) => 2 + (index % 3)));
    expect(first.held).to.be.greaterThan(0);
    const second = await round(Array.from({ length: 500 }, (_, index) => 2 + ((index + 1) % 3)));
    expect(second.refused).to.be.greaterThan(0); // 2,000 seats cannot take 1,000 requests of 3
    // What is left (singles and short runs) goes to requests for one seat; a few find nothing.
    const left = free.filter(Boolean).length;
    const last = await round(Array.from({ length: left + 5 }, () => 1));
    expect(last).to.deep.equal({ held: left, refused: 5 });
    expect(free.every((seat) => !seat)).to.equal(true);
    expect(holders.size).to.equal(total);
    expect(refusals).to.equal(first.refused + second.refused + last.refused);

    // The live seat map and the database agree with the answers: every seat held once, by its holder.
    const map = await system.request("GET", `/events/${eventId}/tickets`);
    expect(map.body.tickets.filter((ticket: any) => ticket.status !== "reserved")).to.deep.equal([]);
    const heldRows = await queryDatabase(
      system.databaseUrl,
      `SELECT ordinal, user_id FROM holds WHERE event_id = $1 AND status = 'held'`,
      [eventId],
    );
    expect(heldRows).to.have.length(total);
    for (const row of heldRows) expect(row.user_id).to.equal(holders.get(row.ordinal));

    // Sell out: every holder confirms what it was given.
    const bookings = new Set<string>();
    for (let start = 0; start < holds.length; start += 40) {
      await Promise.all(
        holds.slice(start, start + 40).map(async (hold, index) => {
          const answer = await system.request("POST", "/booking/confirm", {
            token: hold.token,
            body: { ticketIds: hold.ticketIds, paymentDetails: { token: "tok_ok" } },
            headers: { "Idempotency-Key": `best-sellout-${start + index}` },
          });
          expect(answer.status, JSON.stringify(answer.body)).to.equal(201);
          bookings.add(answer.body.booking.id);
        }),
      );
    }
    expect(bookings.size).to.equal(holds.length);
    const soldOut = await system.request("GET", `/events/${eventId}/tickets`);
    expect(soldOut.body.tickets.filter((ticket: any) => ticket.status !== "booked")).to.deep.equal([]);
    const nothingLeft = await system.request("POST", "/booking/reserve", {
      token: await system.token("too-late"),
      body: { eventId, quantity: 1, adjacent: false },
    });
    expect(nothingLeft.status).to.equal(409);
    expect(nothingLeft.body.error.details.ticketsAvailable).to.equal(0);

    const db = new pg.Client({ connectionString: system.databaseUrl });
    await db.connect();
    try {
      const report = await auditDatabase(db, eventId);
      expect(report.ok, formatAudit(report)).to.equal(true);
      expect(report.bookings).to.equal(holds.length);
      const [{ booked }] = (
        await db.query(
          `SELECT count(*)::int AS booked FROM tickets WHERE event_id = $1 AND status = 'booked'`,
          [eventId],
        )
      ).rows;
      expect(booked).to.equal(total);
    } finally {
      await db.end();
    }
    expect(await findDatabaseViolations(system.databaseUrl)).to.deep.equal([]);
  });
});
