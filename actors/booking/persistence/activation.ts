// Activation of an event actor: take the event's fencing epoch, then load its whole seat state
// (seats, holds, bookings, the waiting-room admissions used) in one query.
import type { Database } from "../../../platform/database.ts";
import { InternalFault, MarqueeError } from "../../../domain/errors.ts";
import type { SectionInput } from "../../../domain/event.ts";
import { buildSeatLayout, type SeatLayout } from "../../../domain/seat-layout.ts";
import { maxActiveShoppersOf, type SaleSettings, type LoadedSeats } from "../../../domain/seat-state.ts";
import { loadPresaleCodes } from "./writers/presale-uses.ts";
import { loadWaitlist } from "./waitlist-load.ts";

export interface Activation {
  epoch: number;
  layout: SeatLayout;
  settings: Omit<SaleSettings, "holdTtlMs">;
  loaded: LoadedSeats;
}

/**
 * Takes the event's fencing epoch, then loads its seats. Two statements on purpose: a statement sees
 * the snapshot taken when it starts, so loading in the same statement as the epoch UPDATE could miss
 * a batch that the previous owner committed while our UPDATE waited for its row lock. Once our epoch
 * is committed, every later write of the previous owner fails its fence, and the load (a new
 * snapshot) sees everything it committed before.
 * Returns null when the event does not exist.
 */
export async function activate(db: Database, eventId: string, owner: string): Promise<Activation | null> {
  const taken = await db.query(
    `INSERT INTO event_actors (event_id, epoch, owner, activated_at)
     SELECT id, 1, $2, now() FROM events WHERE id = $1
     ON CONFLICT (event_id) DO UPDATE SET epoch = event_actors.epoch + 1, owner = $2, activated_at = now()
     RETURNING epoch, seat_version`,
    [eventId, owner],
  );
  if (taken.rowCount === 0) return null;
  const { epoch } = taken.rows[0];
  const { rows } = await db.query(seatStateQuery, [eventId]);
  const row = rows[0];
  if (!row) return null;
  if (row.epoch !== epoch) throw staleEpoch(eventId);
  const activation = toActivation(eventId, epoch, row);
  // After the epoch too: no booking of the previous owner (and so no use) can commit any more.
  activation.loaded.presaleCodes = await loadPresaleCodes(db, eventId);
  activation.loaded.waitlist = await loadWaitlist(db, eventId);
  return activation;
}

/** The event, its fence and its whole seat state (bookings and holds as parallel arrays) in one row. */
const seatStateQuery = `SELECT e.status, (extract(epoch FROM e.on_sale_at) * 1000)::float8 AS on_sale_ms,
          (extract(epoch FROM e.starts_at) * 1000)::float8 AS starts_ms,
          e.tickets_per_user_max, e.ticket_count, e.sections, e.waiting_room, a.seat_version, a.epoch,
          b.ordinals AS booked_ordinals, b.user_ids AS booked_user_ids,
          (SELECT count(*) FROM tickets t WHERE t.event_id = $1 AND t.status = 'booked')::int AS booked_tickets,
          h.ordinals AS hold_ordinals, h.hold_ids, h.user_ids AS hold_user_ids, h.statuses AS hold_statuses,
          h.expires_ms AS hold_expires_ms, h.payment_ids AS hold_payment_ids,
          u.user_ids AS admission_user_ids, u.expires_ms AS admission_expires_ms
   FROM events e
   JOIN event_actors a ON a.event_id = e.id
   CROSS JOIN LATERAL (
     SELECT coalesce(array_agg(bt.ordinal), '{}') AS ordinals, coalesce(array_agg(bk.user_id), '{}') AS user_ids
     FROM booking_tickets bt JOIN bookings bk ON bk.event_id = bt.event_id AND bk.id = bt.booking_id
     WHERE bt.event_id = $1) b
   CROSS JOIN LATERAL (
     SELECT coalesce(array_agg(ordinal), '{}') AS ordinals, coalesce(array_agg(hold_id), '{}') AS hold_ids,
            coalesce(array_agg(user_id), '{}') AS user_ids, coalesce(array_agg(status), '{}') AS statuses,
            coalesce(array_agg((extract(epoch FROM expires_at) * 1000)::float8), '{}') AS expires_ms,
            coalesce(array_agg(payment_id), '{}') AS payment_ids
     FROM holds WHERE event_id = $1) h
   CROSS JOIN LATERAL (
     SELECT coalesce(array_agg(user_id), '{}') AS user_ids,
            coalesce(array_agg(expires_at_ms::float8), '{}') AS expires_ms
     FROM used_admissions WHERE event_id = e.id) u
   WHERE e.id = $1`;

function toActivation(eventId: string, epoch: number, row: any): Activation {
  const layout = buildSeatLayout(row.sections as SectionInput[]);
  if (layout.total !== row.ticket_count)
    throw corrupt(eventId, `sections describe ${layout.total} seats, ticket_count is ${row.ticket_count}`);
  if (row.booked_tickets !== row.booked_ordinals.length)
    throw corrupt(
      eventId,
      `${row.booked_tickets} tickets marked booked but ${row.booked_ordinals.length} booking_tickets`,
    );
  return {
    epoch,
    layout,
    settings: {
      active: row.status === "active",
      onSaleAt: Math.round(row.on_sale_ms),
      startsAt: Math.round(row.starts_ms),
      ticketsPerUserMax: row.tickets_per_user_max,
      maxActiveShoppers: maxActiveShoppersOf(row.waiting_room),
    },
    loaded: {
      version: row.seat_version,
      bookedOrdinals: row.booked_ordinals,
      bookedUserIds: row.booked_user_ids,
      holds: (row.hold_ordinals as number[]).map((ordinal, index) => ({
        ordinal,
        holdId: row.hold_ids[index],
        userId: row.hold_user_ids[index],
        status: row.hold_statuses[index],
        expiresAt: Math.round(row.hold_expires_ms[index]),
        paymentId: row.hold_payment_ids[index],
      })),
      admissions: (row.admission_user_ids as string[]).map((userId, index) => ({
        userId,
        expiresAtMs: row.admission_expires_ms[index],
      })),
    },
  };
}

/** Another actor took the event's epoch while this one was activating or writing. */
const staleEpoch = (eventId: string): InternalFault =>
  new InternalFault("STALE_EPOCH", `event ${eventId}: another actor holds a newer epoch`, { eventId });

/** Rows of the event that contradict each other: the actor cannot start (the request answers 503). */
const corrupt = (eventId: string, message: string): MarqueeError =>
  new MarqueeError("INTERNAL_ERROR", `event ${eventId}: ${message}`, { eventId });
