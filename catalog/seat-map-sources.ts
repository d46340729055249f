// Where a catalog node's seat maps come from (catalog/seat-map-reader.ts): the owning actor's
// committed statuses (`booking.seatMap`, one byte a seat in base64: a 100,000-seat map is 133 KB on
// the transporter), the committed version in Postgres, the event's sections.
import type { ServiceBroker } from "moleculer";
import type { Database } from "../platform/database.ts";
import { notFound } from "../domain/errors.ts";
import { seatMapCallTimeoutMs } from "../domain/limits.ts";
import { findEventLayoutSource } from "./catalog.repository.ts";
import type { SeatMapSources } from "./seat-map-reader.ts";

/**
 * The committed seat version of an active event (0 before its actor's first commit): the actor writes
 * it in the same transaction as the seat changes and publishes the delta after that commit.
 */
export async function committedSeatVersion(db: Database, eventId: string): Promise<number> {
  const { rows } = await db.query(
    `SELECT a.seat_version FROM events e LEFT JOIN event_actors a ON a.event_id = e.id
     WHERE e.id = $1 AND e.status = 'active'`,
    [eventId],
  );
  if (rows.length === 0) throw notFound("Event");
  return Number(rows[0].seat_version ?? 0);
}

export function seatMapSources(db: Database, broker: () => ServiceBroker): SeatMapSources {
  return {
    async fetchSeats(eventId) {
      const snapshot = (await broker().call(
        "booking.seatMap",
        { eventId },
        { timeout: seatMapCallTimeoutMs },
      )) as { version: number; statuses: string };
      // A copy of its own: a small Buffer.from shares Node's pool slab.
      return {
        version: snapshot.version,
        statuses: new Uint8Array(Buffer.from(snapshot.statuses, "base64")),
      };
    },
    fetchVersion: (eventId) => committedSeatVersion(db, eventId),
    fetchLayoutSource: (eventId) => findEventLayoutSource(db, eventId),
  };
}
