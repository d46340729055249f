// The crowd's seat-map reads through HTTP (contract v1.1 "Seat maps for a crowd"): the compact map
// (one character per ticket, the same statuses as the full list at the same version, ETag/304),
// the static layout (ordinals consistent with ticket ids, long-lived caching), strict `format`.
import { expect } from "chai";
import { startSystem, dropDatabase, type TestSystem } from "../../support/system.ts";
import { createEventFixture, type EventFixture } from "../../support/catalog.ts";
import { eventually } from "../../support/eventually.ts";

const sections = [
  {
    name: "Stalls",
    priceCents: 9_000,
    rows: [
      { label: "A", seats: 40 },
      { label: "B", seats: 45 },
    ],
  },
  { name: "Circle", priceCents: 6_500, rows: [{ label: "1", seats: 30 }] },
  {
    name: "Gods",
    priceCents: 2_500,
    rows: [
      { label: "X", seats: 12 },
      { label: "Y", seats: 13 },
    ],
  },
];
const seatCount = 40 + 45 + 30 + 12 + 13;
const characterOf: Record<string, string> = { available: "A", reserved: "R", booked: "B" };

describe("seat maps for a crowd (compact form, layout)", () => {
  let system: TestSystem;
  let fixture: EventFixture;
  before(async () => {
    system = await startSystem();
    fixture = await createEventFixture(system, { extra: { sections } });
  });
  after(async () => {
    await system.stop();
    await dropDatabase(system.databaseUrl);
  });

  const compactUrl = () => `/events/${fixture.eventId}/tickets?format=compact`;
  const fullUrl = () => `/events/${fixture.eventId}/tickets`;

  /** The compact and the full map at one version (read again while a delta lands in between). */
  async function bothAtOneVersion(): Promise<{ compact: any; full: any }> {
    return eventually(async () => {
      const compact = (await system.request("GET", compactUrl())).body;
      const full = (await system.request("GET", fullUrl())).body;
      return compact.version === full.version ? { compact, full } : undefined;
    });
  }

  it("compact: one character per ticket, the full list's statuses at the same version", async () => {
    const alice = await system.token("compact-alice");
    const [held, bookedOne, bookedTwo] = [3, 50, 131].map((ordinal) => `${fixture.eventId}.${ordinal}`);
    const reserve = await system.request("POST", "/booking/reserve", {
      token: alice,
      body: { ticketIds: [held, bookedOne, bookedTwo] },
    });
    expect(reserve.status).to.equal(200);
    const confirm = await system.request("POST", "/booking/confirm", {
      token: alice,
      body: { ticketIds: [bookedOne, bookedTwo], paymentDetails: { token: "tok_ok" } },
      headers: { "Idempotency-Key": "compact-map-confirm-1" },
    });
    expect(confirm.status).to.equal(201);

    const { compact, full } = await eventually(async () => {
      const read = await bothAtOneVersion();
      return read.compact.statuses[50] === "B" ? read : undefined;
    });
    expect(Object.keys(compact)).to.deep.equal(["eventId", "version", "statuses"]);
    expect(compact.eventId).to.equal(fixture.eventId);
    expect(compact.statuses)
      .to.have.length(seatCount)
      .and.match(/^[ARBX]+$/);
    const expected = full.tickets.map((ticket: any) => characterOf[ticket.status]).join("");
    expect(compact.statuses).to.equal(expected);
    // Ordinal order: ticket id `<eventId>.<ordinal>` is character <ordinal>.
    full.tickets.forEach((ticket: any, index: number) =>
      expect(ticket.id).to.equal(`${fixture.eventId}.${index}`),
    );
    expect([compact.statuses[3], compact.statuses[50], compact.statuses[131]]).to.deep.equal(["R", "B", "B"]);
    expect(compact.statuses.replace(/A/g, "")).to.equal("RBB");
  });

  it("compact: ETag and If-None-Match (304) until a seat changes, CDN-friendly Cache-Control", async () => {
    const first = await system.request("GET", compactUrl());
    expect(first.status).to.equal(200);
    expect(first.headers.get("content-type")).to.match(/^application\/json/);
    expect(first.headers.get("cache-control")).to.equal("public, max-age=1, stale-while-revalidate=10");
    const etag = first.headers.get("etag")!;
    expect(etag).to.match(/^W\/".+"$/);
    // Not the full list's ETag: the two forms are different resources.
    expect(etag).to.not.equal((await system.request("GET", fullUrl())).headers.get("etag"));
    const unchanged = await system.request("GET", compactUrl(), { headers: { "if-none-match": etag } });
    expect(unchanged.status).to.equal(304);
    expect(unchanged.body).to.equal(null);
    expect(unchanged.headers.get("etag")).to.equal(etag);

    const bob = await system.token("compact-bob");
    const ticketId = `${fixture.eventId}.7`;
    expect(
      (await system.request("POST", "/booking/reserve", { token: bob, body: { ticketId } })).status,
    ).to.equal(200);
    const changed = await eventually(async () => {
      const answer = await system.request("GET", compactUrl(), { headers: { "if-none-match": etag } });
      return answer.status === 200 ? answer : undefined;
    });
    expect(changed.headers.get("etag")).to.not.equal(etag);
    expect(changed.body.version).to.be.greaterThan(first.body.version);
    expect(changed.body.statuses[7]).to.equal("R");
    await system.request("POST", "/booking/release", { token: bob, body: { ticketIds: [ticketId] } });
  });

  it("GET /events/:id?format=compact: the details with statuses instead of tickets, at one version", async () => {
    const { compactPage, full } = await eventually(async () => {
      const read = {
        compactPage: (await system.request("GET", `/events/${fixture.eventId}?format=compact`)).body,
        full: (await system.request("GET", `/events/${fixture.eventId}`)).body,
      };
      return read.compactPage.version === read.full.version ? read : undefined;
    });
    const { tickets, ...details } = full;
    const { statuses, ...compactDetails } = compactPage;
    expect(compactDetails).to.deep.equal(details);
    expect(statuses).to.equal(tickets.map((ticket: any) => characterOf[ticket.status]).join(""));
    const etag = (await system.request("GET", `/events/${fixture.eventId}?format=compact`)).headers.get(
      "etag",
    )!;
    expect(etag).to.not.equal(
      (await system.request("GET", `/events/${fixture.eventId}`)).headers.get("etag"),
    );
    const again = await system.request("GET", `/events/${fixture.eventId}?format=compact`, {
      headers: { "if-none-match": etag },
    });
    expect(again.status).to.equal(304);
    expect(
      (await system.request("GET", `/events/${fixture.eventId}?format=tiny`)).body.error.details.field,
    ).to.equal("format");
  });

  it("format is validated strictly: an unknown value is a 400 naming `format`", async () => {
    for (const query of ["format=xml", "format=", "format=COMPACT", "format=compact&format=full"]) {
      const answer = await system.request("GET", `/events/${fixture.eventId}/tickets?${query}`);
      expect(answer.status, query).to.equal(400);
      expect(answer.body.error.code, query).to.equal("VALIDATION_ERROR");
      expect(answer.body.error.details.field, query).to.equal("format");
    }
    const explicit = await system.request("GET", `/events/${fixture.eventId}/tickets?format=full`);
    expect(explicit.status).to.equal(200);
    expect(explicit.body.tickets).to.have.length(seatCount);
    expect((await system.request("GET", "/events/ev_unknown/tickets?format=compact")).status).to.equal(404);
  });

  it("/openapi.json documents `format` and the layout route", async () => {
    const document = (await system.request("GET", "/openapi.json")).body;
    const parameters = document.paths["/events/{eventId}/tickets"].get.parameters;
    const format = parameters.find((parameter: any) => parameter.name === "format");
    expect(format).to.deep.include({ in: "query", required: false });
    expect(format.schema.enum).to.deep.equal(["full", "compact"]);
    expect(document.paths["/events/{eventId}/layout"].get.operationId).to.equal("catalog.getLayout");
  });

  it("layout: sections and rows whose first ordinals name the ticket ids, cached for good", async () => {
    const answer = await system.request("GET", `/events/${fixture.eventId}/layout`);
    expect(answer.status).to.equal(200);
    expect(answer.headers.get("cache-control")).to.equal("public, max-age=86400, immutable");
    const layout = answer.body;
    expect(layout.eventId).to.equal(fixture.eventId);
    expect(layout.currency).to.equal("EUR"); // the test venue is in Portugal
    expect(layout.ticketCount).to.equal(seatCount);
    expect(layout.stage).to.equal(undefined); // the event records no stage
    expect(layout.sections.map((section: any) => [section.name, section.priceCents])).to.deep.equal(
      sections.map((section) => [section.name, section.priceCents]),
    );

    const tickets = (await system.request("GET", fullUrl())).body.tickets;
    const byId = new Map(tickets.map((ticket: any) => [ticket.id, ticket]));
    let seats = 0;
    for (const section of layout.sections)
      for (const row of section.rows)
        for (let seat = 1; seat <= row.seats; seat++) {
          const ticket: any = byId.get(`${fixture.eventId}.${row.firstOrdinal + seat - 1}`);
          expect(ticket, `${section.name} ${row.label} ${seat}`).to.include({
            section: section.name,
            row: row.label,
            seat,
            priceCents: section.priceCents,
          });
          seats++;
        }
    expect(seats).to.equal(tickets.length);

    const etag = answer.headers.get("etag")!;
    expect(etag).to.match(/^W\/".+"$/);
    const again = await system.request("GET", `/events/${fixture.eventId}/layout`, {
      headers: { "if-none-match": etag },
    });
    expect(again.status).to.equal(304);
    expect((await system.request("GET", "/events/ev_unknown/layout")).status).to.equal(404);
    expect((await system.request("GET", `/events/${fixture.eventId}/layout?format=compact`)).status).to.equal(
      400,
    );
  });
});
