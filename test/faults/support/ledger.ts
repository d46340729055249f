// Checks what the load was told against what the database holds, after a fault:
// - no two users were ever told they hold the same ticket at the same time (a definite hold runs from
//   the 200 of a reserve to the sending of that user's next release of the ticket);
// - every hold still definite at the end is in the database, held by that user or booked by them;
// - every confirm that answered 201 is a confirmed booking of that user with exactly those tickets,
//   paid by a captured payment;
// - every answer had the contract's shape (no 500, no error without a code).
// Holds must not lapse during a run (the fault clusters use a 600 s hold TTL).
import type { Database } from "../../../platform/database.ts";
import type { OperationRecord } from "./load.ts";

export interface LedgerReport {
  requests: number;
  answered: Record<string, number>;
  /** Requests with no answer within the client's timeout. */
  hangs: number;
  definiteHolds: number;
  bookingsChecked: number;
  violations: string[];
}

interface Interval {
  userId: string;
  from: number;
  to: number;
}

const violationsShownMax = 20;

export async function checkLedger(db: Database, records: OperationRecord[]): Promise<LedgerReport> {
  const violations: string[] = [];
  const answered: Record<string, number> = {};
  let hangs = 0;
  for (const record of records) {
    const key = record.status === 0 ? "none" : String(record.status);
    answered[key] = (answered[key] ?? 0) + 1;
    if (record.status === 0) hangs++;
    if (record.malformed) violations.push(`${record.op} by ${record.userId}: ${record.malformed}`);
  }

  // Definite hold intervals per ticket. A user's requests never overlap (one in flight per user).
  const byUser = new Map<string, OperationRecord[]>();
  for (const record of records) {
    let list = byUser.get(record.userId);
    if (!list) byUser.set(record.userId, (list = []));
    list.push(record);
  }
  const intervals = new Map<string, Interval[]>();
  for (const [userId, list] of byUser) {
    list.sort((a, b) => a.sentAt - b.sentAt);
    for (let index = 0; index < list.length; index++) {
      const reserve = list[index];
      if (reserve.op !== "reserve" || reserve.status !== 200) continue;
      for (const ticketId of reserve.ticketIds) {
        const release = list
          .slice(index + 1)
          .find((later) => later.op === "release" && later.ticketIds.includes(ticketId));
        let ticketIntervals = intervals.get(ticketId);
        if (!ticketIntervals) intervals.set(ticketId, (ticketIntervals = []));
        ticketIntervals.push({ userId, from: reserve.answeredAt, to: release ? release.sentAt : Infinity });
      }
    }
  }
  let definiteHolds = 0;
  for (const [ticketId, list] of intervals) {
    definiteHolds += list.length;
    for (let a = 0; a < list.length; a++)
      for (let b = a + 1; b < list.length; b++) {
        const [x, y] = [list[a], list[b]];
        if (x.userId !== y.userId && x.from < y.to && y.from < x.to)
          violations.push(
            `ticket ${ticketId} held by ${x.userId} and ${y.userId} at once (${x.from}-${x.to} / ${y.from}-${y.to})`,
          );
      }
  }

  // Holds still definite at the end: held by that user or booked by them.
  const open = [...intervals.entries()].flatMap(([ticketId, list]) =>
    list.filter((interval) => interval.to === Infinity).map((interval) => ({ ticketId, ...interval })),
  );
  if (open.length > 0) {
    const { rows } = await db.query(
      `SELECT x.ticket_id, x.user_id, h.user_id AS holder, b.user_id AS booker
       FROM unnest($1::text[], $2::text[]) AS x(ticket_id, user_id)
       LEFT JOIN holds h ON h.event_id = split_part(x.ticket_id, '.', 1)
         AND h.ordinal = split_part(x.ticket_id, '.', 2)::int
       LEFT JOIN booking_tickets bt ON bt.event_id = split_part(x.ticket_id, '.', 1)
         AND bt.ordinal = split_part(x.ticket_id, '.', 2)::int
       LEFT JOIN bookings b ON b.event_id = bt.event_id AND b.id = bt.booking_id`,
      [open.map((item) => item.ticketId), open.map((item) => item.userId)],
    );
    for (const row of rows)
      if (row.holder !== row.user_id && row.booker !== row.user_id)
        violations.push(
          `ticket ${row.ticket_id}: ${row.user_id} was told it holds it, the database says held by ${row.holder ?? "nobody"}, booked by ${row.booker ?? "nobody"}`,
        );
  }

  // Every 201 confirm is a confirmed booking with exactly those tickets, paid by a captured payment.
  const confirmed = records.filter((record) => record.op === "confirm" && record.status === 201);
  const seen = new Set<string>();
  for (const record of confirmed) {
    const booking = record.booking;
    if (!booking?.id) {
      violations.push(`confirm by ${record.userId} answered 201 without a booking id`);
      continue;
    }
    if (seen.has(booking.id)) continue; // a replay of the same key names the same booking
    seen.add(booking.id);
    const { rows } = await db.query(
      `SELECT b.user_id, b.status, b.amount_cents, b.payment_id, p.status AS payment_status,
              coalesce((SELECT array_agg(bt.event_id || '.' || bt.ordinal ORDER BY bt.ordinal)
                        FROM booking_tickets bt WHERE bt.event_id = b.event_id AND bt.booking_id = b.id), '{}') AS tickets
       FROM bookings b LEFT JOIN payments p ON p.event_id = b.event_id AND p.id = b.payment_id
       WHERE b.event_id = $1 AND b.id = $2`,
      [record.eventId, booking.id],
    );
    const row = rows[0];
    const expected = [...record.ticketIds].sort(byOrdinal);
    if (!row) violations.push(`booking ${booking.id} (201 to ${record.userId}) is not in the database`);
    else if (row.user_id !== record.userId || row.status !== "confirmed")
      violations.push(`booking ${booking.id}: user ${row.user_id}, status ${row.status}`);
    else if (JSON.stringify(row.tickets) !== JSON.stringify(expected))
      violations.push(`booking ${booking.id}: tickets ${row.tickets} in the database, ${expected} confirmed`);
    else if (row.payment_status !== "captured")
      violations.push(`booking ${booking.id}: payment ${row.payment_id} is ${row.payment_status}`);
  }

  return {
    requests: records.length,
    answered,
    hangs,
    definiteHolds,
    bookingsChecked: seen.size,
    violations:
      violations.length > violationsShownMax
        ? [
            ...violations.slice(0, violationsShownMax),
            `... and ${violations.length - violationsShownMax} more`,
          ]
        : violations,
  };
}

const byOrdinal = (a: string, b: string) => Number(a.split(".").pop()) - Number(b.split(".").pop());
