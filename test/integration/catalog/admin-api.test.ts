import { expect } from "chai";
import { startSystem, dropDatabase, type TestSystem } from "../../support/system.ts";
import { createEventFixture } from "../../support/catalog.ts";

describe("catalog admin API", () => {
  let system: TestSystem;
  before(async () => {
    system = await startSystem();
  });
  after(async () => {
    await system.stop();
    await dropDatabase(system.databaseUrl);
  });

  it("builds a catalog and serves the event with its tickets", async () => {
    const fixture = await createEventFixture(system, { seats: 20, rows: 2 });
    const answer = await system.request("GET", `/events/${fixture.eventId}`);
    expect(answer.status).to.equal(200);
    expect(answer.body.event).to.include({ id: fixture.eventId, name: "Test Concert", type: "concert" });
    expect(answer.body.event.waitingRoom).to.include({ enabled: false });
    expect(answer.body.venue).to.include({ id: fixture.venueId, city: "Lisbon" });
    expect(answer.body.performers.map((p: any) => p.id)).to.deep.equal([fixture.performerId]);
    expect(answer.body.tickets).to.have.length(20);
    expect(answer.body.tickets[0]).to.deep.equal({
      id: `${fixture.eventId}.0`,
      section: "Floor",
      row: "1",
      seat: 1,
      priceCents: 5000,
      status: "available",
    });
    expect(answer.body.version).to.be.a("number");
    expect(answer.headers.get("etag")).to.be.a("string");
    expect(answer.headers.get("cache-control")).to.match(/max-age/);
  });

  it("creates performers and venues as the contract says", async () => {
    const admin = await system.token("admin-catalog", "admin");
    const performer = await system.request("POST", "/admin/performers", {
      token: admin,
      body: { name: "  The Trimmed Band  ", genre: "rock" },
    });
    expect(performer.status).to.equal(201);
    expect(performer.body).to.deep.equal({ id: performer.body.id, name: "The Trimmed Band", genre: "rock" });
    const bare = await system.request("POST", "/admin/performers", { token: admin, body: { name: "Solo" } });
    expect(bare.body).to.deep.equal({ id: bare.body.id, name: "Solo", genre: null });
    const venue = await system.request("POST", "/admin/venues", {
      token: admin,
      body: { name: "Coliseu", city: "Porto", country: "Portugal", lat: 41.1465, lng: -8.6063 },
    });
    expect(venue.status).to.equal(201);
    expect(venue.body).to.deep.equal({
      id: venue.body.id,
      name: "Coliseu",
      city: "Porto",
      country: "Portugal",
      lat: 41.1465,
      lng: -8.6063,
      timeZone: "UTC",
    });
    expect(venue.body.id).to.not.equal(performer.body.id);
  });

  it("numbers tickets in section, row and seat order across sections", async () => {
    const admin = await system.token("admin-catalog", "admin");
    const venue = await system.request("POST", "/admin/venues", {
      token: admin,
      body: { name: "Hall", city: "Porto", country: "Portugal" },
    });
    const created = await system.request("POST", "/admin/events", {
      token: admin,
      body: {
        name: "Two Sections",
        type: "theatre",
        venueId: venue.body.id,
        startsAt: "2027-06-01T19:00:00Z",
        sections: [
          {
            name: "Stalls",
            priceCents: 9000,
            rows: [
              { label: "A", seats: 3 },
              { label: "B", seats: 2 },
            ],
          },
          { name: "Balcony", priceCents: 4000, rows: [{ label: "1", seats: 2 }] },
        ],
      },
    });
    expect(created.status).to.equal(201);
    expect(created.body.ticketCount).to.equal(7);
    const eventId = created.body.event.id;
    const tickets = (await system.request("GET", `/events/${eventId}/tickets`)).body.tickets;
    expect(tickets.map((t: any) => [t.id, t.section, t.row, t.seat, t.priceCents])).to.deep.equal([
      [`${eventId}.0`, "Stalls", "A", 1, 9000],
      [`${eventId}.1`, "Stalls", "A", 2, 9000],
      [`${eventId}.2`, "Stalls", "A", 3, 9000],
      [`${eventId}.3`, "Stalls", "B", 1, 9000],
      [`${eventId}.4`, "Stalls", "B", 2, 9000],
      [`${eventId}.5`, "Balcony", "1", 1, 4000],
      [`${eventId}.6`, "Balcony", "1", 2, 4000],
    ]);
    expect(tickets.every((t: any) => t.status === "available")).to.equal(true);
  });

  it("changes an event with PATCH and deletes it (404 afterwards)", async () => {
    const admin = await system.token("admin-catalog", "admin");
    const fixture = await createEventFixture(system, { seats: 4 });
    const changed = await system.request("PATCH", `/admin/events/${fixture.eventId}`, {
      token: admin,
      body: {
        name: "Renamed",
        description: "New words",
        type: "comedy",
        startsAt: "2028-01-02T20:00:00Z",
        waitingRoom: { enabled: true, maxActiveShoppers: 50 },
      },
    });
    expect(changed.status).to.equal(200);
    expect(changed.body).to.include({
      id: fixture.eventId,
      name: "Renamed",
      description: "New words",
      type: "comedy",
      startsAt: "2028-01-02T20:00:00.000Z",
    });
    expect(changed.body.waitingRoom).to.deep.equal({
      enabled: true,
      maxActiveShoppers: 50,
      admitPerMinute: 6000,
      tokenTtlSeconds: 900,
    });
    // Only what was sent changes; waiting-room settings merge.
    const again = await system.request("PATCH", `/admin/events/${fixture.eventId}`, {
      token: admin,
      body: { waitingRoom: { enabled: false } },
    });
    expect(again.body).to.include({ name: "Renamed", type: "comedy" });
    expect(again.body.waitingRoom).to.include({ enabled: false, maxActiveShoppers: 50 });
    const read = await system.request("GET", `/events/${fixture.eventId}`);
    expect(read.body.event).to.include({ name: "Renamed", description: "New words" });

    const deleted = await system.request("DELETE", `/admin/events/${fixture.eventId}`, { token: admin });
    expect(deleted.status).to.equal(200);
    for (const [method, path, body] of [
      ["GET", `/events/${fixture.eventId}`, undefined],
      ["GET", `/events/${fixture.eventId}/tickets`, undefined],
      ["PATCH", `/admin/events/${fixture.eventId}`, { name: "Back" }],
      ["DELETE", `/admin/events/${fixture.eventId}`, undefined],
    ] as const) {
      const answer = await system.request(method, path, { token: admin, body });
      expect(answer.status, `${method} ${path}`).to.equal(404);
      expect(answer.body.error.code).to.equal("NOT_FOUND");
    }
  });

  it("keeps every field of concurrent PATCHes and never answers 500 when a PATCH races a DELETE", async () => {
    const admin = await system.token("admin-catalog", "admin");
    const fixture = await createEventFixture(system, { seats: 2 });
    const patch = (body: Record<string, unknown>) =>
      system.request("PATCH", `/admin/events/${fixture.eventId}`, { token: admin, body });
    const answers = await Promise.all([
      patch({ name: "Name From A" }),
      patch({ description: "Description from B" }),
      patch({ type: "festival" }),
      patch({ waitingRoom: { enabled: true } }),
      patch({ waitingRoom: { maxActiveShoppers: 7, enabled: true } }),
    ]);
    expect(answers.map((answer) => answer.status)).to.deep.equal([200, 200, 200, 200, 200]);
    const read = (await system.request("GET", `/events/${fixture.eventId}`)).body.event;
    expect(read).to.include({ name: "Name From A", description: "Description from B", type: "festival" });
    expect(read.waitingRoom).to.include({ enabled: true, maxActiveShoppers: 7 });

    const raced = await Promise.all([
      ...Array.from({ length: 5 }, (_, index) => patch({ name: `Racer ${index}` })),
      system.request("DELETE", `/admin/events/${fixture.eventId}`, { token: admin }),
      ...Array.from({ length: 5 }, (_, index) => patch({ name: `Late ${index}` })),
    ]);
    for (const answer of raced) expect([200, 404], JSON.stringify(answer.body)).to.include(answer.status);
    expect((await system.request("GET", `/events/${fixture.eventId}`)).status).to.equal(404);
  });

  it("creates a 100,000-seat event through the API in seconds", async function () {
    this.timeout(120_000);
    const admin = await system.token("admin-catalog", "admin");
    const venue = await system.request("POST", "/admin/venues", {
      token: admin,
      body: { name: "Estádio", city: "Lisbon", country: "Portugal", lat: 38.7527, lng: -9.1847 },
    });
    // 20 sections x 50 rows x 100 seats.
    const sections = Array.from({ length: 20 }, (_, section) => ({
      name: `Section ${section + 1}`,
      priceCents: 3000 + section * 100,
      rows: Array.from({ length: 50 }, (_, row) => ({ label: String(row + 1), seats: 100 })),
    }));
    const startedAt = performance.now();
    const created = await system.request("POST", "/admin/events", {
      token: admin,
      body: {
        name: "Stadium Night",
        type: "concert",
        venueId: venue.body.id,
        startsAt: "2027-07-01T20:00:00Z",
        sections,
      },
    });
    const elapsedMs = Math.round(performance.now() - startedAt);
    console.log(`      100,000-seat event created through POST /admin/events in ${elapsedMs} ms`);
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    expect(created.body.ticketCount).to.equal(100_000);
    const eventId = created.body.event.id;
    const { rows } = await system.node.runtime.db.query(
      "SELECT count(*)::int AS n, count(DISTINCT ordinal)::int AS ordinals, max(ordinal) AS last FROM tickets WHERE event_id = $1",
      [eventId],
    );
    expect(rows[0]).to.deep.equal({ n: 100_000, ordinals: 100_000, last: 99_999 });
    const tickets = await system.request("GET", `/events/${eventId}/tickets`);
    expect(tickets.body.tickets).to.have.length(100_000);
    expect(tickets.body.tickets[99_999]).to.include({
      id: `${eventId}.99999`,
      section: "Section 20",
      row: "50",
      seat: 100,
      priceCents: 4900,
    });
  });
});
