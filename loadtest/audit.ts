// The invariant audit: reads the database after a run (or a test) and checks what must always hold.
// Used by `npm run audit`, by the rush at its end, and by the test suite after every concurrency test.
import type pg from "pg";
import { presaleChecks } from "./audit-presales.ts";
import { waitlistChecks } from "./audit-waitlist.ts";

export interface AuditCheck {
  name: string;
  /** Rows that break the invariant (at most `sampleMax` are kept as examples). */
  violations: number;
  examples: unknown[];
}

export interface AuditReport {
  ok: boolean;
  events: number;
  tickets: number;
  bookings: number;
  payments: number;
  checks: AuditCheck[];
}

const sampleMax = 5;

/** Each check is a query returning the offending rows. */
const checks: { name: string; sql: string }[] = [
  {
    name: "at most one booking per ticket",
    sql: `SELECT event_id, ordinal, count(*) AS bookings FROM booking_tickets
          WHERE ($1::text IS NULL OR event_id = $1) GROUP BY event_id, ordinal HAVING count(*) > 1`,
  },
  {
    name: "tickets marked booked = tickets in a confirmed booking",
    sql: `SELECT t.event_id, t.ordinal, t.status, t.booking_id, bt.booking_id AS booked_by
          FROM tickets t
          FULL JOIN (SELECT bt.* FROM booking_tickets bt JOIN bookings b ON b.event_id = bt.event_id AND b.id = bt.booking_id
                     WHERE b.status = 'confirmed') bt
            ON bt.event_id = t.event_id AND bt.ordinal = t.ordinal
          WHERE ($1::text IS NULL OR coalesce(t.event_id, bt.event_id) = $1)
            AND (t.status = 'booked') IS DISTINCT FROM (bt.booking_id IS NOT NULL)
             OR ($1::text IS NULL OR t.event_id = $1) AND t.status = 'booked' AND t.booking_id IS DISTINCT FROM bt.booking_id`,
  },
  {
    // A cancelled booking's payment ends refunded (recovery finishes a cancellation cut short).
    name: "every captured payment has a standing booking (or was refunded)",
    sql: `SELECT p.event_id, p.id, p.status, p.booking_id, b.status AS booking_status FROM payments p
          LEFT JOIN bookings b ON b.event_id = p.event_id AND b.id = p.booking_id
          WHERE ($1::text IS NULL OR p.event_id = $1) AND p.status = 'captured'
            AND (b.id IS NULL OR b.status <> 'confirmed')`,
  },
  {
    name: "every booking is paid by a captured payment of the same amount",
    sql: `SELECT b.event_id, b.id, b.amount_cents, p.status, p.amount_cents AS paid_cents FROM bookings b
          LEFT JOIN payments p ON p.event_id = b.event_id AND p.id = b.payment_id
          WHERE ($1::text IS NULL OR b.event_id = $1) AND b.status = 'confirmed'
            AND (p.id IS NULL OR p.status <> 'captured' OR p.amount_cents <> b.amount_cents
                 OR p.booking_id IS DISTINCT FROM b.id)`,
  },
  {
    name: "a refunded payment has no booking, or a cancelled one",
    sql: `SELECT p.event_id, p.id, b.status AS booking_status FROM payments p
          LEFT JOIN bookings b ON b.event_id = p.event_id AND b.id = p.booking_id
          WHERE ($1::text IS NULL OR p.event_id = $1) AND p.status = 'refunded' AND p.booking_id IS NOT NULL
            AND b.status IS DISTINCT FROM 'cancelled'`,
  },
  {
    name: "a hold being paid for has a pending or captured payment",
    sql: `SELECT h.event_id, h.ordinal, p.status FROM holds h
          LEFT JOIN payments p ON p.event_id = h.event_id AND p.id = h.payment_id
          WHERE ($1::text IS NULL OR h.event_id = $1) AND h.status = 'confirming'
            AND (p.id IS NULL OR p.status NOT IN ('pending', 'captured'))`,
  },
  {
    name: "a booking's amount is the sum of its tickets' prices",
    sql: `SELECT b.event_id, b.id, b.amount_cents, sum(t.price_cents) AS tickets_cents FROM bookings b
          JOIN booking_tickets bt ON bt.event_id = b.event_id AND bt.booking_id = b.id
          JOIN tickets t ON t.event_id = bt.event_id AND t.ordinal = bt.ordinal
          WHERE ($1::text IS NULL OR b.event_id = $1)
          GROUP BY b.event_id, b.id, b.amount_cents HAVING sum(t.price_cents) <> b.amount_cents`,
  },
  {
    name: "no hold on a booked ticket",
    sql: `SELECT h.event_id, h.ordinal, h.user_id FROM holds h
          JOIN tickets t ON t.event_id = h.event_id AND t.ordinal = h.ordinal
          WHERE ($1::text IS NULL OR h.event_id = $1) AND t.status = 'booked'`,
  },
  {
    name: "held + booked + available = total per event",
    sql: `SELECT e.id, e.ticket_count, s.booked, s.held, s.available FROM events e
          JOIN LATERAL (
            SELECT count(*) FILTER (WHERE t.status = 'booked') AS booked,
                   count(*) FILTER (WHERE t.status <> 'booked' AND h.ordinal IS NOT NULL
                                    AND (h.status = 'confirming' OR h.expires_at > now())) AS held,
                   count(*) FILTER (WHERE t.status <> 'booked' AND (h.ordinal IS NULL
                                    OR (h.status = 'held' AND h.expires_at <= now()))) AS available
            FROM tickets t LEFT JOIN holds h ON h.event_id = t.event_id AND h.ordinal = t.ordinal
            WHERE t.event_id = e.id) s ON true
          WHERE ($1::text IS NULL OR e.id = $1) AND s.booked + s.held + s.available <> e.ticket_count`,
  },
  {
    // A cancelled booking may have given its seats back; a standing one checks in its own seats only.
    name: "a check-in is of a seat of its booking",
    sql: `SELECT c.event_id, c.booking_id, c.ordinal FROM checkins c
          JOIN bookings b ON b.event_id = c.event_id AND b.id = c.booking_id
          LEFT JOIN booking_tickets bt
            ON bt.event_id = c.event_id AND bt.booking_id = c.booking_id AND bt.ordinal = c.ordinal
          WHERE ($1::text IS NULL OR c.event_id = $1) AND b.status = 'confirmed' AND bt.ordinal IS NULL`,
  },
  {
    // event.sold_out webhooks fire when this count reaches 0 (migrations/0321_webhooks.sql).
    name: "an event's available-seat count is its available tickets",
    sql: `SELECT c.event_id, c.available, s.available AS tickets_available FROM event_seat_counts c
          CROSS JOIN LATERAL (SELECT count(*) FILTER (WHERE t.status = 'available') AS available
            FROM tickets t WHERE t.event_id = c.event_id) s
          WHERE ($1::text IS NULL OR c.event_id = $1) AND c.available <> s.available`,
  },
  ...waitlistChecks,
  ...presaleChecks,
];

