import { expect } from "chai";
import fastestValidator from "fastest-validator";
import { buildDemoCatalog } from "../../../catalog/demo-data.ts";
import { createEventSchema } from "../../../catalog/schemas.ts";
import { countSeats } from "../../../domain/event.ts";

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

  it("is the same catalog for the same seed and clock", () => {
    const again = buildDemoCatalog(now);
    expect(again.events.map((event) => [event.name, event.startsAt, event.ticketCount])).to.deep.equal(
      catalog.events.map((event) => [event.name, event.startsAt, event.ticketCount]),
    );
  });
});
