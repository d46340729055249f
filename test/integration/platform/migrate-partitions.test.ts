// Migration 0360 on a database with rows in every booking table: the six tables become HASH
// partitioned by event_id with the same rows, every constraint, index, trigger and foreign key (into
// them too) under its old name, the user-wide Idempotency-Key slot moved to idempotency_user_keys,
// and the webhook and seat-count triggers of 0321 firing on the partitioned tables.
import { expect } from "chai";
import { readdir } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { createPool, ensureDatabase, type Database } from "../../../platform/database.ts";
import { migrate } from "../../../platform/migrate.ts";
import { dropDatabase, freshDatabaseUrl } from "../../support/system.ts";

const partitioned = ["tickets", "holds", "bookings", "booking_tickets", "payments", "idempotency_keys"];
/** The PARTITION_COUNT of migrations/0360_partition_booking_tables.sql. */
const partitionCount = 16;
const referencing = ["checkins", "cancelled_booking_tickets", "presale_uses"];

const lastBefore = async (file: string) =>
  (await readdir(fileURLToPath(new URL("../../../migrations/", import.meta.url))))
    .filter((name) => /^\d{4}_[a-z0-9_]+\.sql$/.test(name) && name < file)
    .sort()
    .at(-1)!;

/** Constraints, indexes and triggers of the booking tables and of the tables referencing them. */
const catalogSql = `
  SELECT conrelid::regclass::text AS tbl, conname AS name, pg_get_constraintdef(oid) AS def FROM pg_constraint
  WHERE conrelid::regclass::text = ANY ($1) AND conparentid = 0
  UNION ALL
  SELECT tablename, indexname, regexp_replace(indexdef, ' ONLY ', ' ') FROM pg_indexes WHERE tablename = ANY ($1)
  UNION ALL
  SELECT tgrelid::regclass::text, tgname, pg_get_triggerdef(oid) FROM pg_trigger
  WHERE NOT tgisinternal AND tgrelid::regclass::text = ANY ($1)
  ORDER BY 1, 2, 3`;

