// An admin's change to an event's name, description, type, times, waiting room or tickets per user.
import type { Database } from "../platform/database.ts";
import { transaction } from "../platform/database.ts";
import { invariant, notFound } from "../domain/errors.ts";
import { normalizeWaitingRoom } from "../domain/event.ts";
import { findEvent, type EventRecord } from "./catalog.repository.ts";
import { checkOnSaleBeforeStart, parseTime } from "./event-times.ts";

/**
 * Applies `changes` (as validated by updateEventSchema) and returns the event after them.
 * Read, check and write under the row lock: concurrent PATCHes each keep their fields, and a PATCH
 * racing a DELETE answers 404 instead of writing to (or reading back) a deleted event.
 */
export async function updateEvent(db: Database, eventId: string, changes: any): Promise<EventRecord> {
  return transaction(db, async (client) => {
    const current = await findEvent(client, eventId, { forUpdate: true });
    if (!current) throw notFound("Event");
    const startsAt = changes.startsAt ? parseTime("startsAt", changes.startsAt) : new Date(current.startsAt);
    const onSaleAt = changes.onSaleAt ? parseTime("onSaleAt", changes.onSaleAt) : new Date(current.onSaleAt);
    checkOnSaleBeforeStart(onSaleAt, startsAt);
    const waitingRoom = changes.waitingRoom
      ? normalizeWaitingRoom({ ...current.waitingRoom, ...changes.waitingRoom })
      : current.waitingRoom;
    await client.query(
      `UPDATE events SET name = $2, description = $3, type = $4, starts_at = $5, on_sale_at = $6, waiting_room = $7,
         tickets_per_user_max = $8, updated_at = now(), version = version + 1
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
      ],
    );
    const after = await findEvent(client, eventId);
    invariant(after, `event ${eventId} vanished inside its own update`);
    return after;
  });
}
