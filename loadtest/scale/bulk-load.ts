// Bulk load of the booking tables for the scale benchmark and the row-size measurement: events of
// `seatsPerEvent` seats (the benchmarks' layout: 20 sections of 100-seat rows), 40% of each event's
// seats booked in pairs, with the rows a real confirm leaves (a booking, its booking_tickets, a
// captured payment, the Idempotency-Key with its stored answer), all made by Postgres itself with
// generate_series. The events rows go in with their triggers (the search capture: the indexer indexes
// them as it would any new event); the rest bypasses triggers, foreign keys included
// (session_replication_role = replica, a superuser setting), as the search benchmark's load does.
// The values have the shapes and lengths of the real ones (ids of domain/ids.ts, a SHA-256 request
// hash, a UUID key, the confirm's answer as JSON), so the bytes per row are the product's.
import pg from "pg";
import { benchSections, sectionsCount, seatsPerRow } from "../seat-map/bench-event.ts";

/** Every tenth seat's first four are booked, as two bookings of two adjacent seats. */
export const bookedSeatsPerTen = 4;
export const seatsPerBooking = 2;
/** One statement per table inserts about this many tickets (one transaction per batch). */
const ticketsPerBatch = 1_000_000;

export interface BulkLoadOptions {
  seatsPerEvent: number;
  venueId: string;
  performerId: string;
  log?(message: string): void;
}

export interface LoadedSize {
  ticketRows: number;
  bulkEvents: number;
  loadSeconds: number;
}

/** Ids of the bulk events: `ev_scale` and 7 digits, as long as a real `ev_` + 10 characters. */
export const bulkEventId = (number: number): string => `ev_scale${String(number).padStart(7, "0")}`;
const eventIdSql = (n: string) => `'ev_scale' || lpad(${n}::text, 7, '0')`;

async function countTickets(client: pg.ClientBase): Promise<number> {
  const { rows } = await client.query("SELECT count(*)::bigint AS count FROM tickets");
  return Number(rows[0].count);
}

async function lastBulkEvent(client: pg.ClientBase): Promise<number> {
  const { rows } = await client.query(
    "SELECT coalesce(max(substr(id, 9)::int), 0) AS last FROM events WHERE id LIKE 'ev\\_scale%'",
  );
  return rows[0].last;
}

