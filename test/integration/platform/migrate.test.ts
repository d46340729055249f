import { expect } from "chai";
import { readdir } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { createPool, ensureDatabase, type Database } from "../../../platform/database.ts";
import { migrate } from "../../../platform/migrate.ts";
import { claimIdempotencyKey, findIdempotencyKey } from "../../../actors/payments/payments.repository.ts";
import { dropDatabase, freshDatabaseUrl } from "../../support/system.ts";

const migrationFiles = async () =>
  (await readdir(fileURLToPath(new URL("../../../migrations/", import.meta.url))))
    .filter((name) => /^\d{4}_[a-z0-9_]+\.sql$/.test(name))
    .sort();

describe("migrations", () => {
  const pools: Database[] = [];
  const databases: string[] = [];
  async function freshPool(url?: string): Promise<{ url: string; pool: Database }> {
    const databaseUrl = url ?? (await freshDatabaseUrl());
    if (!url) databases.push(databaseUrl);
    await ensureDatabase(databaseUrl);
    const pool = createPool(databaseUrl, { max: 2 });
    pools.push(pool);
    return { url: databaseUrl, pool };
  }
  after(async () => {
    for (const pool of pools) await pool.end();
    for (const url of databases) await dropDatabase(url);
  });

  it("migrate a fresh database from scratch, then do nothing when run again", async () => {
    const files = await migrationFiles();
    const { pool } = await freshPool();
    expect(await migrate(pool)).to.deep.equal(files);
    const { rows } = await pool.query("SELECT name FROM schema_migrations ORDER BY name");
    expect(rows.map((row) => row.name)).to.deep.equal(files);
    const tables = await pool.query(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'",
    );
    const names = tables.rows.map((row) => row.table_name);
    for (const table of [
      "performers",
      "venues",
      "events",
      "event_performers",
      "tickets",
      "event_actors",
      "holds",
      "bookings",
      "booking_tickets",
      "payments",
      "idempotency_keys",
    ])
      expect(names, table).to.include(table);
    expect(await migrate(pool)).to.deep.equal([]);
    expect(await migrate(pool)).to.deep.equal([]);
  });

  it("migrates once when two nodes start together on one fresh database", async () => {
    const files = await migrationFiles();
    const url = await freshDatabaseUrl();
    databases.push(url);
    // Both create the database if missing: one creates it, the other finds it.
    await Promise.all([ensureDatabase(url), ensureDatabase(url)]);
    const first = await freshPool(url);
    const second = await freshPool(url);
    const results = await Promise.all([migrate(first.pool), migrate(second.pool)]);
    const applied = results.map((result) => result.length).sort((a, b) => a - b);
    expect(applied).to.deep.equal([0, files.length]);
    const { rows } = await first.pool.query("SELECT count(*)::int AS n FROM schema_migrations");
    expect(rows[0].n).to.equal(files.length);
  });

  it("carries the invariants in constraints: a ticket is in at most one booking", async () => {
    const { pool } = await freshPool();
    await migrate(pool);
    await pool.query(`
      INSERT INTO venues (id, name, city, country) VALUES ('vn_1', 'Hall', 'Porto', 'Portugal');
      INSERT INTO events (id, name, type, venue_id, starts_at, on_sale_at, sections, ticket_count)
        VALUES ('ev_1', 'Show', 'concert', 'vn_1', now(), now(), '[]', 1);
      INSERT INTO tickets (event_id, ordinal, section_index, section, row_index, row_label, seat, price_cents)
        VALUES ('ev_1', 0, 0, 'Floor', 0, '1', 1, 1000);
      INSERT INTO bookings (event_id, id, user_id, amount_cents, payment_id) VALUES
        ('ev_1', 'bk_1', 'u1', 1000, 'pay_1'), ('ev_1', 'bk_2', 'u2', 1000, 'pay_2');
      INSERT INTO booking_tickets (event_id, ordinal, booking_id) VALUES ('ev_1', 0, 'bk_1');`);
    let failure: { code?: string; constraint?: string } | undefined;
    try {
      await pool.query(
        "INSERT INTO booking_tickets (event_id, ordinal, booking_id) VALUES ('ev_1', 0, 'bk_2')",
      );
    } catch (error) {
      failure = error as { code?: string };
    }
    expect(failure?.code).to.equal("23505");
    // Money is never negative and statuses are from the known set.
    for (const statement of [
      "UPDATE bookings SET amount_cents = -1 WHERE id = 'bk_1'",
      "UPDATE tickets SET status = 'sold' WHERE event_id = 'ev_1'",
      "UPDATE tickets SET status = 'booked' WHERE event_id = 'ev_1'", // booked needs a booking id
    ]) {
      const code = await pool.query(statement).then(
        () => null,
        (error) => (error as { code?: string }).code,
      );
      expect(code, statement).to.equal("23514");
    }
  });

  it("0203 makes keys the user's across events on a database where a key was already reused", async () => {
    const { pool } = await freshPool();
    await migrate(pool, { through: "0202_idempotency_claim_lease.sql" });
    await pool.query(`
      INSERT INTO venues (id, name, city, country) VALUES ('vn_1', 'Hall', 'Porto', 'Portugal');
      INSERT INTO events (id, name, type, venue_id, starts_at, on_sale_at, sections, ticket_count) VALUES
        ('ev_a', 'A', 'concert', 'vn_1', now(), now(), '[]', 0),
        ('ev_b', 'B', 'concert', 'vn_1', now(), now(), '[]', 0),
        ('ev_c', 'C', 'concert', 'vn_1', now(), now(), '[]', 0);
      INSERT INTO idempotency_keys (event_id, user_id, key, request_hash, created_at) VALUES
        ('ev_b', 'u1', 'reused-key', 'hash-b', now() - interval '1 hour'),
        ('ev_a', 'u1', 'reused-key', 'hash-a', now() - interval '2 hours'),
        ('ev_a', 'u2', 'reused-key', 'hash-u2', now());`);
    expect(await migrate(pool, { through: "0203_idempotency_keys_per_user.sql" })).to.deep.equal([
      "0203_idempotency_keys_per_user.sql",
    ]);
    const { rows } = await pool.query(
      "SELECT event_id, user_id, scoped_to_event FROM idempotency_keys ORDER BY user_id, event_id",
    );
    expect(rows).to.deep.equal([
      { event_id: "ev_a", user_id: "u1", scoped_to_event: false }, // the earliest use holds the key
      { event_id: "ev_b", user_id: "u1", scoped_to_event: true },
      { event_id: "ev_a", user_id: "u2", scoped_to_event: false },
    ]);
    // On today's schema (0360 moved the user-wide slot to idempotency_user_keys): both old records
    // still answer for their own event; a new event cannot take the key.
    await migrate(pool);
    expect(
      (await findIdempotencyKey(pool, { eventId: "ev_b", userId: "u1", key: "reused-key" }))?.requestHash,
    ).to.equal("hash-b");
    expect(
      (await findIdempotencyKey(pool, { eventId: "ev_a", userId: "u1", key: "reused-key" }))?.requestHash,
    ).to.equal("hash-a");
    const claim = await claimIdempotencyKey(pool, {
      eventId: "ev_c",
      userId: "u1",
      key: "reused-key",
      requestHash: "hash-c",
      claimId: "clm_1",
    });
    expect(claim).to.deep.include({ claimed: false });
    expect((claim as { record: { requestHash: string } }).record.requestHash).to.equal("hash-a");
    const inserted = await pool.query(
      "INSERT INTO idempotency_user_keys (user_id, key, event_id) VALUES ('u2', 'reused-key', 'ev_c') ON CONFLICT DO NOTHING",
    );
    expect(inserted.rowCount).to.equal(0);
  });
});
