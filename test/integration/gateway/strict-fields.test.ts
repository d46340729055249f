// Issue 16, items 1, 2 and 7 through HTTP: null in any field (required or optional, at any depth),
// text that is not well-formed Unicode in a body, a query string or a path, and bytes that are not
// UTF-8 are each a 400 VALIDATION_ERROR naming the field, and change nothing: no hold, no row, no
// worker crash (the same worker answers the next request at once).
import { expect } from "chai";
import { createEventFixture, type EventFixture } from "../../support/catalog.ts";
import { dropDatabase, startSystem, type JsonAnswer, type TestSystem } from "../../support/system.ts";

const tables = [
  "performers",
  "venues",
  "events",
  "tickets",
  "holds",
  "bookings",
  "payments",
  "idempotency_keys",
];

describe("gateway: strict fields (null, Unicode) on every route", function () {
  this.timeout(120_000);
  let system: TestSystem;
  let admin: string;
  let user: string;
  let fixture: EventFixture;

  before(async () => {
    system = await startSystem();
    admin = await system.token("admin-strict", "admin");
    user = await system.token("user-strict");
    fixture = await createEventFixture(system, { seats: 20 });
  });
  after(async () => {
    await system.stop();
    await dropDatabase(system.databaseUrl);
  });

  async function counts(): Promise<Record<string, number>> {
    const result: Record<string, number> = {};
    for (const table of tables) {
      const { rows } = await system.node.runtime.db.query(`SELECT count(*)::int AS n FROM ${table}`);
      result[table] = rows[0].n;
    }
    return result;
  }

  function expectRefused(answer: JsonAnswer, field: string | RegExp, what: string): void {
    expect(answer.status, `${what}: ${JSON.stringify(answer.body)}`).to.equal(400);
    expect(answer.body.error.code, what).to.equal("VALIDATION_ERROR");
    if (typeof field === "string") expect(answer.body.error.details.field, what).to.equal(field);
    else expect(answer.body.error.details.field, what).to.match(field);
  }

  /** Sends each case, expects its 400, then checks that nothing was written and booking still serves. */
  async function refusedAndNothingChanged(
    cases: { method: string; path: string; body?: unknown; token?: string; field: string | RegExp }[],
  ): Promise<void> {
    const before = await counts();
    for (const { method, path, body, token, field } of cases) {
      const headers = { "Idempotency-Key": "strict-fields-key-1" };
      const answer = await system.request(method, path, { body, token, headers, timeoutMs: 10_000 });
      expectRefused(
        answer,
        field,
        `${method} ${path} ${typeof body === "string" ? body : JSON.stringify(body)}`,
      );
    }
    expect(await counts()).to.deep.equal(before);
  }

  it("refuses null in the reserve forms the issue reported (quantity, eventId, section, maxPriceCents)", async () => {
    const { eventId } = fixture;
    const reserve = (body: unknown, field: string | RegExp) => ({
      method: "POST",
      path: "/booking/reserve",
      body,
      token: user,
      field,
    });
    await refusedAndNothingChanged([
      reserve({ eventId, quantity: null }, "quantity"), // crashed the actor worker
      reserve({ eventId: null, quantity: 1 }, "eventId"), // a 500 from the pool's hash
      reserve({ eventId, quantity: 1, section: null }, "section"), // a 409 with seats free
      reserve({ eventId, quantity: 1, maxPriceCents: null }, "maxPriceCents"),
      reserve({ eventId, quantity: 1, adjacent: null }, "adjacent"),
      reserve({ ticketId: null }, "ticketId"),
      reserve({ ticketIds: null }, "ticketIds"),
      reserve({ ticketIds: [fixture.ticketIds[0], null] }, /^ticketIds/),
    ]);
    // The worker never stopped: the next reserve is answered at once.
    const started = Date.now();
    const answer = await system.request("POST", "/booking/reserve", {
      token: user,
      body: { eventId, quantity: 2 },
    });
    expect(answer.status, JSON.stringify(answer.body)).to.equal(200);
    expect(Date.now() - started).to.be.below(2_000);
    await system.request("POST", "/booking/release", {
      token: user,
      body: { ticketIds: answer.body.ticketIds },
    });
  });

  it("refuses null on the other booking routes", async () => {
    const ticket = fixture.ticketIds[5];
    await refusedAndNothingChanged([
      {
        method: "POST",
        path: "/booking/release",
        body: { ticketIds: null },
        token: user,
        field: "ticketIds",
      },
      { method: "POST", path: "/booking/release", body: { ticketId: null }, token: user, field: "ticketId" },
      {
        method: "POST",
        path: "/booking/confirm",
        body: { ticketIds: [ticket], paymentDetails: null },
        token: user,
        field: "paymentDetails",
      },
      {
        method: "POST",
        path: "/booking/confirm",
        body: { ticketIds: [ticket], paymentDetails: { token: null } },
        token: user,
        field: "paymentDetails.token",
      },
      { method: "POST", path: "/auth/token", body: { userId: "x", role: null }, field: "role" },
      { method: "POST", path: "/auth/token", body: { userId: null }, field: "userId" },
    ]);
  });

  it("refuses null on the admin routes, at any depth", async () => {
    const event = {
      name: "Null Show",
      type: "concert",
      venueId: fixture.venueId,
      startsAt: "2027-06-01T19:00:00Z",
      sections: [{ name: "Floor", priceCents: 5000, rows: [{ label: "1", seats: 10 }] }],
    };
    const adminCase = (method: string, path: string, body: unknown, field: string) => ({
      method,
      path,
      body,
      token: admin,
      field,
    });
    await refusedAndNothingChanged([
      adminCase("POST", "/admin/performers", { name: "A", genre: null }, "genre"),
      adminCase("POST", "/admin/performers", { name: null }, "name"),
      adminCase("POST", "/admin/venues", { name: "V", city: "C", country: "D", lat: null }, "lat"),
      adminCase("POST", "/admin/events", { ...event, onSaleAt: null }, "onSaleAt"),
      adminCase("POST", "/admin/events", { ...event, description: null }, "description"),
      adminCase("POST", "/admin/events", { ...event, waitingRoom: null }, "waitingRoom"),
      adminCase("POST", "/admin/events", { ...event, performerIds: null }, "performerIds"),
      adminCase(
        "POST",
        "/admin/events",
        { ...event, sections: [{ name: "Floor", priceCents: null, rows: [{ label: "1", seats: 1 }] }] },
        "sections[0].priceCents",
      ),
      adminCase("PATCH", `/admin/events/${fixture.eventId}`, { name: null }, "name"),
      adminCase(
        "PATCH",
        `/admin/events/${fixture.eventId}`,
        { ticketsPerUserMax: null },
        "ticketsPerUserMax",
      ),
      adminCase(
        "PATCH",
        `/admin/events/${fixture.eventId}`,
        { waitingRoom: { enabled: true, maxActiveShoppers: null } },
        "waitingRoom.maxActiveShoppers",
      ),
    ]);
  });

  it("answers a well-formed ticket id of an unknown event with 404 on every booking route, writing nothing", async () => {
    const before = await counts();
    const ticketIds = [`${fixture.eventId.toUpperCase()}X.1`];
    const routes: [string, unknown][] = [
      ["/booking/reserve", { ticketIds }],
      ["/booking/release", { ticketIds }],
      // The confirm's Idempotency-Key claim used to hit the key's foreign key: a 500.
      ["/booking/confirm", { ticketIds, paymentDetails: { token: "tok_ok" } }],
    ];
    for (const [path, body] of routes) {
      const headers = { "Idempotency-Key": "unknown-event-key-1" };
      const answer = await system.request("POST", path, { token: user, body, headers });
      expect(answer.status, `${path}: ${JSON.stringify(answer.body)}`).to.equal(404);
      expect(answer.body.error.code).to.equal("NOT_FOUND");
    }
    expect(await counts()).to.deep.equal(before);
  });

  it("refuses text that is not well-formed Unicode or not UTF-8, in bodies, keys, queries and paths", async () => {
    await refusedAndNothingChanged([
      // As the issue sent it: a lone surrogate as a JSON escape (a 500 from PostgreSQL before).
      {
        method: "POST",
        path: "/admin/performers",
        body: '{"name": "Bad \\ud800"}',
        token: admin,
        field: "name",
      },
      {
        method: "POST",
        path: "/admin/performers",
        body: '{"name": "A", "genre": "\\udfff"}',
        token: admin,
        field: "genre",
      },
      {
        method: "POST",
        path: "/admin/venues",
        body: '{"name": "V", "city": "Lisb\\udc00n", "country": "PT"}',
        token: admin,
        field: "city",
      },
      {
        method: "PATCH",
        path: `/admin/events/${fixture.eventId}`,
        body: '{"description": "ok", "waitingRoom": {"\\ud800": true}}',
        token: admin,
        field: "waitingRoom.\ud800",
      },
      {
        method: "POST",
        path: "/booking/reserve",
        body: `{"eventId": "${fixture.eventId}", "quantity": 1, "section": "Fl\\ud800oor"}`,
        token: user,
        field: "section",
      },
      { method: "GET", path: "/events/search?term=%ED%A0%80", field: "term" },
      { method: "GET", path: "/events/search?location=caf%E9", field: "location" },
      { method: "GET", path: "/events/%ED%A0%80", field: "path" },
    ]);
    // Raw bytes that are not UTF-8 (they used to become U+FFFD unseen).
    const before = await counts();
    const response = await fetch(`${system.baseUrl}/admin/performers`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${admin}` },
      body: Buffer.concat([Buffer.from('{"name": "Bad '), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]),
    });
    expectRefused(
      { status: response.status, body: await response.json(), headers: response.headers },
      "body",
      "bytes",
    );
    expect(await counts()).to.deep.equal(before);
    // Well-formed text with characters outside the BMP still passes.
    const emoji = await system.request("POST", "/admin/performers", {
      token: admin,
      body: '{"name": "Caf\\u00e9 \\ud83c\\udfa4"}',
    });
    expect(emoji.status, JSON.stringify(emoji.body)).to.equal(201);
    expect(emoji.body.name).to.equal("Café 🎤");
  });
});
