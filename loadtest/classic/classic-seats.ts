// The classic engine's reads, inside its transactions: the event's settings, the ticket rows it locks
// (with the hold on each), what a user has taken, whose holds ended.
//
// Lock order, always: tickets rows (ordinal order) -> holds rows -> event_actors row. Every write of a
// holds row happens while its ticket row is locked, so a transaction that holds the ticket locks sees
// holds that cannot change under it.
import type pg from "pg";
import type { Database } from "../../platform/database.ts";
import { MarqueeError } from "../../domain/errors.ts";
import { ticketId } from "../../domain/ids.ts";

export interface EventRow {
  active: boolean;
  onSaleAt: number;
  startsAt: number;
  ticketsPerUserMax: number;
  ticketCount: number;
}

/** A ticket row locked by this transaction, with the hold on it (if any). */
export interface LockedSeat {
  ordinal: number;
  booked: boolean;
  priceCents: number;
  holdUserId: string | null;
  holdStatus: "held" | "confirming" | null;
  holdExpiresAt: number | null;
  holdId: string | null;
  paymentId: string | null;
}

export const toIds = (eventId: string, ordinals: number[]) =>
  ordinals.map((ordinal) => ticketId(eventId, ordinal));

export const sorted = (ordinals: number[]) => [...ordinals].sort((a, b) => a - b);

export const isLive = (seat: LockedSeat, now: number): boolean =>
  seat.holdStatus === "confirming" || (seat.holdStatus === "held" && seat.holdExpiresAt! > now);

/** The event's settings; NOT_FOUND for an unknown or deleted event or a ticket outside it. */
export async function loadEvent(
  client: pg.PoolClient,
  eventId: string,
  ordinals: number[],
): Promise<EventRow> {
  const { rows } = await client.query(
    `SELECT status = 'active' AS active, (extract(epoch FROM on_sale_at) * 1000)::float8 AS on_sale_ms,
            (extract(epoch FROM starts_at) * 1000)::float8 AS starts_ms, tickets_per_user_max, ticket_count
     FROM events WHERE id = $1`,
    [eventId],
  );
  const row = rows[0];
  const unknown = ordinals.filter(
    (ordinal) => !(Number.isInteger(ordinal) && ordinal >= 0 && (!row || ordinal < row.ticket_count)),
  );
  if (!row || unknown.length > 0)
    throw new MarqueeError("NOT_FOUND", "Ticket not found", {
      ticketIds: toIds(eventId, unknown.length > 0 ? unknown : ordinals),
    });
  if (!row.active) throw new MarqueeError("NOT_FOUND", "Event not found");
  return {
    active: row.active,
    onSaleAt: Math.round(row.on_sale_ms),
    startsAt: Math.round(row.starts_ms),
    ticketsPerUserMax: row.tickets_per_user_max,
    ticketCount: row.ticket_count,
  };
}

/** Locks the ticket rows (ordinal order: no deadlocks) and reads the hold on each. */
export async function lockSeats(
  client: pg.PoolClient,
  eventId: string,
  ordinals: number[],
): Promise<LockedSeat[]> {
  const { rows } = await client.query(
    `SELECT t.ordinal, t.status, t.price_cents, h.user_id, h.status AS hold_status, h.hold_id, h.payment_id,
            (extract(epoch FROM h.expires_at) * 1000)::float8 AS expires_ms
     FROM tickets t LEFT JOIN holds h ON h.event_id = t.event_id AND h.ordinal = t.ordinal
     WHERE t.event_id = $1 AND t.ordinal = ANY($2::int[])
     ORDER BY t.ordinal FOR UPDATE OF t`,
    [eventId, ordinals],
  );
  if (rows.length !== ordinals.length)
    throw new MarqueeError("NOT_FOUND", "Ticket not found", { ticketIds: toIds(eventId, ordinals) });
  return rows.map((row) => ({
    ordinal: row.ordinal,
    booked: row.status === "booked",
    priceCents: row.price_cents,
    holdUserId: row.user_id,
    holdStatus: row.hold_status,
    holdExpiresAt: row.expires_ms === null ? null : Math.round(row.expires_ms),
    holdId: row.hold_id,
    paymentId: row.payment_id,
  }));
}

/** Seats the user holds (live) or has booked in the event. */
export async function ticketsTaken(client: pg.PoolClient, eventId: string, userId: string, now: number) {
  const { rows } = await client.query(
    `SELECT (SELECT count(*) FROM holds WHERE event_id = $1 AND user_id = $2
               AND (status = 'confirming' OR expires_at > to_timestamp($3 / 1000.0)))::int
          + (SELECT count(*) FROM booking_tickets bt JOIN bookings b ON b.event_id = bt.event_id AND b.id = bt.booking_id
             WHERE b.event_id = $1 AND b.user_id = $2)::int AS taken`,
    [eventId, userId, now],
  );
  return rows[0].taken as number;
}

/** Of `userIds`, those with no live hold left in the event (their shopping turn ended). */
export async function usersWithoutLiveHolds(
  client: pg.PoolClient,
  eventId: string,
  userIds: string[],
  now: number,
): Promise<string[]> {
  if (userIds.length === 0) return [];
  const { rows } = await client.query(
    `SELECT DISTINCT user_id FROM holds WHERE event_id = $1 AND user_id = ANY($2::text[])
       AND (status = 'confirming' OR expires_at > to_timestamp($3 / 1000.0))`,
    [eventId, userIds, now],
  );
  const still = new Set(rows.map((row) => row.user_id));
  return userIds.filter((userId) => !still.has(userId));
}

/** The seats a payment's confirming hold covers (read outside any transaction). */
export async function paymentOrdinals(db: Database, eventId: string, paymentId: string): Promise<number[]> {
  const { rows } = await db.query(
    "SELECT ordinal FROM holds WHERE event_id = $1 AND payment_id = $2 ORDER BY ordinal",
    [eventId, paymentId],
  );
  return rows.map((row) => row.ordinal);
}

/** Deletes the holds of these seats (their ticket rows are locked by the caller). */
export async function deleteHolds(client: pg.PoolClient, eventId: string, ordinals: number[]): Promise<void> {
  await client.query("DELETE FROM holds WHERE event_id = $1 AND ordinal = ANY($2::int[])", [
    eventId,
    ordinals,
  ]);
}
