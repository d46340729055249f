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
});
