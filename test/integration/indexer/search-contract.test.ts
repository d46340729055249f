// GET /events/search per the contract, end to end: admin API -> Postgres -> outbox -> indexer ->
// index -> search service -> gateway. Runs against the Postgres index always, and against
// Elasticsearch too when ELASTICSEARCH_URL is set (no Elasticsearch server exists on the CI machine).
import { expect } from "chai";
import pg from "pg";
import { startSystem, dropDatabase, type TestSystem } from "../../support/system.ts";
import {
  CatalogBuilder,
  daysFromNow,
  eventually,
  randomWord,
  search,
  searchIds,
} from "../../support/search.ts";

const backends: Record<string, string>[] = [{ SEARCH_BACKEND: "postgres" }];
if (process.env.ELASTICSEARCH_URL) {
  backends.push({ SEARCH_BACKEND: "elasticsearch", ELASTICSEARCH_URL: process.env.ELASTICSEARCH_URL });
}

for (const env of backends) {
  describe(`search contract (${env.SEARCH_BACKEND})`, function () {
    this.timeout(60_000);
    let system: TestSystem;
    let catalog: CatalogBuilder;
    let sql: pg.Client;

    before(async () => {
      system = await startSystem({ env });
      catalog = new CatalogBuilder(system);
      sql = new pg.Client({ connectionString: system.databaseUrl });
      await sql.connect();
    });
    after(async () => {
      await sql?.end();
      await system?.stop();
      if (system) await dropDatabase(system.databaseUrl);
    });

    it("finds a new event with the contract's result shape, also with typos", async () => {
      const performerId = await catalog.performer("Taylor Swift");
      const venueId = await catalog.venue({ name: "Estadio da Luz", city: "Lisbon", country: "Portugal" });
      const startsAt = daysFromNow(40);
      const eventId = await catalog.event({
        name: "Taylor Swift | The Eras Tour",
        description: "The record-breaking tour comes to Lisbon",
        venueId,
        performerIds: [performerId],
        startsAt,
      });
      const expected = {
        id: eventId,
        name: "Taylor Swift | The Eras Tour",
        type: "concert",
        startsAt: new Date(startsAt).toISOString(),
        venue: { name: "Estadio da Luz", city: "Lisbon", country: "Portugal", timeZone: "UTC" },
        performers: ["Taylor Swift"],
        // Additions of contract v1.1 "Money and time for buyers" (the venue's country sets the currency).
        currency: "EUR",
        priceFromCents: 5_000,
        seatsAvailable: 2,
      };
      await eventually(async () => {
        const answer = await search(system, { term: "taylor swift" });
        expect(answer.status).to.equal(200);
        expect(answer.body.total).to.be.a("number").and.at.least(1);
        expect(answer.body.results).to.deep.include(expected);
      });
      for (const term of ["tayler swfit", "TAYLOR", "tay", "eras tour", "luz", "record breaking"]) {
        expect(await searchIds(system, { term }), term).to.include(eventId);
      }
    });

    it("reflects changes and deletions made through the admin API within seconds", async () => {
      const before = randomWord();
      const after = randomWord();
      const venueId = await catalog.venue({ name: "Change Hall", city: "Madrid", country: "Spain" });
      const eventId = await catalog.event({ name: `${before} night`, venueId });
      await eventually(async () =>
        expect(await searchIds(system, { term: before })).to.deep.equal([eventId]),
      );

      await catalog.patchEvent(eventId, { name: `${after} night`, type: "theatre" });
      await eventually(async () => {
        expect(await searchIds(system, { term: after })).to.deep.equal([eventId]);
        expect(await searchIds(system, { term: before })).to.deep.equal([]);
        expect(await searchIds(system, { term: after, type: "theatre" })).to.deep.equal([eventId]);
      });

      await catalog.deleteEvent(eventId);
      await eventually(async () => expect(await searchIds(system, { term: after })).to.deep.equal([]));
    });

    it("propagates a venue rename and a performer rename to every event, whoever writes them", async () => {
      const oldVenue = randomWord();
      const newVenue = randomWord();
      const oldPerformer = randomWord();
      const newPerformer = randomWord();
      const venueId = await catalog.venue({ name: `${oldVenue} Arena`, city: "Porto", country: "Portugal" });
      const performerId = await catalog.performer(`${oldPerformer} Band`);
      const eventIds = [
        await catalog.event({ name: "First show", venueId, performerIds: [performerId] }),
        await catalog.event({ name: "Second show", venueId, performerIds: [performerId] }),
        await catalog.event({ name: "Third show", venueId }),
      ];
      await eventually(async () =>
        expect(await searchIds(system, { term: oldVenue })).to.have.members(eventIds),
      );
      // No admin route renames venues or performers (yet): plain SQL, as any other writer would do.
      await sql.query("UPDATE venues SET name = $2 WHERE id = $1", [venueId, `${newVenue} Arena`]);
      await sql.query("UPDATE performers SET name = $2 WHERE id = $1", [performerId, `${newPerformer} Band`]);
      await eventually(async () => {
        expect(await searchIds(system, { term: newVenue })).to.have.members(eventIds);
        expect(await searchIds(system, { term: oldVenue })).to.deep.equal([]);
        expect(await searchIds(system, { term: newPerformer })).to.have.members(eventIds.slice(0, 2));
        const answer = await search(system, { term: newPerformer });
        expect(answer.body.results[0].venue.name).to.equal(`${newVenue} Arena`);
        expect(answer.body.results[0].performers).to.deep.equal([`${newPerformer} Band`]);
      });
      // The cached event details follow the rename too.
      await eventually(async () => {
        const details = await system.request("GET", `/events/${eventIds[0]}`);
        expect(details.status).to.equal(200);
        expect(details.body.venue.name).to.equal(`${newVenue} Arena`);
        expect(details.body.performers.map((p: any) => p.name)).to.deep.equal([`${newPerformer} Band`]);
      });
    });

    it("filters by location: city, country or venue name", async () => {
      const marker = randomWord();
      const lisbon = await catalog.venue({ name: `${marker} Coliseu`, city: "Lisbon", country: "Portugal" });
      const paris = await catalog.venue({ name: "Accor Arena", city: "Paris", country: "France" });
      const inLisbon = await catalog.event({ name: `${marker} fado`, venueId: lisbon });
      const inParis = await catalog.event({ name: `${marker} chanson`, venueId: paris });
      await eventually(async () =>
        expect(await searchIds(system, { term: marker })).to.have.members([inLisbon, inParis]),
      );
      expect(await searchIds(system, { term: marker, location: "Lisbon" })).to.deep.equal([inLisbon]);
      expect(await searchIds(system, { term: marker, location: "lisbon portugal" })).to.deep.equal([
        inLisbon,
      ]);
      expect(await searchIds(system, { term: marker, location: "France" })).to.deep.equal([inParis]);
      expect(await searchIds(system, { term: marker, location: "Accor Arena" })).to.deep.equal([inParis]);
      expect(await searchIds(system, { term: marker, location: `${marker} coliseu` })).to.deep.equal([
        inLisbon,
      ]);
      expect(await searchIds(system, { term: marker, location: "Berlin" })).to.deep.equal([]);
    });

    it("filters by date, from and to, and leaves past events out unless asked", async () => {
      const marker = randomWord();
      const venueId = await catalog.venue({ name: "Date Hall", city: "Rome", country: "Italy" });
      const at = { past: daysFromNow(-2), d10: daysFromNow(10), d20: daysFromNow(20), d40: daysFromNow(40) };
      const ids: Record<string, string> = {};
      for (const [key, startsAt] of Object.entries(at)) {
        ids[key] = await catalog.event({ name: `${marker} ${key}`, venueId, startsAt });
      }
      await eventually(async () =>
        expect(await searchIds(system, { term: marker })).to.deep.equal([ids.d10, ids.d20, ids.d40]),
      );
      const day = (iso: string) => iso.slice(0, 10);
      expect(await searchIds(system, { term: marker, date: day(at.d20) })).to.deep.equal([ids.d20]);
      expect(await searchIds(system, { term: marker, from: day(daysFromNow(15)) })).to.deep.equal([
        ids.d20,
        ids.d40,
      ]);
      expect(await searchIds(system, { term: marker, to: day(daysFromNow(25)) })).to.deep.equal([
        ids.d10,
        ids.d20,
      ]);
      expect(
        await searchIds(system, { term: marker, from: day(daysFromNow(15)), to: day(daysFromNow(25)) }),
      ).to.deep.equal([ids.d20]);
      expect(await searchIds(system, { term: marker, to: at.d20 })).to.deep.equal([ids.d10, ids.d20]);
      // Past events only when the window asks for them.
      expect(await searchIds(system, { term: marker, from: day(daysFromNow(-5)) })).to.deep.equal([
        ids.past,
        ids.d10,
        ids.d20,
        ids.d40,
      ]);
      expect(await searchIds(system, { term: marker, date: day(at.past) })).to.deep.equal([ids.past]);
    });

    it("filters by type, exactly", async () => {
      const marker = randomWord();
      const venueId = await catalog.venue({ name: "Type Hall", city: "Oslo", country: "Norway" });
      const concert = await catalog.event({ name: `${marker} one`, venueId, type: "concert" });
      const sport = await catalog.event({ name: `${marker} two`, venueId, type: "sport" });
      await eventually(async () => expect(await searchIds(system, { term: marker })).to.have.length(2));
      expect(await searchIds(system, { term: marker, type: "sport" })).to.deep.equal([sport]);
      expect(await searchIds(system, { term: marker, type: "concert" })).to.deep.equal([concert]);
      expect(await searchIds(system, { term: marker, type: "spor" })).to.deep.equal([]);
    });

    it("filters by distance from lat/lng, also across the 180th meridian", async () => {
      const marker = randomWord();
      const lisbon = await catalog.venue({
        name: "Geo A",
        city: "Lisbon",
        country: "Portugal",
        lat: 38.72,
        lng: -9.14,
      });
      const porto = await catalog.venue({
        name: "Geo B",
        city: "Porto",
        country: "Portugal",
        lat: 41.15,
        lng: -8.61,
      });
      const fiji = await catalog.venue({
        name: "Geo C",
        city: "Taveuni",
        country: "Fiji",
        lat: -16.8,
        lng: 179.98,
      });
      const nowhere = await catalog.venue({ name: "Geo D", city: "Unknown", country: "Nowhere" });
      const ids = {
        lisbon: await catalog.event({ name: `${marker} a`, venueId: lisbon }),
        porto: await catalog.event({ name: `${marker} b`, venueId: porto }),
        fiji: await catalog.event({ name: `${marker} c`, venueId: fiji }),
        nowhere: await catalog.event({ name: `${marker} d`, venueId: nowhere }),
      };
      await eventually(async () => expect(await searchIds(system, { term: marker })).to.have.length(4));
      const near = (lat: number, lng: number, radiusKm?: number) =>
        searchIds(system, {
          term: marker,
          lat: String(lat),
          lng: String(lng),
          ...(radiusKm ? { radiusKm: String(radiusKm) } : {}),
        });
      expect(await near(38.7, -9.1, 10)).to.deep.equal([ids.lisbon]);
      expect(await near(38.7, -9.1)).to.deep.equal([ids.lisbon]); // default radius 50 km
      expect(await near(38.7, -9.1, 300)).to.have.members([ids.lisbon, ids.porto]);
      expect(await near(-16.8, -179.95, 50)).to.deep.equal([ids.fiji]);
      expect(await near(0, 0, 100)).to.deep.equal([]);
    });

    it("puts the best match first, then the soonest", async () => {
      const marker = randomWord();
      const venueId = await catalog.venue({ name: "Rank Hall", city: "Vienna", country: "Austria" });
      const inDescriptionSoonest = await catalog.event({
        name: "Something else",
        description: `featuring ${marker} live`,
        venueId,
        startsAt: daysFromNow(5),
      });
      const inNameLater = await catalog.event({ name: `${marker} gala`, venueId, startsAt: daysFromNow(60) });
      const inNameSooner = await catalog.event({
        name: `${marker} gala`,
        venueId,
        startsAt: daysFromNow(30),
      });
      await eventually(async () =>
        expect(await searchIds(system, { term: marker })).to.deep.equal([
          inNameSooner,
          inNameLater,
          inDescriptionSoonest,
        ]),
      );
      // Without a term: soonest first.
      expect(await searchIds(system, { location: "Vienna" })).to.deep.equal([
        inDescriptionSoonest,
        inNameSooner,
        inNameLater,
      ]);
    });

    it("pages with limit and offset, counts the total, caps the limit", async () => {
      const marker = randomWord();
      const venueId = await catalog.venue({ name: "Page Hall", city: "Prague", country: "Czechia" });
      const ids: string[] = [];
      for (let day = 1; day <= 5; day++)
        ids.push(await catalog.event({ name: `${marker} ${day}`, venueId, startsAt: daysFromNow(day) }));
      await eventually(async () => expect(await searchIds(system, { term: marker })).to.deep.equal(ids));
      const page = await search(system, { term: marker, limit: "2", offset: "1" });
      expect(page.status).to.equal(200);
      expect(page.body.total).to.equal(5);
      expect(page.body.results.map((r: any) => r.id)).to.deep.equal(ids.slice(1, 3));
      expect((await search(system, { term: marker, offset: "4" })).body.results).to.have.length(1);
      expect((await search(system, { term: marker, offset: "5" })).body).to.deep.include({
        total: 5,
        results: [],
      });
      expect((await search(system, { location: "Prague", limit: "100" })).status).to.equal(200);
      for (const limit of ["101", "1000", "0", "-1", "2.5", "ten"]) {
        const answer = await search(system, { term: marker, limit });
        expect(answer.status, `limit=${limit}`).to.equal(400);
        expect(answer.body.error).to.include({ code: "VALIDATION_ERROR" });
        expect(answer.body.error.details.field).to.equal("limit");
      }
      expect((await search(system, { offset: "1000000" })).status).to.equal(400);
      // Twenty by default.
      await Promise.all(
        Array.from({ length: 17 }, (_, index) =>
          catalog.event({ name: `${marker} ${index + 6}`, venueId, startsAt: daysFromNow(index + 6) }),
        ),
      );
      await eventually(async () => {
        const answer = await search(system, { term: marker });
        expect(answer.body.total).to.equal(22);
        expect(answer.body.results).to.have.length(20);
      });
    });

    it("refuses unknown, repeated and malformed parameters with 400 naming the field", async () => {
      const cases: [string, string][] = [
        ["bogus=1", "bogus"],
        ["term=a&term=b", "term"],
        ["term[x]=a", "term"],
        ["date=2027-13-01", "date"],
        ["date=2027-02-30", "date"],
        ["date=tomorrow", "date"],
        ["from=2027-01-01&to=2026-01-01", "to"],
        ["from=yesterday", "from"],
        ["lat=38.7", "lng"],
        ["radiusKm=5", "lat"],
        ["lat=91&lng=0", "lat"],
        ["lat=0&lng=0&radiusKm=0", "radiusKm"],
        ["lat=0&lng=0&radiusKm=-3", "radiusKm"],
        ["lat=0x10&lng=0", "lat"],
        ["offset=-1", "offset"],
        ["type=Concert", "type"],
        [`term=${"a ".repeat(20)}`, "term"],
      ];
      for (const [query, field] of cases) {
        const answer = await system.request("GET", `/events/search?${query}`);
        expect(answer.status, query).to.equal(400);
        expect(answer.body.error.code, query).to.equal("VALIDATION_ERROR");
        expect(answer.body.error.details.field, query).to.equal(field);
      }
      // Empty values mean "not given" (forms send every field).
      const empty = await system.request(
        "GET",
        "/events/search?term=&location=&date=&type=&from=&to=&limit=&offset=",
      );
      expect(empty.status).to.equal(200);
    });

    it("answers hostile input with 200 or 400, never an error, and stays healthy", async () => {
      const hostile = [
        "'",
        '"',
        "\\",
        "%",
        "_",
        "%%",
        "' OR 1=1 --",
        "'); DROP TABLE events; --",
        "1; SELECT pg_sleep(10)",
        "a:* & !b | (c <-> d)",
        "!!!",
        "():*",
        "\u0000",
        "taylor\u0000swift",
        "🎸🎤",
        "ü̈̈̈̈",
        "\\' \\\" \\\\",
        "$1 $$ $tag$",
        "x".repeat(200),
        "y".repeat(10 * 1024),
        "a ".repeat(5 * 1024),
      ];
      for (const value of hostile) {
        for (const field of ["term", "location", "type", "date", "from", "limit", "lat"]) {
          const answer = await search(
            system,
            field === "lat" ? { lat: value, lng: "0" } : { [field]: value },
          );
          expect([200, 400], `${field}=${JSON.stringify(value.slice(0, 40))}`).to.include(answer.status);
          if (answer.status === 200) expect(answer.body.results).to.be.an("array");
          const text = JSON.stringify(answer.body);
          expect(text).not.to.match(/SELECT|syntax|postgres|at \w+ \(/i);
        }
      }
      const events = await sql.query("SELECT count(*)::int AS n FROM events");
      expect(events.rows[0].n).to.be.greaterThan(0);
      expect((await search(system, { term: "taylor" })).status).to.equal(200);
    });

    it("sends Cache-Control and ETag, and answers If-None-Match with 304", async () => {
      const marker = randomWord();
      const venueId = await catalog.venue({ name: "Etag Hall", city: "Bern", country: "Switzerland" });
      const eventId = await catalog.event({ name: `${marker} etag`, venueId });
      await eventually(async () =>
        expect(await searchIds(system, { term: marker })).to.deep.equal([eventId]),
      );
      for (const path of [`/events/search?term=${marker}`, `/events/${eventId}`]) {
        const first = await system.request("GET", path);
        expect(first.status, path).to.equal(200);
        expect(first.headers.get("cache-control"), path).to.match(/public, max-age=\d+/);
        const etag = first.headers.get("etag");
        expect(etag, path).to.be.a("string");
        const again = await system.request("GET", path, { headers: { "If-None-Match": etag! } });
        expect(again.status, path).to.equal(304);
        expect(again.body, path).to.equal(null);
        const stale = await system.request("GET", path, { headers: { "If-None-Match": 'W/"stale"' } });
        expect(stale.status, path).to.equal(200);
      }
    });

    it("reports the indexing lag as a metric", async () => {
      const answer = await system.request("GET", "/metrics");
      expect(answer.status).to.equal(200);
      expect(answer.body).to.match(/^marquee_search_indexing_lag_seconds\{[^}]*\} \d+(\.\d+)?$/m);
      expect(answer.body).to.match(/^marquee_search_indexer_leader\{[^}]*\} 1$/m);
    });
  });
}
