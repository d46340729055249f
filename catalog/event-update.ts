// An admin's change to an event's name, description, type, times, waiting room, tickets per user or
// currency.
import type pg from "pg";
import type { Database } from "../platform/database.ts";
import { transaction } from "../platform/database.ts";
import { invariant, MarqueeError, notFound } from "../domain/errors.ts";
import { normalizeWaitingRoom } from "../domain/event.ts";
import { findEvent, type EventRecord } from "./catalog.repository.ts";
import { checkOnSaleBeforeStart, parseTime } from "./event-times.ts";
import { checkCurrency } from "./money-and-zones.ts";

/**
 * A currency changes only while the event is not on sale yet (before its current onSaleAt) and no
 * seat of it was ever held or booked (committed seat version 0, presale holds included): a price a
 * buyer has seen or paid never changes its meaning, and the layout that states the currency is
 * immutable once the sale opens. The committed seat version is read without a lock: locking
 * event_actors after the event row could deadlock with an actor's commit, which updates it before
 * writing rows that reference the event. A hold committing in the same instant (a presale only, as
 * the sale has not opened) may thus land just after the change, like a reserve from a page loaded a
 * moment earlier. Setting the currency it already has is always accepted.
 */
async function checkCurrencyChange(
  client: pg.PoolClient,
  current: EventRecord,
  currency: string,
  now: number,
) {
  checkCurrency("currency", currency);
  if (currency === current.currency) return;
  const { rows } = await client.query("SELECT seat_version FROM event_actors WHERE event_id = $1", [
    current.id,
  ]);
  const seatsTouched = Number(rows[0]?.seat_version ?? 0) > 0;
  if (now >= Date.parse(current.onSaleAt) || seatsTouched) {
    throw new MarqueeError(
      "CURRENCY_LOCKED",
      "The currency of an event cannot change once it is on sale or any seat was held",
      { field: "currency", currency: current.currency },
    );
  }
}

/**
 * Applies `changes` (as validated by updateEventSchema) and returns the event after them.
 * Read, check and write under the row lock: concurrent PATCHes each keep their fields, and a PATCH
 * racing a DELETE answers 404 instead of writing to (or reading back) a deleted event.
 */
export async function updateEvent(
  db: Database,
  eventId: string,
  changes: any,
  now: number,
): Promise<EventRecord> {
  return transaction(db, async (client) => {
    const current = await findEvent(client, eventId, { forUpdate: true });
    if (!current) throw notFound("Event");
    if (changes.currency !== undefined) await checkCurrencyChange(client, current, changes.currency, now);
    const startsAt = changes.startsAt ? parseTime("startsAt", changes.startsAt) : new Date(current.startsAt);
    const onSaleAt = changes.onSaleAt ? parseTime("onSaleAt", changes.onSaleAt) : new Date(current.onSaleAt);
    checkOnSaleBeforeStart(onSaleAt, startsAt);
    const waitingRoom = changes.waitingRoom
      ? normalizeWaitingRoom({ ...current.waitingRoom, ...changes.waitingRoom })
      : current.waitingRoom;
    await client.query(
      `UPDATE events SET name = $2, description = $3, type = $4, starts_at = $5, on_sale_at = $6, waiting_room = $7,
         tickets_per_user_max = $8, currency = $9, updated_at = now(), version = version + 1
       WHERE id = $1`,
      [
        eventId,
        changes.name ?? current.name,
        changes.description ?? current.description,
        changes.type ?? current.type,
        startsAt,
        onSaleAt,
        JSON.stringify(waitingRoom),
        changes.ticketsPerUserMax ?? current.ticketsPerUserMax,
        changes.currency ?? current.currency,
      ],
    );
    const after = await findEvent(client, eventId);
    invariant(after, `event ${eventId} vanished inside its own update`);
    return after;
  });
}
