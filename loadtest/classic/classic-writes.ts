// How the classic engine writes: every command is ONE Postgres transaction of its own; what it
// changed is told to the world (seat deltas, ended holds) only after its COMMIT.
import type pg from "pg";
import { transaction, type Database } from "../../platform/database.ts";
import type { Clock } from "../../domain/clock.ts";
import { ticketId } from "../../domain/ids.ts";
import type { HoldsEnded } from "../../domain/messages.ts";
import type { PublicSeatStatus } from "../../domain/seat-state.ts";
import type { EngineHost } from "../../actors/booking/booking-engine.ts";
import type { HoldLocks } from "./hold-locks.ts";

/** What the classic commands work with once the engine is started. */
export interface ClassicContext {
  db: Database;
  clock: Clock;
  holdTtlMs: number;
  locks: HoldLocks;
  host: EngineHost;
}

/** What a committed transaction tells the world (published only after COMMIT). */
export interface Publication {
  changes: { ordinal: number; status: PublicSeatStatus }[];
  version: number | null;
  holdsEnded: HoldsEnded[];
}

export const noNews = (): Publication => ({ changes: [], version: null, holdsEnded: [] });

export interface Outcome<T> {
  result: T;
  publication: Publication;
}

/**
 * One transaction; when it changed seats, the event's version is bumped as its LAST statement (the
 * version row lock is then held only for the commit) and the delta carries that version. Published
 * after the commit; returns the work's result.
 */
export async function write<T>(
  context: ClassicContext,
  eventId: string,
  work: (client: pg.PoolClient) => Promise<Outcome<T>>,
): Promise<T> {
  const { result, publication } = await transaction(context.db, async (client) => {
    const outcome = await work(client);
    if (outcome.publication.changes.length > 0) {
      const { rows } = await client.query(
        `INSERT INTO event_actors (event_id, seat_version) VALUES ($1, 1)
         ON CONFLICT (event_id) DO UPDATE SET seat_version = event_actors.seat_version + 1
         RETURNING seat_version`,
        [eventId],
      );
      outcome.publication.version = Number(rows[0].seat_version);
    }
    return outcome;
  });
  publish(context.host, eventId, publication);
  return result;
}

function publish(host: EngineHost, eventId: string, publication: Publication): void {
  if (publication.version !== null) {
    host.onSeatsChanged({
      eventId,
      fromVersion: publication.version - 1,
      toVersion: publication.version,
      changes: publication.changes.map((change) => ({
        ticketId: ticketId(eventId, change.ordinal),
        status: change.status,
      })),
      committedAt: Date.now(),
    });
  }
  for (const ended of publication.holdsEnded) host.onHoldsEnded(ended);
}
