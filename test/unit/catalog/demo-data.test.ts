import { expect } from "chai";
import fastestValidator from "fastest-validator";
import { buildDemoCatalog } from "../../../catalog/demo-data.ts";
import { createEventSchema } from "../../../catalog/schemas.ts";
import { countSeats } from "../../../domain/event.ts";
import { currencyOfCountry, isTimeZone } from "../../../catalog/money-and-zones.ts";
import { zoneOffsetMs } from "../../../catalog/zoned-time.ts";

const Validator = ((fastestValidator as any).default ?? fastestValidator) as typeof fastestValidator.default;

describe("demo catalog", () => {
  const now = Date.parse("2027-01-15T12:00:00Z");
  const catalog = buildDemoCatalog(now);

  it("has dozens of venues in real cities with coordinates", () => {
    expect(catalog.venues.length).to.be.at.least(24);
    expect(new Set(catalog.venues.map((venue) => venue.city)).size).to.be.at.least(20);
    for (const venue of catalog.venues) {
      expect(venue.lat).to.be.within(-90, 90);
      expect(venue.lng).to.be.within(-180, 180);
    }
    const wembley = catalog.venues.find((venue) => venue.name === "Wembley Stadium")!;
    expect(wembley.lat).to.be.closeTo(51.556, 0.01);
    expect(wembley.lng).to.be.closeTo(-0.28, 0.01);
  });

  it("has a few hundred events over the coming months, across types, each valid API input", () => {
    expect(catalog.events.length).to.be.within(200, 500);
    const types = new Set(catalog.events.map((event) => event.type));
    for (const type of ["concert", "sports", "theatre", "comedy", "festival"]) expect(types).to.include(type);
    const validate = new Validator().compile(createEventSchema);
    const performerIds = new Set(catalog.performers.map((performer) => performer.id));
    const venueIds = new Set(catalog.venues.map((venue) => venue.id));
    for (const event of catalog.events) {
      const startsAt = Date.parse(event.startsAt);
      expect(startsAt).to.be.within(now, now + 200 * 86_400_000);
      expect(Date.parse(event.onSaleAt)).to.be.at.most(startsAt);
      expect(venueIds.has(event.venueId)).to.equal(true);
      for (const id of event.performerIds) expect(performerIds.has(id)).to.equal(true);
      expect(countSeats(event.sections)).to.equal(event.ticketCount);
      const input = {
        name: event.name,
        description: event.description,
        type: event.type,
        venueId: event.venueId,
        performerIds: event.performerIds,
        startsAt: event.startsAt,
        onSaleAt: event.onSaleAt,
        sections: event.sections,
        waitingRoom: { enabled: event.waitingRoom.enabled },
      };
      expect(validate(input), event.name).to.equal(true);
    }
  });

  it("has one 50,000-seat stadium show with its waiting room on", () => {
    const headline = catalog.events.find((event) => event.id === catalog.headlineEventId)!;
    expect(headline.ticketCount).to.equal(50_000);
    expect(headline.waitingRoom.enabled).to.equal(true);
    const venue = catalog.venues.find((entry) => entry.id === headline.venueId)!;
    expect(venue.name).to.equal("Wembley Stadium");
  });

  it("gives each venue its real time zone and each event its country's currency, at a local evening", () => {
    const byName = new Map(catalog.venues.map((venue) => [venue.name, venue]));
    expect(byName.get("Wembley Stadium")).to.include({ timeZone: "Europe/London" });
    expect(byName.get("Estádio da Luz")).to.include({ city: "Lisbon", timeZone: "Europe/Lisbon" });
    expect(byName.get("Madison Square Garden")).to.include({ timeZone: "America/New_York" });
    expect(byName.get("Tokyo Dome")).to.include({ timeZone: "Asia/Tokyo" });
    for (const venue of catalog.venues) expect(isTimeZone(venue.timeZone), venue.name).to.equal(true);
    expect(catalog.venues.filter((venue) => venue.timeZone === "UTC")).to.deep.equal([]);

    const venueOf = new Map(catalog.venues.map((venue) => [venue.id, venue]));
    const currencies = new Set<string>();
    for (const event of catalog.events) {
      const venue = venueOf.get(event.venueId)!;
      expect(event.currency, event.name).to.equal(currencyOfCountry(venue.country));
      currencies.add(event.currency);
      // 18:00 to 21:30 on the venue's clock.
      const local = new Date(
        Date.parse(event.startsAt) + zoneOffsetMs(Date.parse(event.startsAt), venue.timeZone),
      );
      const minutes = local.getUTCHours() * 60 + local.getUTCMinutes();
      expect(minutes, `${event.name} at ${venue.name}`).to.be.within(18 * 60, 21 * 60 + 30);
      expect(event.stage?.label).to.be.oneOf(["Stage", "Pitch", "Court"]);
    }
    for (const currency of ["GBP", "EUR", "USD", "JPY"]) expect(currencies).to.include(currency);
    const headline = catalog.events.find((event) => event.id === catalog.headlineEventId)!;
    expect(headline.currency).to.equal("GBP");
    // Yen have no minor unit: a ticket in Tokyo costs thousands of them.
    const tokyo = catalog.events.find((event) => event.currency === "JPY")!;
    expect(Math.min(...tokyo.sections.map((section) => section.priceCents))).to.be.at.least(1_000);
  });

  it("is the same catalog for the same seed and clock", () => {
    const again = buildDemoCatalog(now);
    expect(again.events.map((event) => [event.name, event.startsAt, event.ticketCount])).to.deep.equal(
      catalog.events.map((event) => [event.name, event.startsAt, event.ticketCount]),
    );
  });
});
