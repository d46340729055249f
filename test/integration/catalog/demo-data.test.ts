import { expect } from "chai";
import { seedDemoData } from "../../../catalog/demo-data.ts";
import { dropDatabase, startSystem, type TestSystem } from "../../support/system.ts";

describe("demo data seeding", () => {
  let system: TestSystem;
  before(async () => {
    system = await startSystem();
  });
  after(async () => {
    await system.stop();
    await dropDatabase(system.databaseUrl);
  });

  it("seeds an empty database once, also when two nodes try at the same time", async () => {
    const db = system.node.runtime.db;
    const now = Date.now();
    const results = await Promise.all([
      seedDemoData(db, now, { eventCount: 20 }),
      seedDemoData(db, now, { eventCount: 20 }),
    ]);
    expect(results.map((result) => result.seeded).sort()).to.deep.equal([false, true]);
    const seeded = results.find((result) => result.seeded)!;
    const counts = await db.query(
      `SELECT (SELECT count(*) FROM events)::int AS events, (SELECT count(*) FROM venues)::int AS venues,
              (SELECT count(*) FROM tickets)::int AS tickets, (SELECT count(*) FROM event_actors)::int AS actors`,
    );
    expect(counts.rows[0]).to.deep.equal({
      events: 21,
      venues: seeded.venues,
      tickets: seeded.tickets,
      actors: 21,
    });
    expect((await seedDemoData(db, now)).seeded).to.equal(false);

    const headline = await system.request("GET", `/events/${seeded.headlineEventId}/tickets`);
    expect(headline.status).to.equal(200);
    expect(headline.body.tickets).to.have.length(50_000);
    expect(headline.body.tickets[49_999]).to.include({ section: "Block T", row: "50", seat: 50 });
  });
});
