// Admission means "active" (issue 16): a shopper who stops holding seats (released everything, booked,
// let the hold lapse) has spent their admission and must join the waiting room again; at most
// maxActiveShoppers users hold seats at once, whatever tokens are around; a spent admission stays
// spent when the event's actor is activated again from the database.
import { expect } from "chai";
import { ManualClock } from "../../../domain/clock.ts";
import { startSystem, dropDatabase, type TestSystem } from "../../support/system.ts";
import { createEventFixture } from "../../support/catalog.ts";
import { eventually } from "../../support/eventually.ts";
import { queryDatabase } from "../../support/invariants.ts";
import { createAdmissionTokens } from "../../../actors/waiting-room/admission-token.ts";

/** The HTTP steps of a shopper, against one system. */
function shopperSteps(system: () => TestSystem) {
  const reserve = async (userId: string, ticketId: string, admissionToken: string) =>
    system().request("POST", "/booking/reserve", {
      token: await system().token(userId),
      body: { ticketId },
      headers: { "x-admission-token": admissionToken },
    });
  const release = async (userId: string, ticketId: string) =>
    system().request("POST", "/booking/release", {
      token: await system().token(userId),
      body: { ticketIds: [ticketId] },
    });
  const join = async (eventId: string, userId: string) =>
    system().request("POST", `/events/${eventId}/queue`, { token: await system().token(userId) });
  /** Joins (again) until admitted with a token other than `previous`. */
  const admitted = (eventId: string, userId: string, previous?: string) =>
    eventually(async () => {
      const answer = await join(eventId, userId);
      const token = answer.body?.admissionToken as string | undefined;
      return answer.body?.status === "admitted" && token !== previous ? token : undefined;
    });
  return { reserve, release, join, admitted };
}

const expectSpent = (answer: { status: number; body: any }) => {
  expect(answer.status, JSON.stringify(answer.body)).to.equal(403);
  expect(answer.body.error.code).to.equal("ADMISSION_REQUIRED");
  expect(answer.body.error.details.reason).to.equal("spent");
};