describe("migration 0360: booking tables partitioned by event, on a database with rows", () => {
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

  const rowsOf = async (table: string) =>
    (await pool.query(`SELECT * FROM ${table} ORDER BY 1, 2, 3`)).rows.map((row) => JSON.stringify(row));

  it("moves every row, keeps every key, index, trigger and foreign key, and moves the user-wide key slot", async function () {
    this.timeout(120_000);
    await migrate(pool, { through: await lastBefore("0360") });
    // Three events with seats, holds, bookings (one cancelled), payments, keys (one reused on two
    // events before 0203: scoped), check-ins and a presale use.
    await pool.query(`
      INSERT INTO venues (id, name, city, country) VALUES ('vn_1', 'Hall', 'Porto', 'Portugal');
      INSERT INTO events (id, name, type, venue_id, starts_at, on_sale_at, sections, ticket_count)
      SELECT 'ev_' || n, 'E' || n, 'concert', 'vn_1', now(), now(), '[]', 20 FROM generate_series(1, 3) AS n;
      INSERT INTO tickets (event_id, ordinal, section_index, section, row_index, row_label, seat, price_cents)
      SELECT 'ev_' || n, o, 0, 'A', o / 10, (o / 10)::text, o % 10 + 1, 1000
      FROM generate_series(1, 3) AS n CROSS JOIN generate_series(0, 19) AS o;
      INSERT INTO payments (event_id, id, user_id, idempotency_key, ordinals, amount_cents, status, provider_ref)
      SELECT 'ev_' || n, 'pay_' || n || '_' || b, 'u' || b, 'key-000-' || n || '-' || b, ARRAY[2 * b, 2 * b + 1], 2000,
             'captured', 'ref'
      FROM generate_series(1, 3) AS n CROSS JOIN generate_series(0, 2) AS b;
      INSERT INTO bookings (event_id, id, user_id, amount_cents, payment_id)
      SELECT event_id, 'bk_' || substr(id, 5), user_id, amount_cents, id FROM payments;
      UPDATE payments SET booking_id = 'bk_' || substr(id, 5);
      INSERT INTO booking_tickets (event_id, ordinal, booking_id)
      SELECT b.event_id, o, b.id FROM bookings b
      CROSS JOIN LATERAL unnest((SELECT ordinals FROM payments p WHERE p.event_id = b.event_id AND p.id = b.payment_id)) AS o
      WHERE b.id <> 'bk_3_2';
      UPDATE tickets t SET status = 'booked', booking_id = bt.booking_id
      FROM booking_tickets bt WHERE bt.event_id = t.event_id AND bt.ordinal = t.ordinal;
      UPDATE bookings SET status = 'cancelled', cancelled_at = now() WHERE id = 'bk_3_2';
      INSERT INTO cancelled_booking_tickets (event_id, booking_id, ordinal) VALUES ('ev_3', 'bk_3_2', 4), ('ev_3', 'bk_3_2', 5);
      INSERT INTO holds (event_id, ordinal, hold_id, user_id, expires_at)
      SELECT 'ev_' || n, 10, 'hd_' || n, 'u9', now() + interval '1 minute' FROM generate_series(1, 3) AS n;
      INSERT INTO idempotency_keys (event_id, user_id, key, request_hash, payment_id, status_code, response)
      SELECT event_id, user_id, idempotency_key, 'hash-' || id, id, 201, '{"ok": true}' FROM payments;
      INSERT INTO idempotency_keys (event_id, user_id, key, request_hash, scoped_to_event) VALUES
        ('ev_1', 'u7', 'reused-key', 'hash-1', false), ('ev_2', 'u7', 'reused-key', 'hash-2', true);
      INSERT INTO checkins (event_id, booking_id, ordinal, scanned_by) VALUES ('ev_1', 'bk_1_0', 0, 'door');
      INSERT INTO presales (id, event_id, name, starts_at, ends_at, uses_per_code)
        VALUES ('ps_1', 'ev_2', 'Fans', now(), now() + interval '1 day', 2);
      INSERT INTO presale_codes (code_hash, id, presale_id, event_id, hint) VALUES ('h', 'pc_1', 'ps_1', 'ev_2', 'AB');
      INSERT INTO presale_uses (event_id, booking_id, code_id) VALUES ('ev_2', 'bk_2_1', 'pc_1');`);
    const tables = [...partitioned, ...referencing];
    const before: Record<string, string[]> = {};
    for (const table of tables) before[table] = await rowsOf(table);
    const catalogBefore = (await pool.query(catalogSql, [tables])).rows;
    const seatCountsBefore = (await pool.query("SELECT * FROM event_seat_counts ORDER BY event_id")).rows;

    expect(await migrate(pool)).to.include("0360_partition_booking_tables.sql");

    for (const table of partitioned) {
      const { rows } = await pool.query(
        `SELECT c.relkind, (SELECT count(*) FROM pg_inherits i WHERE i.inhparent = c.oid)::int AS partitions,
                pg_get_partkeydef(c.oid) AS key
         FROM pg_class c WHERE c.oid = $1::regclass`,
        [table],
      );
      expect(rows[0], table).to.deep.equal({
        relkind: "p",
        partitions: partitionCount,
        key: "HASH (event_id)",
      });
    }
    for (const table of tables) expect(await rowsOf(table), table).to.deep.equal(before[table]);
    expect((await pool.query("SELECT * FROM event_seat_counts ORDER BY event_id")).rows).to.deep.equal(
      seatCountsBefore,
    );
    // Same catalog, less the user-wide unique index (a partitioned table cannot hold it).
    const catalogAfter = (await pool.query(catalogSql, [tables])).rows;
    expect(catalogAfter).to.deep.equal(
      catalogBefore.filter((row) => row.name !== "idempotency_keys_user_key"),
    );
    expect(catalogBefore.map((row) => row.name)).to.include("idempotency_keys_user_key");
    // The user-wide slot: the keys that held it, not the later (scoped) uses of a reused key.
    const userKeys = await pool.query(
      "SELECT user_id, key, event_id FROM idempotency_user_keys WHERE user_id IN ('u7', 'u0') ORDER BY 1, 2",
    );
    expect(userKeys.rows).to.deep.equal([
      { user_id: "u0", key: "key-000-1-0", event_id: "ev_1" },
      { user_id: "u0", key: "key-000-2-0", event_id: "ev_2" },
      { user_id: "u0", key: "key-000-3-0", event_id: "ev_3" },
      { user_id: "u7", key: "reused-key", event_id: "ev_1" },
    ]);
    expect((await pool.query("SELECT count(*)::int AS n FROM idempotency_user_keys")).rows[0].n).to.equal(10);
  });

  it("enforces the keys and foreign keys, into the partitioned tables too", async () => {
    const failures = [
      ["INSERT INTO booking_tickets (event_id, ordinal, booking_id) VALUES ('ev_1', 12, 'bk_none')", "23503"],
      ["INSERT INTO booking_tickets (event_id, ordinal, booking_id) VALUES ('ev_1', 0, 'bk_1_1')", "23505"],
      [
        "INSERT INTO checkins (event_id, booking_id, ordinal, scanned_by) VALUES ('ev_2', 'bk_1_0', 0, 'x')",
        "23503",
      ],
      [
        "INSERT INTO bookings (event_id, id, user_id, amount_cents, payment_id) VALUES ('ev_1', 'bk_x', 'u', 1, 'pay_1_0')",
        "23505",
      ],
      [
        "INSERT INTO payments (event_id, id, user_id, idempotency_key, ordinals, amount_cents) VALUES ('ev_none', 'p', 'u', 'key-12345', '{}', 1)",
        "23503",
      ],
      [
        "INSERT INTO idempotency_user_keys (user_id, key, event_id) VALUES ('u7', 'reused-key', 'ev_3')",
        "23505",
      ],
      ["UPDATE tickets SET status = 'booked' WHERE event_id = 'ev_1' AND ordinal = 19", "23514"],
    ];
    for (const [statement, code] of failures)
      expect(
        await pool.query(statement).then(
          () => null,
          (error) => (error as { code?: string }).code,
        ),
        statement,
      ).to.equal(code);
  });

  it("fires the webhook and seat-count triggers of 0321 on the partitioned tables", async () => {
    await pool.query(`
      INSERT INTO webhooks (id, url, events, secret)
      VALUES ('wh_1', 'https://example.com/hook', '{booking.confirmed,booking.cancelled,payment.refunded,event.sold_out}', 's')`);
    // ev_1 has 14 seats left: book them all in one booking (sold out) and refund a payment.
    await pool.query(`
      INSERT INTO payments (event_id, id, user_id, idempotency_key, ordinals, amount_cents, status, provider_ref)
      SELECT 'ev_1', 'pay_rest', 'u8', 'key-rest-1', array_agg(ordinal ORDER BY ordinal), 0, 'captured', 'ref'
      FROM tickets WHERE event_id = 'ev_1' AND status = 'available';
      INSERT INTO bookings (event_id, id, user_id, amount_cents, payment_id) VALUES ('ev_1', 'bk_rest', 'u8', 0, 'pay_rest');
      UPDATE tickets SET status = 'booked', booking_id = 'bk_rest' WHERE event_id = 'ev_1' AND status = 'available';
      UPDATE bookings SET status = 'cancelled' WHERE event_id = 'ev_2' AND id = 'bk_2_0';
      UPDATE payments SET status = 'refunded' WHERE event_id = 'ev_2' AND id = 'pay_2_0';`);
    const { rows } = await pool.query("SELECT type, data FROM webhook_events ORDER BY seq");
    expect(
      rows.map((row) => [
        row.type,
        row.type === "payment.refunded" ? row.data.paymentId : (row.data.bookingId ?? row.data.eventId),
      ]),
    ).to.deep.equal([
      ["booking.confirmed", "bk_rest"],
      ["event.sold_out", "ev_1"],
      ["booking.cancelled", "bk_2_0"],
      ["payment.refunded", "pay_2_0"],
    ]);
    expect(rows[0].data.ticketIds).to.have.length(14);
    const counts = await pool.query("SELECT event_id, available FROM event_seat_counts ORDER BY event_id");
    expect(counts.rows).to.deep.equal([
      { event_id: "ev_1", available: 0 },
      { event_id: "ev_2", available: 14 },
      { event_id: "ev_3", available: 16 },
    ]);
  });
});
