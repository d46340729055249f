// E-tickets and check-in through HTTP: codes in the booking, QR codes for the owner only, the scan
// at the door (first 200, second 409, forged 400, cancelled 409), two scanners racing, the scanner
// role kept to its routes, and a code verified offline with the event's public key.
import { createPublicKey, verify } from "node:crypto";
import { expect } from "chai";
import pg from "pg";
import QRCode from "qrcode";
import { dropDatabase, startSystem, type TestSystem } from "../../support/system.ts";
import { createEventFixture, type EventFixture } from "../../support/catalog.ts";
import { ApiError, MarqueeClient } from "../../../client/src/index.ts";

describe("tickets: e-tickets and check-in over HTTP", function () {
  this.timeout(60_000);
  let system: TestSystem;
  let fixture: EventFixture;
  let seat = 0;
  let admin: string;
  let scanner: string;

  before(async () => {
    system = await startSystem();
    fixture = await createEventFixture(system, { seats: 40, rows: 4 });
    admin = await system.token("door-admin", "admin");
    scanner = await system.token("door-1", "scanner");
  });
  after(async () => {
    await system.stop();
    await dropDatabase(system.databaseUrl);
  });

  /** Books `count` seats for `userId`: the booking as GET /bookings/:id answers it. */
  async function book(userId: string, count = 1) {
    const token = await system.token(userId);
    const ticketIds = fixture.ticketIds.slice(seat, seat + count);
    seat += count;
    const held = await system.request("POST", "/booking/reserve", { token, body: { ticketIds } });
    expect(held.status, JSON.stringify(held.body)).to.equal(200);
    const confirmed = await system.request("POST", "/booking/confirm", {
      token,
      body: { ticketIds, paymentDetails: { token: "tok_ok" } },
      headers: { "Idempotency-Key": `key-${userId}-${seat}-0001` },
    });
    expect(confirmed.status, JSON.stringify(confirmed.body)).to.equal(201);
    const read = await system.request("GET", `/bookings/${confirmed.body.booking.id}`, { token });
    expect(read.status).to.equal(200);
    return { token, booking: read.body };
  }
  const checkin = (code: unknown, token = scanner) =>
    system.request("POST", "/admin/checkin", { token, body: { code } });

  it("gives each seat of a confirmed booking a ticket with its seat and a signed code, in the list too", async () => {
    const { token, booking } = await book("alice", 2);
    expect(booking.tickets).to.have.length(2);
    expect(booking.tickets.map((ticket: any) => ticket.ticketId)).to.deep.equal(booking.ticketIds);
    for (const ticket of booking.tickets) {
      expect(ticket).to.include({ section: "Floor", row: "1" });
      expect(ticket.seat).to.be.a("number");
      expect(ticket.code).to.match(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{86}$/);
    }
    expect(booking.tickets[0].code).to.not.equal(booking.tickets[1].code);
    const list = await system.request("GET", "/bookings", { token });
    expect(list.body.bookings[0].tickets).to.deep.equal(booking.tickets);
  });

  it("checks a ticket in once: 200 with the holder, then 409 ALREADY_CHECKED_IN with the first time", async () => {
    const { booking } = await book("bob");
    const [ticket] = booking.tickets;
    const first = await checkin(ticket.code);
    expect(first.status, JSON.stringify(first.body)).to.equal(200);
    expect(first.body).to.include({ ticketId: ticket.ticketId, eventId: fixture.eventId });
    expect(first.body.holder).to.deep.equal({ userId: "bob" });
    const again = await checkin(ticket.code, admin);
    expect(again.status).to.equal(409);
    expect(again.body.error.code).to.equal("ALREADY_CHECKED_IN");
    expect(again.body.error.details.checkedInAt).to.equal(first.body.checkedInAt);
  });

  it("refuses forged, altered and junk codes with 400 INVALID_TICKET_CODE, checking nothing in", async () => {
    const { booking } = await book("carol");
    const code: string = booking.tickets[0].code;
    const [payload, signature] = code.split(".");
    const text = Buffer.from(payload, "base64url").toString("utf8");
    const flip = (value: string, at: number) =>
      value.slice(0, at) + (value[at] === "A" ? "B" : "A") + value.slice(at + 1);
    const otherSeat = Buffer.from(text.replace(/\|(\d+)\|/, (_, n) => `|${Number(n) + 1}|`)).toString(
      "base64url",
    );
    const otherEvent = await createEventFixture(system, { seats: 2, name: "Other show" });
    const movedEvent = Buffer.from(text.replace(fixture.eventId, otherEvent.eventId)).toString("base64url");
    const forged = [
      `${otherSeat}.${signature}`, // another seat, the same signature
      `${movedEvent}.${signature}`, // another event
      `${payload}.${flip(signature, 10)}`,
      `${payload}.${flip(signature, 85)}`, // the last character: no second spelling of a signature
      `${flip(payload, 3)}.${signature}`,
      `${payload}.${signature}x`,
      code.slice(0, -1),
      "not a ticket",
      "é".repeat(50),
      `${Buffer.from("1|ev_nothing|0|bk_nothing").toString("base64url")}.${signature}`,
    ];
    for (const each of forged) {
      const answer = await checkin(each);
      expect(answer.status, each).to.equal(400);
      expect(answer.body.error.code, each).to.equal("INVALID_TICKET_CODE");
    }
    // A code signed with another event's key does not check in at this one either.
    const elsewhere = await book("carol-2");
    const stolenSignature = elsewhere.booking.tickets[0].code.split(".")[1];
    expect((await checkin(`${payload}.${stolenSignature}`)).body.error.code).to.equal("INVALID_TICKET_CODE");
    for (const body of [{}, { code: 5 }, { code: "" }, { code: "x".repeat(401) }, { code: "a", extra: 1 }])
      expect((await system.request("POST", "/admin/checkin", { token: scanner, body })).status).to.equal(400);
    // The real code still checks in: none of the above touched it.
    expect((await checkin(code)).status).to.equal(200);
  });

  it("lets exactly one of several scanners racing on a ticket check it in, all tickets at once", async () => {
    const { booking } = await book("dave", 3);
    const scanners = [scanner, admin];
    for (let index = 2; index <= 5; index++) scanners.push(await system.token(`door-${index}`, "scanner"));
    // Every scanner scans every ticket of the booking at the same moment.
    const answers = await Promise.all(
      booking.tickets.flatMap((ticket: any) => scanners.map((token) => checkin(ticket.code, token))),
    );
    for (const [index, ticket] of booking.tickets.entries()) {
      const mine = answers.slice(index * scanners.length, (index + 1) * scanners.length);
      const winners = mine.filter((answer) => answer.status === 200);
      expect(winners, ticket.ticketId).to.have.length(1);
      expect(winners[0].body.ticketId).to.equal(ticket.ticketId);
      const losers = mine.filter((answer) => answer.status !== 200);
      expect(losers).to.have.length(scanners.length - 1);
      for (const loser of losers) {
        expect(loser.status).to.equal(409);
        expect(loser.body.error.code).to.equal("ALREADY_CHECKED_IN");
        expect(loser.body.error.details.checkedInAt).to.equal(winners[0].body.checkedInAt);
      }
    }
  });

  it("answers 409 TICKET_CANCELLED for a ticket of a cancelled booking", async () => {
    const { booking } = await book("erin");
    // Cancellation has its own route; here the booking is marked cancelled as it would leave it.
    const client = new pg.Client({ connectionString: system.databaseUrl });
    await client.connect();
    try {
      await client.query("UPDATE bookings SET status = 'cancelled' WHERE id = $1", [booking.id]);
    } finally {
      await client.end();
    }
    const answer = await checkin(booking.tickets[0].code);
    expect(answer.status).to.equal(409);
    expect(answer.body.error.code).to.equal("TICKET_CANCELLED");
    const token = await system.token("erin");
    const read = await system.request("GET", `/bookings/${booking.id}`, { token });
    expect(read.body.status).to.equal("cancelled");
    expect(read.body).to.not.have.property("tickets");
    const qr = await system.request("GET", `/bookings/${booking.id}/tickets/${booking.ticketIds[0]}/qr.svg`, {
      token,
    });
    expect(qr.status).to.equal(404);
  });

  it("serves a ticket's QR code as SVG to its owner only; others get 404", async () => {
    const { token, booking } = await book("frank");
    const ticketId = booking.ticketIds[0];
    const path = `/bookings/${booking.id}/tickets/${ticketId}/qr.svg`;
    const answer = await system.request("GET", path, { token });
    expect(answer.status).to.equal(200);
    expect(answer.headers.get("content-type")).to.match(/^image\/svg\+xml/);
    expect(answer.body).to.match(/^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    // The QR code carries the ticket's code and nothing else.
    const code = booking.tickets[0].code;
    expect(answer.body).to.equal(
      await QRCode.toString(code, { type: "svg", errorCorrectionLevel: "M", margin: 2 }),
    );
    expect(answer.headers.get("cache-control")).to.equal("private, no-store");
    const grace = await system.token("grace");
    expect((await system.request("GET", path, { token: grace })).status).to.equal(404);
    expect((await system.request("GET", path, {})).status).to.equal(401);
    const outside = `/bookings/${booking.id}/tickets/${fixture.ticketIds[39]}/qr.svg`;
    expect((await system.request("GET", outside, { token })).status).to.equal(404);
    expect(
      (await system.request("GET", `/bookings/bk_none/tickets/${ticketId}/qr.svg`, { token })).status,
    ).to.equal(404);
  });

  it("gives scanners the event's public key: a code verifies offline with it, an altered one does not", async () => {
    const { booking } = await book("heidi");
    const answer = await system.request("GET", `/admin/events/${fixture.eventId}/ticket-key`, {
      token: scanner,
    });
    expect(answer.status).to.equal(200);
    expect(answer.body).to.include({ eventId: fixture.eventId, algorithm: "Ed25519", codeVersion: 1 });
    const key = createPublicKey({ key: answer.body.jwk, format: "jwk" });
    const [payload, signature] = (booking.tickets[0].code as string).split(".");
    const bytes = Buffer.from(payload, "base64url");
    expect(verify(null, bytes, key, Buffer.from(signature, "base64url"))).to.equal(true);
    expect(bytes.toString("utf8")).to.equal(
      `1|${fixture.eventId}|${booking.ticketIds[0].split(".").pop()}|${booking.id}`,
    );
    const altered = Buffer.from(bytes.toString("utf8").replace(booking.id, "bk_someone_else"));
    expect(verify(null, altered, key, Buffer.from(signature, "base64url"))).to.equal(false);
    const user = await system.token("heidi");
    expect(
      (await system.request("GET", `/admin/events/${fixture.eventId}/ticket-key`, { token: user })).status,
    ).to.equal(403);
    expect(
      (await system.request("GET", "/admin/events/ev_nothing/ticket-key", { token: admin })).status,
    ).to.equal(404);
  });

  it("counts each scan's outcome in marquee_checkins_total", async () => {
    const count = async (outcome: string) => {
      const text: string = (await system.request("GET", "/metrics")).body;
      const line = new RegExp(
        `^marquee_checkins_total\\{[^}]*outcome="${outcome}"[^}]*\\} (\\d+)$`,
        "m",
      ).exec(text);
      return Number(line?.[1]);
    };
    const before = Object.fromEntries(
      await Promise.all(
        ["checked_in", "already_checked_in", "invalid_code", "cancelled"].map(async (outcome) => [
          outcome,
          await count(outcome),
        ]),
      ),
    );
    const { booking } = await book("judy");
    await checkin(booking.tickets[0].code);
    await checkin(booking.tickets[0].code);
    await checkin("forged.code");
    expect(await count("checked_in")).to.equal(before.checked_in + 1);
    expect(await count("already_checked_in")).to.equal(before.already_checked_in + 1);
    expect(await count("invalid_code")).to.equal(before.invalid_code + 1);
    expect(await count("cancelled")).to.equal(before.cancelled);
  });

  it("is reachable from the typed client: the event's key and a check-in, a second one refused", async () => {
    const { booking } = await book("ivan");
    const client = new MarqueeClient({ baseUrl: system.baseUrl, token: () => scanner });
    const key = await client.ticketKey(fixture.eventId);
    expect(key.algorithm).to.equal("Ed25519");
    const checked = await client.checkIn(booking.tickets[0].code);
    expect(checked.holder.userId).to.equal("ivan");
    const again = await client.checkIn(booking.tickets[0].code).catch((error: unknown) => error);
    expect(again).to.be.instanceOf(ApiError);
    expect((again as ApiError).code).to.equal("ALREADY_CHECKED_IN");
  });

  it("keeps a scanner token to check-in: every other authenticated route answers 403 FORBIDDEN", async () => {
    const document = await system.request("GET", "/openapi.json");
    const scannerRoutes = new Set(["POST /admin/checkin", "GET /admin/events/{eventId}/ticket-key"]);
    let checked = 0;
    for (const [template, methods] of Object.entries<any>(document.body.paths))
      for (const [method, operation] of Object.entries<any>(methods)) {
        const route = `${method.toUpperCase()} ${template}`;
        if (scannerRoutes.has(route) || !(operation.security ?? []).some((each: any) => each.bearerAuth))
          continue;
        // Only the gateway's own routes with a bearer scheme but their own auth (metrics) are skipped.
        if (template === "/metrics" || template.endsWith("/updates")) continue;
        const path = template.replace(/\{[^}]+\}/g, (name) =>
          name === "{eventId}" ? fixture.eventId : name === "{ticketId}" ? fixture.ticketIds[0] : "x1",
        );
        const body = ["POST", "PATCH", "PUT"].includes(method.toUpperCase()) ? {} : undefined;
        const answer = await system.request(method.toUpperCase(), path, { token: scanner, body });
        expect(answer.status, route).to.equal(403);
        expect(answer.body.error.code, route).to.equal("FORBIDDEN");
        checked++;
      }
    expect(checked).to.be.greaterThan(15);
  });
});