export async function auditDatabase(
  db: pg.Pool | pg.Client,
  eventId: string | null = null,
): Promise<AuditReport> {
  const results: AuditCheck[] = [];
  for (const check of checks) {
    const { rows } = await db.query(check.sql, [eventId]);
    results.push({ name: check.name, violations: rows.length, examples: rows.slice(0, sampleMax) });
  }
  const totals = await db.query(
    `SELECT (SELECT count(*) FROM events WHERE $1::text IS NULL OR id = $1)::int AS events,
            (SELECT count(*) FROM tickets WHERE $1::text IS NULL OR event_id = $1)::int AS tickets,
            (SELECT count(*) FROM bookings WHERE $1::text IS NULL OR event_id = $1)::int AS bookings,
            (SELECT count(*) FROM payments WHERE $1::text IS NULL OR event_id = $1)::int AS payments`,
    [eventId],
  );
  return { ok: results.every((check) => check.violations === 0), ...totals.rows[0], checks: results };
}

export function formatAudit(report: AuditReport): string {
  const lines = [
    `audit: ${report.events} events, ${report.tickets} tickets, ${report.bookings} bookings, ${report.payments} payments`,
  ];
  for (const check of report.checks) {
    lines.push(
      `  ${check.violations === 0 ? "ok  " : "FAIL"} ${check.name}${check.violations ? ` (${check.violations})` : ""}`,
    );
    for (const example of check.examples) lines.push(`       ${JSON.stringify(example)}`);
  }
  lines.push(report.ok ? "audit: no violations" : "audit: VIOLATIONS FOUND");
  return lines.join("\n");
}
