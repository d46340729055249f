// What the webhook outbox triggers (migrations/0321_webhooks.sql) cost a group commit: on a fresh
// database, one 100,000-seat event, transactions shaped like the booking actor's confirm commit
// (BOOKINGS bookings of SEATS_PER_BOOKING seats: INSERT bookings, INSERT booking_tickets, UPDATE
// tickets, UPDATE payments), timed with the webhook triggers disabled, enabled with no webhook, and
// enabled with a webhook subscribed to every type; then the last commits of the event (sold out, with
// its event.sold_out) against the first ones. Usage: npx tsx loadtest/bench-webhook-triggers.ts
import pg from "pg";
import { performance } from "node:perf_hooks";
import { ensureDatabase, createPool } from "../platform/database.ts";
import { migrate } from "../platform/migrate.ts";

const postgresUrl = process.env.BENCH_POSTGRES_URL || "postgres://postgres@127.0.0.1:5432";
const seats = 99_900; // a whole number of commits
const bookingsPerCommit = Number(process.env.BOOKINGS ?? 100);
const seatsPerBooking = Number(process.env.SEATS_PER_BOOKING ?? 3);
const commitsPerBlock = 10;
const rounds = Number(process.env.ROUNDS ?? 8);
const webhookTriggers = [
  "bookings_webhooks_inserted",
  "bookings_webhooks_updated",
  "payments_webhooks_inserted",
  "payments_webhooks_updated",
  "tickets_seat_counts_inserted",
  "tickets_seat_counts_updated",
  "tickets_seat_counts_deleted",
];

async function setUp(db: pg.Pool): Promise<void> {
  await db.query(
    "INSERT INTO venues (id, name, city, country) VALUES ('vn_bench', 'Bench', 'City', 'Country')",
  );
  await db.query(
    `INSERT INTO events (id, name, type, venue_id, starts_at, on_sale_at, sections, ticket_count)
     VALUES ('ev_bench', 'Bench Night', 'concert', 'vn_bench', now() + interval '30 days', now(), '[]', $1)`,
    [seats],
  );
  await db.query(
    `INSERT INTO tickets (event_id, ordinal, section_index, section, row_index, row_label, seat, price_cents)
     SELECT 'ev_bench', g, 0, 'Floor', g / 1000, (g / 1000)::text, g % 1000 + 1, 5000 FROM generate_series(0, $1 - 1) g`,
    [seats],
  );
  // Captured payments for every seat, as the saga leaves them before the booking's commit.
  const perBooking = seatsPerBooking;
  await db.query(
    `INSERT INTO payments (event_id, id, user_id, idempotency_key, ordinals, amount_cents, status, provider_ref)
     SELECT 'ev_bench', 'pay_' || b, 'u' || b, 'bench-key-' || b,
            ARRAY(SELECT generate_series(b * $1::int, b * $1::int + $1::int - 1)), 5000 * $1::int, 'captured', 'ref'
     FROM generate_series(0, $2::int / $1::int - 1) b`,
    [perBooking, seats],
  );
  await db.query("ANALYZE");
}

/** One commit shaped like the actor's: `first` is the first booking number of the batch. */
async function commit(client: pg.PoolClient, first: number): Promise<number> {
  const numbers = Array.from({ length: bookingsPerCommit }, (_, i) => first + i);
  const ordinals = numbers.flatMap((b) =>
    Array.from({ length: seatsPerBooking }, (_, i) => b * seatsPerBooking + i),
  );
  const owners = numbers.flatMap((b) => Array.from({ length: seatsPerBooking }, () => `bk_${b}`));
  const started = performance.now();
  await client.query("BEGIN");
  await client.query(
    `INSERT INTO bookings (event_id, id, user_id, amount_cents, status, payment_id)
     SELECT 'ev_bench', 'bk_' || b, 'u' || b, 5000 * $2, 'confirmed', 'pay_' || b FROM unnest($1::int[]) b`,
    [numbers, seatsPerBooking],
  );
  await client.query(
    "INSERT INTO booking_tickets (event_id, ordinal, booking_id) SELECT 'ev_bench', o, b FROM unnest($1::int[], $2::text[]) AS x(o, b)",
    [ordinals, owners],
  );
  await client.query(
    `UPDATE tickets t SET status = 'booked', booking_id = x.b FROM unnest($1::int[], $2::text[]) AS x(o, b)
     WHERE t.event_id = 'ev_bench' AND t.ordinal = x.o AND t.status = 'available'`,
    [ordinals, owners],
  );
  await client.query(
    `UPDATE payments p SET booking_id = 'bk_' || b, updated_at = now() FROM unnest($1::int[]) b
     WHERE p.event_id = 'ev_bench' AND p.id = 'pay_' || b`,
    [numbers],
  );
  await client.query("COMMIT");
  return performance.now() - started;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function runCase(client: pg.PoolClient, next: { booking: number }, count = commitsPerBlock) {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    times.push(await commit(client, next.booking));
    next.booking += bookingsPerCommit;
  }
  return times;
}

const round2 = (value: number) => Math.round(value * 100) / 100;

