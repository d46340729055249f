// Migrations 0331 and 0332 on a database with events and venues from before them: prices keep
// meaning US cents, venues get the zone of a single-zone country (else UTC), every event is indexed
// again, and from then on a currency or a venue's zone change is captured for search.
import { expect } from "chai";
import { readdir } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { createPool, ensureDatabase, type Database } from "../../../platform/database.ts";
import { migrate } from "../../../platform/migrate.ts";
import { dropDatabase, freshDatabaseUrl } from "../../support/system.ts";

const lastBefore = async (file: string) =>
  (await readdir(fileURLToPath(new URL("../../../migrations/", import.meta.url))))
    .filter((name) => /^\d{4}_[a-z0-9_]+\.sql$/.test(name) && name < file)
    .sort()
    .at(-1)!;

describe("migrations 0331-0332: currency and time zones on existing data", () => {
  let url: string;
  let pool: Database;
  before(async () => {
    url = await freshDatabaseUrl();
    await ensureDatabase(url);
    pool = createPool(url, { max: 2 });
  });
  after(async () => {
    await pool.end();
    await dropDatabase(url);
  });

  const outboxOf = async (entity: string) =>
    (
      await pool.query(
        "SELECT entity_id FROM search_outbox WHERE entity = $1 AND position > $2 ORDER BY entity_id",
        [entity, mark],
      )
    ).rows.map((row) => row.entity_id);
  let mark = 0;
  const markOutbox = async () => {
    const { rows } = await pool.query(
      "SELECT coalesce(max(position), 0)::int AS position FROM search_outbox",
    );
    mark = rows[0].position;
  };

  it("backfills USD and the zones of single-zone countries, reindexes every event, then captures changes", async () => {
    await migrate(pool, { through: await lastBefore("0331") });
    await pool.query(`
      INSERT INTO venues (id, name, city, country) VALUES
        ('vn_uk', 'Wembley Stadium', 'London', 'United Kingdom'),
        ('vn_pt', 'Estádio da Luz', 'Lisbon', 'Portugal'),
        ('vn_us', 'Madison Square Garden', 'New York', 'United States');
      INSERT INTO events (id, name, type, venue_id, starts_at, on_sale_at, sections, ticket_count, status) VALUES
        ('ev_uk', 'A', 'concert', 'vn_uk', now(), now(), '[]', 0, 'active'),
        ('ev_us', 'B', 'concert', 'vn_us', now(), now(), '[]', 0, 'active'),
        ('ev_gone', 'C', 'concert', 'vn_pt', now(), now(), '[]', 0, 'deleted');`);
    await markOutbox();
    expect(await migrate(pool)).to.include.members([
      "0331_currency_and_time_zones.sql",
      "0332_venue_time_zone_in_search.sql",
    ]);

    const venues = await pool.query("SELECT id, time_zone FROM venues ORDER BY id");
    expect(venues.rows).to.deep.equal([
      { id: "vn_pt", time_zone: "Europe/Lisbon" },
      { id: "vn_uk", time_zone: "Europe/London" },
      { id: "vn_us", time_zone: "UTC" }, // several zones: left for an admin
    ]);
    const events = await pool.query("SELECT id, currency, stage FROM events ORDER BY id");
    expect(events.rows.map((row) => [row.id, row.currency, row.stage])).to.deep.equal([
      ["ev_gone", "USD", null],
      ["ev_uk", "USD", null], // its prices were written in US cents
      ["ev_us", "USD", null],
    ]);
    expect(await outboxOf("event")).to.deep.equal(["ev_uk", "ev_us"]);

    await markOutbox();
    await pool.query("UPDATE events SET currency = 'GBP' WHERE id = 'ev_uk'");
    await pool.query("UPDATE events SET tickets_per_user_max = 4 WHERE id = 'ev_us'"); // not searched
    await pool.query("UPDATE venues SET time_zone = 'America/New_York' WHERE id = 'vn_us'");
    expect(await outboxOf("event")).to.deep.equal(["ev_uk"]);
    expect(await outboxOf("venue")).to.deep.equal(["vn_us"]);

    const refused = await pool.query("UPDATE events SET currency = 'gbp' WHERE id = 'ev_uk'").then(
      () => null,
      (error) => (error as { code?: string }).code,
    );
    expect(refused).to.equal("23514"); // the check constraint
  });
});
