// Contract v1.1 "Money and time for buyers" through HTTP: an event's currency (validated, defaulted
// from the venue's country, stated by the layout, locked once the sale opens or a seat was held), a
// venue's time zone (validated, returned under `venue`), and search results with price and seats.
import { expect } from "chai";
import { startSystem, dropDatabase, type TestSystem } from "../../support/system.ts";
import { eventually } from "../../support/eventually.ts";

const day = 86_400_000;

describe("money and time for buyers (currency per event, time zone per venue)", () => {
  let system: TestSystem;
  let admin: string;
  before(async () => {
    system = await startSystem();
    admin = await system.token("admin-money", "admin");
  });
  after(async () => {
    await system.stop();
    await dropDatabase(system.databaseUrl);
  });

  const counts = async () =>
    (
      await system.node.runtime.db.query(
        `SELECT (SELECT count(*) FROM venues)::int AS venues, (SELECT count(*) FROM events)::int AS events,
                (SELECT count(*) FROM tickets)::int AS tickets`,
      )
    ).rows[0];

  async function venue(body: Record<string, unknown>) {
    const answer = await system.request("POST", "/admin/venues", { token: admin, body });
    expect(answer.status, JSON.stringify(answer.body)).to.equal(201);
    return answer.body;
  }

  async function event(venueId: string, extra: Record<string, unknown> = {}) {
    return system.request("POST", "/admin/events", {
      token: admin,
      body: {
        name: "Money Night",
        type: "concert",
        venueId,
        startsAt: new Date(Date.now() + 30 * day).toISOString(),
        onSaleAt: new Date(Date.now() - 3_600_000).toISOString(),
        sections: [
          { name: "Floor", priceCents: 8_500, rows: [{ label: "1", seats: 4 }] },
          { name: "Balcony", priceCents: 2_500, rows: [{ label: "A", seats: 4 }] },
        ],
        ...extra,
      },
    });
  }

  it("a venue takes an IANA time zone (default UTC); GET /events/:id returns it under venue", async () => {
    const wembley = await venue({
      name: "Wembley Stadium",
      city: "London",
      country: "United Kingdom",
      timeZone: "Europe/London",
    });
    expect(wembley.timeZone).to.equal("Europe/London");
    expect((await venue({ name: "Hall", city: "Nowhere", country: "Narnia" })).timeZone).to.equal("UTC");
    const created = await event(wembley.id);
    expect(created.status).to.equal(201);
    const page = await system.request("GET", `/events/${created.body.event.id}`);
    expect(page.status).to.equal(200);
    expect(page.body.venue).to.include({ id: wembley.id, timeZone: "Europe/London" });
    expect(page.body.event.startsAt).to.match(/Z$/); // times stay UTC
  });

  it("refuses a bad time zone with 400 VALIDATION_ERROR naming timeZone, and writes nothing", async () => {
    const before = await counts();
    for (const timeZone of [
      "Mars/Olympus",
      "europe/london",
      "GMT+1",
      "",
      null,
      42,
      true,
      ["UTC"],
      "x".repeat(65),
    ]) {
      const answer = await system.request("POST", "/admin/venues", {
        token: admin,
        body: { name: "Bad Zone Hall", city: "London", country: "United Kingdom", timeZone },
      });
      expect(answer.status, JSON.stringify(timeZone)).to.equal(400);
      expect(answer.body.error.code).to.equal("VALIDATION_ERROR");
      expect(answer.body.error.details.field, JSON.stringify(timeZone)).to.equal("timeZone");
    }
    expect(await counts()).to.deep.equal(before);
  });

  it("an event's currency defaults from its venue's country, else USD; an explicit one wins", async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ name: "Wembley", city: "London", country: "United Kingdom", timeZone: "Europe/London" }, "GBP"],
      [{ name: "Luz", city: "Lisbon", country: "Portugal", timeZone: "Europe/Lisbon" }, "EUR"],
      [{ name: "Dome", city: "Tokyo", country: "Japan", timeZone: "Asia/Tokyo" }, "JPY"],
      [{ name: "Garden", city: "New York", country: "United States", timeZone: "America/New_York" }, "USD"],
      [{ name: "Castle", city: "Cair Paravel", country: "Narnia" }, "USD"],
    ];
    for (const [venueBody, currency] of cases) {
      const created = await event((await venue(venueBody)).id);
      expect(created.status).to.equal(201);
      expect(created.body.event.currency, String(venueBody.country)).to.equal(currency);
      const layout = await system.request("GET", `/events/${created.body.event.id}/layout`);
      expect(layout.body.currency).to.equal(currency);
    }
    const uk = await venue({ name: "O2", city: "London", country: "United Kingdom" });
    const euros = await event(uk.id, { currency: "EUR" });
    expect(euros.body.event.currency).to.equal("EUR");
    const page = await system.request("GET", `/events/${euros.body.event.id}`);
    expect(page.body.event.currency).to.equal("EUR");
    expect(page.body.tickets[0].priceCents).to.equal(8_500); // in the currency's minor unit
  });

  it("refuses a bad currency with 400 VALIDATION_ERROR naming currency, and writes nothing", async () => {
    const uk = await venue({ name: "Bad Money Hall", city: "London", country: "United Kingdom" });
    const before = await counts();
    for (const currency of ["XYZ", "gbp", "GB", "GBPX", "", null, 826, false, { code: "GBP" }, ["GBP"]]) {
      const answer = await event(uk.id, { currency });
      expect(answer.status, JSON.stringify(currency)).to.equal(400);
      expect(answer.body.error.code).to.equal("VALIDATION_ERROR");
      expect(answer.body.error.details.field, JSON.stringify(currency)).to.equal("currency");
    }
    expect(await counts()).to.deep.equal(before);
  });

  it("the layout states the event's currency and its stage; before the sale it is not cached for good", async () => {
    const uk = await venue({ name: "Stage Hall", city: "London", country: "United Kingdom" });
    const later = new Date(Date.now() + 2 * day).toISOString();
    const created = await event(uk.id, { stage: { label: "Stage" }, onSaleAt: later });
    const layout = await system.request("GET", `/events/${created.body.event.id}/layout`);
    expect(layout.status).to.equal(200);
    expect(layout.body).to.include({ currency: "GBP" });
    expect(layout.body.stage).to.deep.equal({ label: "Stage", position: "front" });
    expect(layout.body.sections.map((section: any) => section.priceCents)).to.deep.equal([8_500, 2_500]);
    expect(layout.headers.get("cache-control")).to.not.match(/immutable/);

    const onSale = await event(uk.id);
    const final = await system.request("GET", `/events/${onSale.body.event.id}/layout`);
    expect(final.headers.get("cache-control")).to.match(/immutable/);
    expect(final.body).to.not.have.property("stage");
    const badStage = await event(uk.id, { stage: { label: "" } });
    expect(badStage.status).to.equal(400);
    expect(badStage.body.error.details.field).to.match(/^stage/);
  });

  it("PATCH changes the currency before the sale; the layout follows", async () => {
    const uk = await venue({ name: "Patch Hall", city: "London", country: "United Kingdom" });
    const later = new Date(Date.now() + 2 * day).toISOString();
    const created = await event(uk.id, { onSaleAt: later });
    const eventId = created.body.event.id;
    expect((await system.request("GET", `/events/${eventId}/layout`)).body.currency).to.equal("GBP");
    const patched = await system.request("PATCH", `/admin/events/${eventId}`, {
      token: admin,
      body: { currency: "EUR" },
    });
    expect(patched.status).to.equal(200);
    expect(patched.body.currency).to.equal("EUR");
    await eventually(async () => {
      const layout = await system.request("GET", `/events/${eventId}/layout`);
      return layout.body.currency === "EUR" ? true : undefined;
    });
    expect((await system.request("GET", `/events/${eventId}`)).body.event.currency).to.equal("EUR");

    for (const currency of ["ABC", "eur", null, 978]) {
      const refused = await system.request("PATCH", `/admin/events/${eventId}`, {
        token: admin,
        body: { currency, name: "Renamed" },
      });
      expect(refused.status, JSON.stringify(currency)).to.equal(400);
      expect(refused.body.error.details.field).to.equal("currency");
    }
    const page = (await system.request("GET", `/events/${eventId}`)).body.event;
    expect(page).to.include({ currency: "EUR", name: "Money Night" });
  });

  it("refuses a currency change once on sale or once a seat was held (409 CURRENCY_LOCKED), changing nothing", async () => {
    const uk = await venue({ name: "Locked Hall", city: "London", country: "United Kingdom" });
    const onSale = (await event(uk.id)).body.event;
    const locked = await system.request("PATCH", `/admin/events/${onSale.id}`, {
      token: admin,
      body: { currency: "EUR", name: "Changed too" },
    });
    expect(locked.status).to.equal(409);
    expect(locked.body.error.code).to.equal("CURRENCY_LOCKED");
    expect(locked.body.error.details).to.include({ field: "currency", currency: "GBP" });
    expect((await system.request("GET", `/events/${onSale.id}`)).body.event).to.include({
      currency: "GBP",
      name: "Money Night",
    });
    // The currency it has: accepted (a no-op for the currency).
    const same = await system.request("PATCH", `/admin/events/${onSale.id}`, {
      token: admin,
      body: { currency: "GBP" },
    });
    expect(same.status).to.equal(200);

    // A seat held, then the sale moved back into the future: the held price keeps its meaning.
    const buyer = await system.token("buyer-money");
    const held = await system.request("POST", "/booking/reserve", {
      token: buyer,
      body: { ticketId: `${onSale.id}.0` },
    });
    expect(held.status).to.equal(200);
    const moved = await system.request("PATCH", `/admin/events/${onSale.id}`, {
      token: admin,
      body: { onSaleAt: new Date(Date.now() + day).toISOString() },
    });
    expect(moved.status).to.equal(200);
    await eventually(async () => {
      const { rows } = await system.node.runtime.db.query(
        "SELECT seat_version FROM event_actors WHERE event_id = $1",
        [onSale.id],
      );
      return Number(rows[0].seat_version) > 0 ? true : undefined;
    });
    const stillLocked = await system.request("PATCH", `/admin/events/${onSale.id}`, {
      token: admin,
      body: { currency: "EUR" },
    });
    expect(stillLocked.status).to.equal(409);
    expect(stillLocked.body.error.code).to.equal("CURRENCY_LOCKED");
    expect((await system.request("GET", `/events/${onSale.id}/layout`)).body.currency).to.equal("GBP");
  });

  it("search results carry the currency, the lowest price and the seats still available", async () => {
    const tokyo = await venue({
      name: "Budokan Test",
      city: "Tokyo",
      country: "Japan",
      timeZone: "Asia/Tokyo",
    });
    const created = await event(tokyo.id, { name: "Yenfest Searchable" });
    const eventId = created.body.event.id;
    const buyer = await system.token("buyer-search");
    const held = await system.request("POST", "/booking/reserve", {
      token: buyer,
      body: { ticketIds: [`${eventId}.0`, `${eventId}.1`] },
    });
    expect(held.status).to.equal(200);
    const result = await eventually(async () => {
      const answer = await system.request("GET", "/events/search?term=yenfest");
      return answer.body.results?.find((each: any) => each.id === eventId);
    });
    expect(result).to.include({ currency: "JPY", priceFromCents: 2_500, seatsAvailable: 6 });
  });
});