describe("admission means active", () => {
  let system: TestSystem;
  const clock = new ManualClock(Date.now());
  const { reserve, release, join, admitted } = shopperSteps(() => system);

  before(async () => {
    system = await startSystem({ clock });
  });
  after(async () => {
    await system.stop();
    await dropDatabase(system.databaseUrl);
  });

  it("cannot be cycled: five shoppers let in one by one, then all reserve at once; only the active one holds", async () => {
    const { eventId, ticketIds } = await createEventFixture(system, {
      seats: 10,
      waitingRoom: { enabled: true, maxActiveShoppers: 1, admitPerMinute: 600 },
    });
    const users = ["cy0", "cy1", "cy2", "cy3", "cy4"];
    for (const userId of users) await join(eventId, userId);
    const tokens: string[] = [];
    for (const [index, userId] of users.entries()) {
      clock.advance(1_000);
      tokens.push(await admitted(eventId, userId));
      expect((await reserve(userId, ticketIds[index], tokens[index])).status).to.equal(200);
      if (index < users.length - 1) expect((await release(userId, ticketIds[index])).status).to.equal(200);
    }
    const answers = await Promise.all(
      users.map((userId, index) => reserve(userId, ticketIds[5 + index], tokens[index])),
    );
    for (const answer of answers.slice(0, 4)) expectSpent(answer);
    expect(answers[4].status).to.equal(200);
    const map = await system.request("GET", `/events/${eventId}/tickets`);
    expect(map.body.tickets.filter((ticket: any) => ticket.status === "reserved")).to.have.length(2);
  });

  it("spends the admission of a shopper who booked; joining again gives a fresh token that works", async () => {
    const { eventId, ticketIds } = await createEventFixture(system, {
      seats: 10,
      waitingRoom: { enabled: true, maxActiveShoppers: 2, admitPerMinute: 600 },
    });
    await join(eventId, "booker");
    const token = await admitted(eventId, "booker");
    expect((await reserve("booker", ticketIds[0], token)).status).to.equal(200);
    const booked = await system.request("POST", "/booking/confirm", {
      token: await system.token("booker"),
      body: { ticketId: ticketIds[0], paymentDetails: { token: "tok_ok" } },
      headers: { "idempotency-key": "admission-active-booker-1" },
    });
    expect(booked.status, JSON.stringify(booked.body)).to.equal(201);
    expectSpent(await reserve("booker", ticketIds[1], token));

    clock.advance(1_000);
    const fresh = await admitted(eventId, "booker", token);
    expect(fresh).to.not.equal(token);
    expect((await reserve("booker", ticketIds[1], fresh)).status).to.equal(200);
  });

  it("lets at most maxActiveShoppers hold seats, even with more valid tokens about (e.g. Redis lost)", async () => {
    const { eventId, ticketIds } = await createEventFixture(system, {
      seats: 10,
      waitingRoom: { enabled: true, maxActiveShoppers: 1 },
    });
    // Tokens the waiting room would sign if it admitted too many (its active count lost with Redis).
    const tokens = createAdmissionTokens(system.config.authSecret);
    const tokenOf = (userId: string) => tokens.sign({ eventId, userId, expiresAtMs: clock.now() + 60_000 });
    expect((await reserve("first", ticketIds[0], tokenOf("first"))).status).to.equal(200);
    const second = await reserve("second", ticketIds[1], tokenOf("second"));
    expect(second.status).to.equal(503);
    expect(second.body.error.code).to.equal("OVERLOADED");
    expect(second.body.error.details.reason).to.equal("full");
    expect(Number(second.headers.get("retry-after"))).to.be.greaterThan(0);
    expect((await release("first", ticketIds[0])).status).to.equal(200);
    expect((await reserve("second", ticketIds[1], tokenOf("second"))).status).to.equal(200);
  });

  it("spends the admission when the hold lapses (holds are capped at the token's expiry)", async () => {
    const { eventId, ticketIds } = await createEventFixture(system, {
      seats: 10,
      waitingRoom: { enabled: true, maxActiveShoppers: 5, tokenTtlSeconds: 3_600 },
    });
    await join(eventId, "walker");
    const token = await admitted(eventId, "walker");
    const held = await reserve("walker", ticketIds[0], token);
    expect(held.status).to.equal(200);
    const holdTtlMs = system.config.holdTtlSeconds * 1_000;
    expect(Date.parse(held.body.expiresAt)).to.equal(clock.now() + holdTtlMs);
    clock.advance(holdTtlMs + 1_000); // the token is still valid: the hold lapsed first
    expectSpent(await reserve("walker", ticketIds[0], token));

    // A shopper let in late holds until their token expires, not for the whole hold TTL.
    await join(eventId, "late");
    const lateToken = await admitted(eventId, "late");
    const claims = JSON.parse(Buffer.from(lateToken.split(".")[0], "base64url").toString("utf8"));
    clock.advance(3_600_000 - 60_000);
    const late = await reserve("late", ticketIds[1], lateToken);
    expect(late.status).to.equal(200);
    expect(Date.parse(late.body.expiresAt)).to.equal(claims.x);
  });
});

describe("admission means active, across an actor's activation", () => {
  const clock = new ManualClock(Date.now());
  let first: TestSystem;
  let current: TestSystem;
  const { reserve, release } = shopperSteps(() => current);

  before(async () => {
    first = await startSystem({ clock });
    current = first;
  });
  after(async () => {
    await current.stop();
    await dropDatabase(first.databaseUrl);
  });

  it("keeps a spent admission spent after the actor is activated again, and deletes it once expired", async () => {
    const { eventId, ticketIds } = await createEventFixture(first, {
      seats: 10,
      waitingRoom: { enabled: true, maxActiveShoppers: 5 },
    });
    const tokens = createAdmissionTokens(first.config.authSecret);
    const expiresAtMs = clock.now() + 60_000;
    const token = tokens.sign({ eventId, userId: "mover", expiresAtMs });
    expect((await reserve("mover", ticketIds[0], token)).status).to.equal(200);
    expect((await release("mover", ticketIds[0])).status).to.equal(200);
    expectSpent(await reserve("mover", ticketIds[0], token));

    await first.stop();
    current = await startSystem({ clock, databaseUrl: first.databaseUrl });
    expectSpent(await reserve("mover", ticketIds[0], token));
    const rows = await queryDatabase(first.databaseUrl, "SELECT user_id, expires_at_ms FROM used_admissions");
    expect(rows.map((row) => [row.user_id, Number(row.expires_at_ms)])).to.deep.equal([
      ["mover", expiresAtMs],
    ]);

    clock.advance(61_000);
    const other = tokens.sign({ eventId, userId: "other", expiresAtMs: clock.now() + 60_000 });
    expect((await reserve("other", ticketIds[0], other)).status).to.equal(200);
    const left = await queryDatabase(first.databaseUrl, "SELECT user_id FROM used_admissions");
    expect(left).to.deep.equal([{ user_id: "other" }]);
  });
});
