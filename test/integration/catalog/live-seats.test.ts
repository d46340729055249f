// Public seat maps are rendered as text and validated by an ETag that names their content: the
// same map answers 304 to a conditional GET, any seat change or event change gives a new one. With
// the test harness's SEAT_MAP_COALESCE_MS=0 a snapshot is published per version, so a reserve is
// visible to the very next read (coalescing: seat-map-snapshots.test.ts).
import { expect } from "chai";
import { startSystem, dropDatabase, type TestSystem } from "../../support/system.ts";
import { createEventFixture, type EventFixture } from "../../support/catalog.ts";

describe("live seat maps (GET /events/:id, /events/:id/tickets)", () => {
  let system: TestSystem;
  let fixture: EventFixture;
  before(async () => {
    system = await startSystem();
    fixture = await createEventFixture(system, { seats: 1_500, rows: 3 });
  });
  after(async () => {
    await system.stop();
    await dropDatabase(system.databaseUrl);
  });

  const conditional = (path: string, etag: string) =>
    system.request("GET", path, { headers: { "if-none-match": etag } });

  for (const path of ["/events/:id/tickets", "/events/:id"]) {
    it(`${path}: 304 while nothing changed, the change itself at the next read`, async () => {
      const url = path.replace(":id", fixture.eventId);
      const first = await system.request("GET", url);
      expect(first.status).to.equal(200);
      expect(first.headers.get("content-type")).to.match(/^application\/json/);
      const etag = first.headers.get("etag")!;
      expect(etag).to.match(/^W\/".+"$/);
      expect((await conditional(url, etag)).status).to.equal(304);

      const ticket = first.body.tickets.find((t: any) => t.status === "available");
      const user = await system.token(`seat-reader-${path.length}`);
      const reserved = await system.request("POST", "/booking/reserve", {
        token: user,
        body: { ticketId: ticket.id },
      });
      expect(reserved.status).to.equal(200);

      const after = await conditional(url, etag);
      expect(after.status).to.equal(200);
      expect(after.headers.get("etag")).to.not.equal(etag);
      expect(after.body.version).to.be.greaterThan(first.body.version);
      expect(after.body.tickets.find((t: any) => t.id === ticket.id).status).to.equal("reserved");
      // Everything else as it was: only that seat changed.
      const changed = after.body.tickets.filter(
        (t: any, index: number) => JSON.stringify(t) !== JSON.stringify(first.body.tickets[index]),
      );
      expect(changed.map((t: any) => t.id)).to.deep.equal([ticket.id]);

      await system.request("POST", "/booking/release", { token: user, body: { ticketIds: [ticket.id] } });
      const released = await system.request("GET", url);
      expect(released.body.tickets.find((t: any) => t.id === ticket.id).status).to.equal("available");
    });
  }

  it("/events/:id: an edit of the event gives a new ETag with the seats unchanged", async () => {
    const url = `/events/${fixture.eventId}`;
    const before = await system.request("GET", url);
    const admin = await system.token("seat-admin", "admin");
    const patched = await system.request("PATCH", `/admin/events/${fixture.eventId}`, {
      token: admin,
      body: { name: "Renamed Concert" },
    });
    expect(patched.status).to.equal(200);
    const after = await conditional(url, before.headers.get("etag")!);
    expect(after.status).to.equal(200);
    expect(after.body.event.name).to.equal("Renamed Concert");
    expect(after.body.version).to.equal(before.body.version);
  });
});
