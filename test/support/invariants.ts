// Checks the booking invariants in the DATABASE (not in any process's memory): run it after every
// concurrency test. Returns the violations found (empty = all hold).
import pg from "pg";

export async function findDatabaseViolations(databaseUrl: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const problems: string[] = [];
    const check = async (name: string, sql: string) => {
      const { rows } = await client.query(sql);
      for (const row of rows) problems.push(`${name}: ${JSON.stringify(row)}`);
    };
    // booking_tickets' primary key already forbids it; checked anyway, so the test fails if it is dropped.
    await check(
      "a ticket is in more than one booking",
      `SELECT event_id, ordinal, count(*) FROM booking_tickets GROUP BY 1, 2 HAVING count(*) > 1`,
    );
    await check(
      "ticket marked booked without its booking_tickets row (or with another booking)",
      `SELECT t.event_id, t.ordinal, t.booking_id FROM tickets t
       LEFT JOIN booking_tickets bt ON bt.event_id = t.event_id AND bt.ordinal = t.ordinal
       WHERE t.status = 'booked' AND (bt.booking_id IS NULL OR bt.booking_id <> t.booking_id)`,
    );
    await check(
      "booking_tickets row on a ticket not marked booked",
      `SELECT bt.event_id, bt.ordinal FROM booking_tickets bt
       JOIN tickets t ON t.event_id = bt.event_id AND t.ordinal = bt.ordinal
       WHERE t.status <> 'booked' OR t.booking_id IS DISTINCT FROM bt.booking_id`,
    );
    await check(
      "captured payment with neither a booking nor a refund",
      `SELECT event_id, id FROM payments WHERE status = 'captured' AND booking_id IS NULL`,
    );
    await check(
      "booking whose payment is not captured for it",
      `SELECT b.event_id, b.id, p.status, p.booking_id FROM bookings b
       LEFT JOIN payments p ON p.event_id = b.event_id AND p.id = b.payment_id
       WHERE p.id IS NULL OR p.status <> 'captured' OR p.booking_id IS DISTINCT FROM b.id`,
    );
    await check(
      "refunded payment that has a booking",
      `SELECT event_id, id FROM payments WHERE status = 'refunded' AND booking_id IS NOT NULL`,
    );
    await check(
      "booking amount differs from its tickets' prices",
      `SELECT b.event_id, b.id, b.amount_cents, sum(t.price_cents) AS tickets_cents FROM bookings b
       JOIN booking_tickets bt ON bt.event_id = b.event_id AND bt.booking_id = b.id
       JOIN tickets t ON t.event_id = bt.event_id AND t.ordinal = bt.ordinal
       GROUP BY b.event_id, b.id, b.amount_cents HAVING b.amount_cents <> sum(t.price_cents)`,
    );
    await check(
      "hold on a booked ticket",
      `SELECT h.event_id, h.ordinal FROM holds h
       JOIN tickets t ON t.event_id = h.event_id AND t.ordinal = h.ordinal WHERE t.status = 'booked'`,
    );
    await check(
      "confirming hold whose payment is neither pending nor captured",
      `SELECT h.event_id, h.ordinal, p.status FROM holds h
       LEFT JOIN payments p ON p.event_id = h.event_id AND p.id = h.payment_id
       WHERE h.status = 'confirming' AND (p.id IS NULL OR p.status NOT IN ('pending', 'captured'))`,
    );
    // held + booked + available = total: every ticket is in exactly one of the three.
    await check(
      "held + booked + available != total",
      `SELECT e.id, e.ticket_count, count(t.*) AS tickets,
              count(*) FILTER (WHERE t.status = 'booked') AS booked,
              count(h.*) AS held,
              count(*) FILTER (WHERE t.status = 'available' AND h.ordinal IS NULL) AS available
       FROM events e
       LEFT JOIN tickets t ON t.event_id = e.id
       LEFT JOIN holds h ON h.event_id = t.event_id AND h.ordinal = t.ordinal
       GROUP BY e.id, e.ticket_count
       HAVING count(t.*) <> e.ticket_count
           OR count(*) FILTER (WHERE t.status = 'booked') + count(h.*)
              + count(*) FILTER (WHERE t.status = 'available' AND h.ordinal IS NULL) <> e.ticket_count`,
    );
    return problems;
  } finally {
    await client.end();
  }
}

/** Rows of a query against a test database (for assertions). */
export async function queryDatabase(
  databaseUrl: string,
  sql: string,
  values: unknown[] = [],
): Promise<any[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return (await client.query(sql, values)).rows;
  } finally {
    await client.end();
  }
}
