// The organiser's reads through HTTP: venues and performers (lists with cursors, one by id), an
// event's bookings page by page with no duplicate or gap, and its sales agreeing with the seat map
// and the payments.
import { expect } from "chai";
import { dropDatabase, startSystem, type TestSystem } from "../../support/system.ts";
import { createEventFixture, type EventFixture } from "../../support/catalog.ts";

describe("orders: organiser reads over HTTP", function () {
  this.timeout(60_000);
  let system: TestSystem;
  let admin: string;

  before(async () => {
    system = await startSystem();
    admin = await system.token("organiser", "admin");
  });
  after(async () => {
    await system.stop();
    await dropDatabase(system.databaseUrl);
  });

  const get = (path: string, token = admin) => system.request("GET", path, { token });

  /** Every page of a list, following nextCursor. */
  async function allPages(path: string, key: string, limit: number, afterFirstPage?: () => Promise<unknown>) {
    const items: any[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = `limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
      const answer = await get(`${path}?${query}`);
      expect(answer.status, JSON.stringify(answer.body)).to.equal(200);
      expect(answer.body[key].length).to.be.at.most(limit);
      items.push(...answer.body[key]);
      cursor = answer.body.nextCursor;
      pages++;
      if (pages === 1) await afterFirstPage?.();
      expect(pages).to.be.below(50);
    } while (cursor !== null);
    return { items, pages };
  }

  it("lists venues and performers page by page in creation order, and gets each by id", async () => {
    const venues: string[] = [];
    const performers: string[] = [];
    for (let index = 0; index < 7; index++) {
      const venue = await system.request("POST", "/admin/venues", {
        token: admin,
        body: { name: `Hall ${index}`, city: "Porto", country: "Portugal" },
      });
      venues.push(venue.body.id);
      const performer = await system.request("POST", "/admin/performers", {
        token: admin,
        body: { name: `Act ${index}` },
      });
      performers.push(performer.body.id);
    }
    const venuePages = await allPages("/admin/venues", "venues", 3);
    expect(venuePages.items.map((venue) => venue.id)).to.deep.equal(venues);
    expect(venuePages.pages).to.equal(3);
    // A performer added while the organiser pages comes last, once; nothing repeats or goes missing.
    const performerPages = await allPages("/admin/performers", "performers", 2, async () => {
      const late = await system.request("POST", "/admin/performers", {
        token: admin,
        body: { name: "Late" },
      });
      performers.push(late.body.id);
    });
    expect(performerPages.items.map((performer) => performer.id)).to.deep.equal(performers);
    const all = await get("/admin/venues");
    expect(all.body.venues).to.have.length(7);
    expect(all.body.nextCursor).to.equal(null);

    const venue = await get(`/admin/venues/${venues[2]}`);
    expect(venue.status).to.equal(200);
    expect(venue.body).to.deep.equal(venuePages.items[2]);
    expect(performers).to.have.length(8);
    const performer = await get(`/admin/performers/${performers[4]}`);
    expect(performer.body).to.include({ id: performers[4], name: "Act 4" });
    expect((await get("/admin/venues/vn_nothing")).status).to.equal(404);
    expect((await get("/admin/performers/pf_nothing")).status).to.equal(404);
    const user = await system.token("someone");
    expect((await get("/admin/venues", user)).status).to.equal(403);
  });

  it("refuses a bad limit or cursor with 400 VALIDATION_ERROR naming the field", async () => {
    const first = await get("/admin/venues?limit=1");
    const cursor: string = first.body.nextCursor;
    expect(cursor).to.be.a("string");
    const tampered = Buffer.from(JSON.stringify(["12", "vn_x", 3])).toString("base64url");
    const cases: [string, string][] = [
      ["limit=0", "limit"],
      ["limit=201", "limit"],
      ["limit=-1", "limit"],
      ["limit=1.5", "limit"],
      ["limit=abc", "limit"],
      ["limit=1e2", "limit"],
      ["limit=1&limit=2", "limit"],
      ["cursor=nonsense!", "cursor"],
      [`cursor=${cursor}x`, "cursor"],
      [`cursor=${tampered}`, "cursor"],
      [`cursor=${Buffer.from("[1,2]").toString("base64url")}`, "cursor"],
      [`cursor=${"A".repeat(201)}`, "cursor"],
      ["other=1", "other"],
    ];
    for (const [query, field] of cases) {
      const answer = await get(`/admin/venues?${query}`);
      expect(answer.status, query).to.equal(400);
      expect(answer.body.error.code, query).to.equal("VALIDATION_ERROR");
      expect(JSON.stringify(answer.body.error.details), query).to.contain(field);
    }
  });

  describe("an event's bookings and sales", () => {
    let fixture: EventFixture;
    const bookingIds: string[] = [];

    before(async () => {
      fixture = await createEventFixture(system, { seats: 30, rows: 3 });
    });

    async function buy(userId: string, ticketIds: string[], paymentToken = "tok_ok") {
      const token = await system.token(userId);
      const held = await system.request("POST", "/booking/reserve", { token, body: { ticketIds } });
      expect(held.status, JSON.stringify(held.body)).to.equal(200);
      return system.request("POST", "/booking/confirm", {
        token,
        body: { ticketIds, paymentDetails: { token: paymentToken } },
        headers: { "Idempotency-Key": `buy-${userId}-${ticketIds[0]}` },
      });
    }

    it("pages through an event's bookings with no duplicate or gap", async () => {
      for (let index = 0; index < 5; index++) {
        const answer = await buy(`buyer-${index}`, fixture.ticketIds.slice(index * 2, index * 2 + 2));
        expect(answer.status).to.equal(201);
        bookingIds.push(answer.body.booking.id);
      }
      const { items, pages } = await allPages(`/admin/events/${fixture.eventId}/bookings`, "bookings", 2);
      expect(pages).to.equal(3);
      expect(items.map((booking) => booking.id)).to.deep.equal(bookingIds);
      expect(items[0]).to.include({ eventId: fixture.eventId, userId: "buyer-0", status: "confirmed" });
      expect(items[0].ticketIds).to.deep.equal(fixture.ticketIds.slice(0, 2));
      expect((await get("/admin/events/ev_nothing/bookings")).status).to.equal(404);
      expect((await get(`/admin/events/${fixture.eventId}/bookings?cursor=%%%`)).status).to.equal(400);
    });

    it("reports sales equal to the seat map's counts and the payments", async () => {
      // Held but not paid: 3 seats; one paid and refunded (the booking step failed): 2 seats held still.
      const holder = await system.token("holder");
      const held = fixture.ticketIds.slice(20, 23);
      expect(
        (await system.request("POST", "/booking/reserve", { token: holder, body: { ticketIds: held } }))
          .status,
      ).to.equal(200);
      const refunded = await buy("unlucky", fixture.ticketIds.slice(25, 27), "tok_fail_after_capture");
      expect(refunded.status).to.equal(409);
      const sales = await get(`/admin/events/${fixture.eventId}/sales`);
      expect(sales.status).to.equal(200);
      const map = await system.request("GET", `/events/${fixture.eventId}/tickets?format=compact`);
      const count = (character: string) => [...map.body.statuses].filter((each) => each === character).length;
      expect(sales.body).to.deep.equal({
        eventId: fixture.eventId,
        capacity: 30,
        available: count("A"),
        reserved: count("R"),
        booked: count("B"),
        bookings: 5,
        revenueCents: 5 * 2 * 5_000,
        refundedCents: 2 * 5_000,
        currency: (await system.request("GET", `/events/${fixture.eventId}`)).body.event.currency,
        checkedIn: 0,
      });
      expect([count("A"), count("R"), count("B")]).to.deep.equal([30 - 10 - 5, 5, 10]);
      expect(sales.body.currency).to.equal("EUR"); // the fixture's venue is in Portugal

      // A check-in shows in the sales.
      const buyer = await system.token("buyer-0");
      const booking = await system.request("GET", `/bookings/${bookingIds[0]}`, { token: buyer });
      const scanned = await system.request("POST", "/admin/checkin", {
        token: admin,
        body: { code: booking.body.tickets[0].code },
      });
      expect(scanned.status).to.equal(200);
      expect((await get(`/admin/events/${fixture.eventId}/sales`)).body.checkedIn).to.equal(1);
      expect((await get("/admin/events/ev_nothing/sales")).status).to.equal(404);
    });
  });
});
