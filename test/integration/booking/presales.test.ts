// Presale codes over HTTP (issue 18): an admin creates a presale with codes; before onSaleAt, a code
// in its window opens reserve (by ids and best available); a code is used by a booking, never by a hold.
import { expect } from "chai";
import pg from "pg";
import { ManualClock } from "../../../domain/clock.ts";
import { presaleCodeAlphabet } from "../../../domain/presale-codes.ts";
import { presaleCodeCountMax, presaleUsesPerCodeMax } from "../../../domain/limits.ts";
import { startSystem, dropDatabase, type TestSystem } from "../../support/system.ts";
import { createEventFixture } from "../../support/catalog.ts";
import { findDatabaseViolations } from "../../support/invariants.ts";
import { eventually } from "../../support/eventually.ts";

const hour = 3_600_000;

describe("presale codes over HTTP", function () {
  this.timeout(60_000);
  let system: TestSystem;
  let admin: string;
  const clock = new ManualClock(Date.now());

  before(async () => {
    system = await startSystem({ clock, env: { ACTOR_PARANOID_CHECKS: "true" } });
    admin = await system.token("admin-1", "admin");
  });
  after(async () => {
    expect(await findDatabaseViolations(system.databaseUrl)).to.deep.equal([]);
    await system.stop();
    await dropDatabase(system.databaseUrl);
  });

  /** An event whose sale opens in two days, with one presale open now (for an hour unless told). */
  async function presaleEvent(
    options: {
      seats?: number;
      usesPerCode?: number;
      codeCount?: number;
      waitingRoom?: Record<string, unknown>;
    } = {},
  ) {
    const fixture = await createEventFixture(system, {
      seats: options.seats ?? 20,
      onSaleAt: new Date(clock.now() + 48 * hour).toISOString(),
      ...(options.waitingRoom ? { waitingRoom: options.waitingRoom } : {}),
    });
    const created = await createPresale(fixture.eventId, {
      name: "Fan club",
      startsAt: new Date(clock.now() - 60_000).toISOString(),
      endsAt: new Date(clock.now() + hour).toISOString(),
      codeCount: options.codeCount ?? 3,
      ...(options.usesPerCode === undefined ? {} : { usesPerCode: options.usesPerCode }),
    });
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    return { fixture, presale: created.body, codes: created.body.codes as string[] };
  }
  const createPresale = (eventId: string, body: unknown, token = admin) =>
    system.request("POST", `/admin/events/${eventId}/presales`, { token, body });
  const reserve = async (userId: string, body: unknown, code?: string, extra: Record<string, string> = {}) =>
    system.request("POST", "/booking/reserve", {
      token: await system.token(userId),
      body,
      headers: { ...(code === undefined ? {} : { "X-Presale-Code": code }), ...extra },
    });
  const confirm = async (userId: string, ticketIds: string[], key: string) =>
    system.request("POST", "/booking/confirm", {
      token: await system.token(userId),
      body: { ticketIds, paymentDetails: { token: "tok_ok" } },
      headers: { "Idempotency-Key": `presale-${key}` },
    });
  const release = async (userId: string, ticketIds: string[]) =>
    system.request("POST", "/booking/release", { token: await system.token(userId), body: { ticketIds } });
  const expectRefused = (
    answer: { status: number; body: any },
    status: number,
    code: string,
    reason?: string,
  ) => {
    expect(answer.status, JSON.stringify(answer.body)).to.equal(status);
    expect(answer.body.error.code).to.equal(code);
    if (reason) expect(answer.body.error.details.reason).to.equal(reason);
  };
  const query = async (sql: string, values: unknown[] = []) => {
    const client = new pg.Client({ connectionString: system.databaseUrl });
    await client.connect();
    try {
      return (await client.query(sql, values)).rows;
    } finally {
      await client.end();
    }
  };

  it("creates codes: unguessable, shown once, stored hashed; lists the presale with its bookings", async () => {
    const { fixture, presale, codes } = await presaleEvent({ codeCount: 50, usesPerCode: 2 });
    expect(presale).to.include({ name: "Fan club", usesPerCode: 2 });
    expect(presale.id).to.be.a("string");
    expect(codes).to.have.length(50);
    expect(new Set(codes).size).to.equal(50);
    for (const code of codes) {
      expect(code).to.have.length.of.at.least(10);
      for (const symbol of code) expect(presaleCodeAlphabet).to.include(symbol);
    }
    const stored = await query("SELECT code_hash, hint FROM presale_codes WHERE presale_id = $1", [
      presale.id,
    ]);
    expect(stored).to.have.length(50);
    expect(stored.map((row: any) => row.code_hash)).to.not.include(codes[0]);
    const list = await system.request("GET", `/admin/events/${fixture.eventId}/presales`, { token: admin });
    expect(list.status).to.equal(200);
    expect(list.body.presales).to.have.length(1);
    expect(list.body.presales[0]).to.deep.include({
      id: presale.id,
      codeCount: 50,
      bookings: 0,
      codesUsed: [],
    });
    expect(JSON.stringify(list.body)).to.not.include(codes[0]);
    // The public read names the window, never a code.
    const open = await system.request("GET", `/events/${fixture.eventId}/presales`);
    expect(open.status).to.equal(200);
    expect(open.body.presales[0]).to.deep.equal({
      name: "Fan club",
      startsAt: presale.startsAt,
      endsAt: presale.endsAt,
    });
  });

  it("refuses bad admin input with nothing written", async () => {
    const fixture = await createEventFixture(system, { seats: 2 });
    const now = clock.now();
    const good = {
      name: "Presale",
      startsAt: new Date(now).toISOString(),
      endsAt: new Date(now + hour).toISOString(),
      codeCount: 2,
    };
    const bad: [string, unknown, number][] = [
      ["null name", { ...good, name: null }, 400],
      ["null codeCount", { ...good, codeCount: null }, 400],
      ["null usesPerCode", { ...good, usesPerCode: null }, 400],
      ["string codeCount", { ...good, codeCount: "2" }, 400],
      ["fractional codeCount", { ...good, codeCount: 1.5 }, 400],
      ["codeCount 0", { ...good, codeCount: 0 }, 400],
      ["codeCount over the limit", { ...good, codeCount: presaleCodeCountMax + 1 }, 400],
      ["usesPerCode 0", { ...good, usesPerCode: 0 }, 400],
      ["usesPerCode over the limit", { ...good, usesPerCode: presaleUsesPerCodeMax + 1 }, 400],
      ["endsAt before startsAt", { ...good, endsAt: new Date(now - hour).toISOString() }, 400],
      ["endsAt equal to startsAt", { ...good, endsAt: good.startsAt }, 400],
      [
        "endsAt after the event starts",
        { ...good, endsAt: new Date(now + 90 * 24 * hour).toISOString() },
        400,
      ],
      ["not a time", { ...good, startsAt: "tomorrow" }, 400],
      ["an impossible day", { ...good, startsAt: "2031-02-31T10:00:00Z" }, 400],
      ["a lone surrogate in name", { ...good, name: "Fan\uD800club" }, 400],
      ["a NUL in name", { ...good, name: "Fan\u0000club" }, 400],
      ["an empty name", { ...good, name: "" }, 400],
      ["an unknown field", { ...good, codes: ["AAAAAAAAAAAAAA"] }, 400],
      ["a missing field", { name: "x", startsAt: good.startsAt, codeCount: 1 }, 400],
      ["an array body", [good], 400],
    ];
    for (const [what, body, status] of bad) {
      const answer = await createPresale(fixture.eventId, body);
      expect(answer.status, `${what}: ${JSON.stringify(answer.body)}`).to.equal(status);
      expect(answer.body.error.code, what).to.equal("VALIDATION_ERROR");
    }
    expectRefused(await createPresale("no-such-event", good), 404, "NOT_FOUND");
    expectRefused(await createPresale(fixture.eventId, good, await system.token("fan")), 403, "FORBIDDEN");
    expect(await query("SELECT * FROM presales WHERE event_id = $1", [fixture.eventId])).to.deep.equal([]);
    expect(await query("SELECT * FROM presale_codes WHERE event_id = $1", [fixture.eventId])).to.deep.equal(
      [],
    );
    // Unicode that is text is fine.
    expect((await createPresale(fixture.eventId, { ...good, name: "Fã clube ★" })).status).to.equal(201);
  });

  it("opens the sale early for ids and best available; no code is NOT_ON_SALE, bad codes are 403", async () => {
    const { fixture, codes } = await presaleEvent({ usesPerCode: 3 });
    const other = await presaleEvent();
    const [a, b] = fixture.ticketIds;
    expectRefused(await reserve("fan-a", { ticketId: a }), 409, "NOT_ON_SALE");
    const byIds = await reserve("fan-a", { ticketId: a }, codes[0]);
    expect(byIds.status, JSON.stringify(byIds.body)).to.equal(200);
    // Spaces, dashes and lower case as people copy codes.
    const spaced = `${codes[1].slice(0, 5).toLowerCase()}-${codes[1].slice(5)} `;
    expect((await reserve("fan-b", { ticketId: b }, spaced)).status).to.equal(200);
    const best = await reserve("fan-c", { eventId: fixture.eventId, quantity: 2 }, codes[2]);
    expect(best.status, JSON.stringify(best.body)).to.equal(200);
    expect(best.body.ticketIds).to.have.length(2);
    expectRefused(await reserve("fan-d", { eventId: fixture.eventId, quantity: 1 }), 409, "NOT_ON_SALE");

    const c = fixture.ticketIds[10];
    expectRefused(
      await reserve("fan-d", { ticketId: c }, "AAAAAAAAAAAAAA"),
      403,
      "PRESALE_CODE_INVALID",
      "unknown",
    );
    expectRefused(await reserve("fan-d", { ticketId: c }, "not a code at all"), 403, "PRESALE_CODE_INVALID");
    expectRefused(await reserve("fan-d", { ticketId: c }, "x".repeat(500)), 403, "PRESALE_CODE_INVALID");
    expectRefused(
      await reserve("fan-d", { ticketId: c }, other.codes[0]),
      403,
      "PRESALE_CODE_INVALID",
      "unknown",
    );
    const map = await system.request("GET", `/events/${fixture.eventId}/tickets`);
    expect(map.body.tickets.filter((t: any) => t.status === "reserved")).to.have.length(4);
  });

  it("refuses a code before its window and after it; once on sale a code is not needed nor used", async () => {
    const fixture = await createEventFixture(system, {
      seats: 10,
      onSaleAt: new Date(clock.now() + 3 * hour).toISOString(),
    });
    const created = await createPresale(fixture.eventId, {
      name: "Later",
      startsAt: new Date(clock.now() + hour).toISOString(),
      endsAt: new Date(clock.now() + 2 * hour).toISOString(),
      codeCount: 1,
    });
    const [code] = created.body.codes;
    const [a, b, c] = fixture.ticketIds;
    expectRefused(await reserve("early", { ticketId: a }, code), 403, "PRESALE_CODE_INVALID", "not_started");
    clock.advance(hour);
    expect((await reserve("early", { ticketId: a }, code)).status).to.equal(200);
    clock.advance(hour);
    expectRefused(await reserve("late", { ticketId: b }, code), 403, "PRESALE_CODE_INVALID", "ended");
    clock.advance(hour); // on sale now
    expect((await reserve("late", { ticketId: b }, code)).status).to.equal(200);
    expect((await confirm("late", [b], "late-1")).status).to.equal(201);
    // That booking did not use the one-use code: the presale says no booking.
    const list = await system.request("GET", `/admin/events/${fixture.eventId}/presales`, { token: admin });
    expect(list.body.presales[0].bookings).to.equal(0);
    expect((await reserve("later", { ticketId: c })).status).to.equal(200);
  });

  it("uses a code by a booking, not by a hold: a release or a lapse gives nothing away", async () => {
    const { fixture, codes, presale } = await presaleEvent({ codeCount: 1 });
    const [code] = codes;
    const [a, b, c, d] = fixture.ticketIds;
    expect((await reserve("gina", { ticketId: a }, code)).status).to.equal(200);
    expect((await release("gina", [a])).status).to.equal(200);
    expect((await reserve("gina", { ticketId: b }, code)).status).to.equal(200);
    clock.advance(11 * 60_000); // past the hold's TTL: it lapses
    expect((await reserve("gina", { ticketId: c }, code)).status).to.equal(200);
    const booked = await confirm("gina", [c], "gina-1");
    expect(booked.status, JSON.stringify(booked.body)).to.equal(201);
    expectRefused(await reserve("hal", { ticketId: d }, code), 403, "PRESALE_CODE_INVALID", "used_up");
    const uses = await query("SELECT booking_id FROM presale_uses WHERE event_id = $1", [fixture.eventId]);
    expect(uses).to.deep.equal([{ booking_id: booked.body.booking.id }]);
    const list = await system.request("GET", `/admin/events/${fixture.eventId}/presales`, { token: admin });
    expect(list.body.presales[0]).to.deep.include({ id: presale.id, bookings: 1, codesUsedUp: 1 });
    expect(list.body.presales[0].codesUsed).to.deep.equal([{ hint: `${code.slice(0, 4)}…`, uses: 1 }]);
  });

  it("a race on a code's last use: both hold, exactly one books, the other is refused and keeps its hold", async () => {
    const { fixture, codes } = await presaleEvent({ codeCount: 1 });
    const [code] = codes;
    const [a, b, c] = fixture.ticketIds;
    expect((await reserve("ivy", { ticketId: a }, code)).status).to.equal(200);
    expect((await reserve("jon", { ticketId: b }, code)).status).to.equal(200);
    // A one-use code holds at most two holds at once (presaleHoldsPerUseMax).
    expectRefused(await reserve("kim", { ticketId: c }, code), 403, "PRESALE_CODE_INVALID", "holds_full");
    const answers = await Promise.all([confirm("ivy", [a], "ivy-1"), confirm("jon", [b], "jon-1")]);
    const statuses = answers.map((answer) => answer.status).sort();
    expect(statuses, JSON.stringify(answers.map((x) => x.body))).to.deep.equal([201, 403]);
    const loser = answers.find((answer) => answer.status === 403)!;
    expect(loser.body.error.code).to.equal("PRESALE_CODE_INVALID");
    const loserUser = answers[0].status === 403 ? "ivy" : "jon";
    const loserSeat = loserUser === "ivy" ? a : b;
    // Nothing written for the loser: no payment, no booking; its hold stands until released or lapsed.
    expect(
      await query("SELECT count(*)::int AS n FROM presale_uses WHERE event_id = $1", [fixture.eventId]),
    ).to.deep.equal([{ n: 1 }]);
    expect(
      await query("SELECT count(*)::int AS n FROM payments WHERE event_id = $1", [fixture.eventId]),
    ).to.deep.equal([{ n: 1 }]);
    const held = await query("SELECT user_id, status FROM holds WHERE event_id = $1", [fixture.eventId]);
    expect(held).to.deep.equal([{ user_id: loserUser, status: "held" }]);
    // Its retry with the same key is refused the same way.
    expectRefused(await confirm(loserUser, [loserSeat], `${loserUser}-1`), 403, "PRESALE_CODE_INVALID");
    expect((await release(loserUser, [loserSeat])).status).to.equal(200);
  });

  it("keeps a code's uses and holds across a restart of the actor's node", async () => {
    const { fixture, codes } = await presaleEvent({ codeCount: 1, usesPerCode: 2 });
    const [code] = codes;
    const [a, b, c, d] = fixture.ticketIds;
    expect((await reserve("lea", { ticketId: a }, code)).status).to.equal(200);
    expect((await confirm("lea", [a], "lea-1")).status).to.equal(201);
    expect((await reserve("max", { ticketId: b }, code)).status).to.equal(200);
    const databaseUrl = system.databaseUrl;
    await system.stop();
    system = await startSystem({ clock, databaseUrl, env: { ACTOR_PARANOID_CHECKS: "true" } });
    // The new node loads one use and max's hold with the code: one use left, and max's confirm takes it.
    expect((await reserve("ned", { ticketId: c }, code)).status).to.equal(200);
    expectRefused(await reserve("oli", { ticketId: d }, code), 403, "PRESALE_CODE_INVALID", "holds_full");
    expect((await confirm("max", [b], "max-1")).status).to.equal(201);
    expectRefused(await confirm("ned", [c], "ned-1"), 403, "PRESALE_CODE_INVALID", "used_up");
    expectRefused(await reserve("oli", { ticketId: d }, code), 403, "PRESALE_CODE_INVALID", "used_up");
  });

  it("applies the waiting room to presales: a code needs an admission too", async () => {
    const { fixture, codes } = await presaleEvent({
      waitingRoom: { enabled: true, maxActiveShoppers: 5, tokenTtlSeconds: 600 },
    });
    const [a] = fixture.ticketIds;
    expectRefused(await reserve("pat", { ticketId: a }, codes[0]), 403, "ADMISSION_REQUIRED");
    const pat = await system.token("pat");
    // The line admits from the presale's start (before onSaleAt).
    await system.request("POST", `/events/${fixture.eventId}/queue`, { token: pat });
    const admission = await eventually(async () => {
      const answer = await system.request("GET", `/events/${fixture.eventId}/queue`, { token: pat });
      return answer.body?.status === "admitted" ? (answer.body.admissionToken as string) : undefined;
    });
    expectRefused(
      await reserve("pat", { ticketId: a }, undefined, { "X-Admission-Token": admission }),
      409,
      "NOT_ON_SALE",
    );
    const held = await reserve("pat", { ticketId: a }, codes[0], { "X-Admission-Token": admission });
    expect(held.status, JSON.stringify(held.body)).to.equal(200);
  });
});