/** The statements of one batch of events [$1, $2]; $3 = seats per event, $4 = seats per section. */
function batchStatements(): string[] {
  const event = eventIdSql("n");
  // booking number b: unique across bulk events of one size (ordinal / 2 within the event)
  const b = "(n::bigint * $3 / 2 + j)";
  const user = `'usr_' || lpad(((${b} * 2654435761) % 1000000007)::text, 10, '0')`;
  const bookingId = `'bk_' || lpad(${b}::text, 10, '0')`;
  const paymentId = `'pay_' || lpad(${b}::text, 10, '0')`;
  // h = md5(b), computed once per row (the pairs' LATERAL): a UUID-shaped key, short random ids
  const key = `(substr(h, 1, 8) || '-' || substr(h, 9, 4) || '-4' || substr(h, 14, 3) || '-a' || substr(h, 18, 3) || '-' || substr(h, 21, 12))`;
  const price = "(9900 + 1000 * (((2 * j) / $4) % 5))";
  const createdAt = `(now() - interval '30 days' + (j % 86400) * interval '1 second')`;
  // bookings are the pairs (10k, 10k+1) and (10k+2, 10k+3): j = ordinal / 2 with j % 5 < 2
  const pairs = `generate_series($1::int, $2::int) AS n CROSS JOIN generate_series(0, $3::int / 2 - 1) AS j CROSS JOIN LATERAL (SELECT md5(${b}::text) AS h) AS hashed WHERE j % 5 < ${bookedSeatsPerTen / seatsPerBooking}`;
  return [
    `INSERT INTO tickets (event_id, ordinal, section_index, section, row_index, row_label, seat, price_cents, status, booking_id)
     SELECT ${event}, o, o / $4, 'Section ' || (101 + o / $4), (o % $4) / ${seatsPerRow}, ((o % $4) / ${seatsPerRow} + 1)::text,
            o % ${seatsPerRow} + 1, 9900 + 1000 * ((o / $4) % 5),
            CASE WHEN o % 10 < ${bookedSeatsPerTen} THEN 'booked' ELSE 'available' END,
            CASE WHEN o % 10 < ${bookedSeatsPerTen} THEN 'bk_' || lpad((n::bigint * $3 / 2 + o / 2)::text, 10, '0') END
     FROM generate_series($1::int, $2::int) AS n CROSS JOIN generate_series(0, $3::int - 1) AS o`,
    `INSERT INTO bookings (event_id, id, user_id, amount_cents, status, payment_id, created_at)
     SELECT ${event}, ${bookingId}, ${user}, 2 * ${price}, 'confirmed', ${paymentId}, ${createdAt} FROM ${pairs}`,
    `INSERT INTO booking_tickets (event_id, ordinal, booking_id)
     SELECT ${event}, 2 * j + side, ${bookingId} FROM ${pairs.replace(" WHERE", " CROSS JOIN generate_series(0, 1) AS side WHERE")}`,
    `INSERT INTO payments (event_id, id, user_id, idempotency_key, hold_id, ordinals, amount_cents, status,
                           provider, provider_ref, booking_id, created_at, updated_at)
     SELECT ${event}, ${paymentId}, ${user}, ${key}, 'hd_' || substr(h, 27, 6),
            ARRAY[2 * j, 2 * j + 1]::int[], 2 * ${price}, 'captured', 'simulated',
            'sim_' || substr(h, 17, 10), ${bookingId}, ${createdAt}, ${createdAt}
     FROM ${pairs}`,
    `INSERT INTO idempotency_keys (event_id, user_id, key, request_hash, payment_id, status_code, response,
                                   created_at, claim_id, claimed_at)
     SELECT ${event}, ${user}, ${key}, h || reverse(h), ${paymentId}, 201,
            jsonb_build_object('booking', jsonb_build_object(
              'id', ${bookingId}, 'status', 'confirmed', 'eventId', ${event},
              'createdAt', to_char(${createdAt} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
              'paymentId', ${paymentId},
              'ticketIds', jsonb_build_array(${event} || '.' || (2 * j), ${event} || '.' || (2 * j + 1)),
              'amountCents', 2 * ${price})),
            ${createdAt}, 'clm_' || substr(h, 5, 10), ${createdAt}
     FROM ${pairs}`,
    // The user-wide claim of each key (migration 0360), as the confirm's commit writes it.
    `INSERT INTO idempotency_user_keys (user_id, key, event_id, created_at)
     SELECT ${user}, ${key}, ${event}, ${createdAt} FROM ${pairs}`,
    // The available-seat count the tickets triggers keep (0321), which search reads for each result.
    `INSERT INTO event_seat_counts (event_id, available)
     SELECT ${event}, $3::int - $3::int / 10 * ${bookedSeatsPerTen} FROM generate_series($1::int, $2::int) AS n
     ON CONFLICT (event_id) DO UPDATE SET available = excluded.available`,
  ];
}

/** The values a statement names ($1..$n): Postgres refuses more than it uses. */
const valuesUsed = (statement: string, values: number[]) =>
  values.slice(0, Math.max(...[...statement.matchAll(/\$(\d)/g)].map((match) => Number(match[1]))));

async function insertEvents(client: pg.ClientBase, first: number, last: number, options: BulkLoadOptions) {
  const sections = JSON.stringify(benchSections(options.seatsPerEvent));
  await client.query(
    `INSERT INTO events (id, name, type, venue_id, starts_at, on_sale_at, sections, ticket_count)
     SELECT ${eventIdSql("n")}, 'Scale bench ' || n, 'concert', $3,
            date_trunc('hour', now()) + (1 + n % 700) * interval '1 day', now() - interval '60 days', $4::jsonb, $5
     FROM generate_series($1::int, $2::int) AS n`,
    [first, last, options.venueId, sections, options.seatsPerEvent],
  );
  await client.query(
    `INSERT INTO event_performers (event_id, performer_id, position)
     SELECT ${eventIdSql("n")}, $3, 0 FROM generate_series($1::int, $2::int) AS n`,
    [first, last, options.performerId],
  );
}

/** The venue and performer of every bulk event (made once per database). */
export async function ensureBulkCatalog(
  client: pg.ClientBase,
): Promise<{ venueId: string; performerId: string }> {
  await client.query(
    `INSERT INTO venues (id, name, city, country) VALUES ('vn_scale', 'Scale Arena', 'Lisbon', 'Portugal')
     ON CONFLICT (id) DO NOTHING`,
  );
  await client.query(
    `INSERT INTO performers (id, name) VALUES ('pf_scale', 'Scale Band') ON CONFLICT (id) DO NOTHING`,
  );
  return { venueId: "vn_scale", performerId: "pf_scale" };
}