/** Turns the webhook triggers off or on; on again, the seat counts are recounted (they missed the off commits). */
async function setTriggers(client: pg.PoolClient, on: boolean): Promise<void> {
  for (const name of webhookTriggers)
    await client.query(`ALTER TABLE ${name.split("_")[0]} ${on ? "ENABLE" : "DISABLE"} TRIGGER ${name}`);
  if (on)
    await client.query(
      "UPDATE event_seat_counts SET available = (SELECT count(*) FROM tickets WHERE event_id = 'ev_bench' AND status = 'available')",
    );
}

type FunctionTimes = Map<string, { calls: number; totalMs: number }>;

async function functionTimes(client: pg.PoolClient): Promise<FunctionTimes> {
  await client.query("SELECT pg_stat_force_next_flush()");
  await new Promise((resolve) => setTimeout(resolve, 100));
  const { rows } = await client.query(
    "SELECT funcname, calls, total_time FROM pg_stat_user_functions WHERE funcname LIKE 'webhook%'",
  );
  return new Map(
    rows.map((row: any) => [row.funcname, { calls: Number(row.calls), totalMs: row.total_time }]),
  );
}

function diffTimes(
  before: FunctionTimes,
  after: FunctionTimes,
): [string, { calls: number; totalMs: number }][] {
  const out: [string, { calls: number; totalMs: number }][] = [];
  for (const [name, now] of after) {
    const was = before.get(name) ?? { calls: 0, totalMs: 0 };
    if (now.calls > was.calls)
      out.push([name, { calls: now.calls - was.calls, totalMs: now.totalMs - was.totalMs }]);
  }
  return out;
}

const caseNames = ["off", "on, no webhook", "on, 1 webhook"] as const;
type CaseResult = { times: number[]; functions: Record<string, { calls: number; totalMs: number }> };

/** Blocks of each case in turn, `rounds` times: the machine's other load falls on every case alike. */
async function interleavedCases(client: pg.PoolClient, next: { booking: number }) {
  const cases = Object.fromEntries(
    caseNames.map((name) => [name, { times: [], functions: {} }]),
  ) as unknown as Record<(typeof caseNames)[number], CaseResult>;
  for (let round = 0; round < rounds; round++)
    for (const name of caseNames) {
      await setTriggers(client, name !== "off");
      if (name === "on, 1 webhook")
        await client.query(
          `INSERT INTO webhooks (id, url, events, secret) VALUES ('wh_bench', 'https://example.com/h',
           ARRAY['booking.confirmed','booking.cancelled','payment.refunded','waitlist.offered','event.sold_out'], 's')`,
        );
      const before = await functionTimes(client);
      cases[name].times.push(...(await runCase(client, next)));
      for (const [fn, t] of diffTimes(before, await functionTimes(client))) {
        const sum = (cases[name].functions[fn] ??= { calls: 0, totalMs: 0 });
        sum.calls += t.calls;
        sum.totalMs = round2(sum.totalMs + t.totalMs);
      }
      await client.query("DELETE FROM webhooks; DELETE FROM webhook_deliveries; DELETE FROM webhook_events");
    }
  return cases;
}

async function main(): Promise<void> {
  const databaseUrl = `${postgresUrl}/marquee_bench_webhooks_${Date.now().toString(36)}`;
  await ensureDatabase(databaseUrl);
  const db = createPool(databaseUrl, { max: 2, statementTimeoutMs: 600_000 });
  try {
    await migrate(db);
    await setUp(db);
    const client = await db.connect();
    const next = { booking: 0 };
    // Function timing (pl/pgsql functions the triggers run), read from pg_stat_user_functions.
    await client.query("SET track_functions = 'all'");
    await runCase(client, next, 10); // warm-up
    const cases = await interleavedCases(client, next);
    // The event's last seats: the count reaches 0 and event.sold_out is emitted, with no scan.
    await client.query(
      "INSERT INTO webhooks (id, url, events, secret) VALUES ('wh_bench', 'https://example.com/h', ARRAY['event.sold_out', 'booking.confirmed'], 's')",
    );
    const perCommit = bookingsPerCommit * seatsPerBooking;
    const left = Math.floor((seats - next.booking * seatsPerBooking) / perCommit);
    next.booking += (left - 5) * bookingsPerCommit;
    await client.query(
      "UPDATE tickets SET status = 'booked', booking_id = 'bk_prefill' WHERE event_id = 'ev_bench' AND status = 'available' AND ordinal < $1",
      [next.booking * seatsPerBooking],
    );
    const last = await runCase(client, next, 5);
    const soldOut = await client.query("SELECT count(*) FROM webhook_events WHERE type = 'event.sold_out'");
    const available = await client.query(
      "SELECT available FROM event_seat_counts WHERE event_id = 'ev_bench'",
    );
    const summary = (values: number[]) => ({ commits: values.length, medianMs: round2(median(values)) });
    console.log(
      JSON.stringify(
        {
          bookingsPerCommit,
          seatsPerBooking,
          cases: Object.fromEntries(
            Object.entries(cases).map(([name, c]) => [name, { ...summary(c.times), functions: c.functions }]),
          ),
          lastFiveCommitsMs: summary(last),
          soldOutEvents: Number(soldOut.rows[0].count),
          availableAtEnd: available.rows[0].available,
        },
        null,
        2,
      ),
    );
    client.release();
  } finally {
    await db.end();
    const admin = new pg.Client({ connectionString: `${postgresUrl}/postgres` });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS "${new URL(databaseUrl).pathname.slice(1)}" WITH (FORCE)`);
    await admin.end();
  }
}

await main();