/** One batch of bulk events [first, last], in one transaction. */
async function loadBatch(client: pg.ClientBase, first: number, last: number, options: BulkLoadOptions) {
  await client.query("BEGIN");
  try {
    await client.query("SET LOCAL session_replication_role = DEFAULT");
    await insertEvents(client, first, last, options);
    await client.query("SET LOCAL session_replication_role = replica");
    const values = [first, last, options.seatsPerEvent, options.seatsPerEvent / sectionsCount];
    for (const statement of batchStatements()) await client.query(statement, valuesUsed(statement, values));
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK");
    throw error;
  }
  options.log?.(`  bulk events ${first}-${last} (${(last - first + 1) * options.seatsPerEvent} tickets)`);
}

/**
 * Adds bulk events until the tickets table holds at least `targetTicketRows` rows (the rows already
 * there, the benchmark's own events included, count). Each batch is one transaction; `connections`
 * batches load at once (Postgres spends a core per connection).
 */
export async function loadTicketRows(
  databaseUrl: string,
  targetTicketRows: number,
  options: BulkLoadOptions & { connections?: number },
): Promise<LoadedSize> {
  const { seatsPerEvent } = options;
  if (seatsPerEvent % (sectionsCount * seatsPerRow) !== 0 || seatsPerEvent % 10 !== 0)
    throw new Error(`seatsPerEvent ${seatsPerEvent} must fill ${sectionsCount} sections of whole rows`);
  const startedAt = performance.now();
  const clients = Array.from(
    { length: options.connections ?? 2 },
    () => new pg.Client({ connectionString: databaseUrl }),
  );
  try {
    for (const client of clients) {
      await client.connect();
      await client.query("SET statement_timeout = 0; SET synchronous_commit = off");
    }
    const [first] = clients;
    const missing = Math.max(0, targetTicketRows - (await countTickets(first)));
    const perBatch = Math.max(1, Math.floor(ticketsPerBatch / seatsPerEvent));
    let next = (await lastBulkEvent(first)) + 1;
    const end = next + Math.ceil(missing / seatsPerEvent) - 1;
    await Promise.all(
      clients.map(async (client) => {
        while (next <= end) {
          const batchFirst = next;
          const batchLast = Math.min(end, batchFirst + perBatch - 1);
          next = batchLast + 1;
          await loadBatch(client, batchFirst, batchLast, options);
        }
      }),
    );
    return {
      ticketRows: await countTickets(first),
      bulkEvents: end,
      loadSeconds: Number(((performance.now() - startedAt) / 1000).toFixed(1)),
    };
  } finally {
    for (const client of clients) await client.end().catch(() => undefined);
  }
}

/**
 * The tables that grow with the tickets sold: what `pg_total_relation_size` is summed over (over
 * every partition of the partitioned ones: relationBytesSql).
 */
export const bookingTables = [
  "tickets",
  "holds",
  "bookings",
  "booking_tickets",
  "payments",
  "idempotency_keys",
  "idempotency_user_keys",
] as const;

/**
 * Bytes of table $1 with all its partitions (a partitioned table's own pg_total_relation_size is 0):
 * `total` (heap, indexes, TOAST, maps), `heap` and `indexes`. The table itself is added: the tree of
 * a plain table is empty.
 */
export const relationBytesSql = `SELECT coalesce(sum(pg_total_relation_size(relid)), 0)::bigint AS total,
    coalesce(sum(pg_relation_size(relid)), 0)::bigint AS heap,
    coalesce(sum(pg_indexes_size(relid)), 0)::bigint AS indexes
  FROM (SELECT relid FROM pg_partition_tree($1::regclass) UNION SELECT $1::regclass) AS tree`;

/**
 * Brings the visibility map and the planner's statistics up to date after a load, then writes the
 * load's dirty pages out: without the CHECKPOINT, the checkpoints the load's WAL (gigabytes at 30M
 * rows) makes due ran during the measurement after it and took their I/O out of its p99. Tables
 * that grow by bookings over months carry no such backlog.
 */
export async function settleAfterLoad(client: pg.ClientBase): Promise<void> {
  await client.query("SET statement_timeout = 0");
  await client.query(`VACUUM (ANALYZE) ${bookingTables.join(", ")}`);
  await client.query("CHECKPOINT");
}
