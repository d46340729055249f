// The classic engine's holds: reserve (a Redis hold lock per seat, then one transaction with the
// ticket rows locked), release, and the sweep of lapsed holds (they count as free to every reader
// and writer as soon as they lapse; the sweep deletes them and tells clients).
import type pg from "pg";
import { MarqueeError } from "../../domain/errors.ts";
import { newId } from "../../domain/ids.ts";
import { classicHoldSweepBatchMax, classicHoldSweepEventsMax } from "./classic-limits.ts";
import {
  deleteHolds,
  isLive,
  loadEvent,
  lockSeats,
  ticketsTaken,
  toIds,
  usersWithoutLiveHolds,
  type LockedSeat,
} from "./classic-seats.ts";
import { noNews, write, type ClassicContext, type Outcome } from "./classic-writes.ts";

interface Reserved {
  eventId: string;
  ticketIds: string[];
  expiresAt: string;
}

export async function reserve(context: ClassicContext, eventId: string, userId: string, ordinals: number[]) {
  // Step 1: the hold locks in Redis, every seat in one pipelined round trip. A seat locked by
  // someone else is refused here, without touching Postgres.
  const now = context.clock.now();
  const locked = await lockOrRefuse(context, eventId, userId, ordinals);
  try {
    return await write(context, eventId, (client) =>
      reserveSeats(context, client, { eventId, userId, ordinals, now }),
    );
  } catch (error) {
    await unlock(context, eventId, locked);
    throw error;
  }
}

/** Step 2, in the transaction: the sale window, the seats, the user's cap, then the hold rows. */
async function reserveSeats(
  context: ClassicContext,
  client: pg.PoolClient,
  { eventId, userId, ordinals, now }: { eventId: string; userId: string; ordinals: number[]; now: number },
): Promise<Outcome<Reserved>> {
  const event = await loadEvent(client, eventId, ordinals);
  if (now < event.onSaleAt)
    throw new MarqueeError("NOT_ON_SALE", "The sale has not started yet", {
      onSaleAt: new Date(event.onSaleAt).toISOString(),
    });
  if (now >= event.startsAt) throw new MarqueeError("NOT_ON_SALE", "The event has already started");
  const seats = classify(await lockSeats(client, eventId, ordinals), userId, now);
  if (seats.unavailable.length > 0)
    throw new MarqueeError("TICKET_UNAVAILABLE", "Some tickets are reserved by someone else or booked", {
      ticketIds: toIds(eventId, seats.unavailable),
    });
  const taken = await ticketsTaken(client, eventId, userId, now);
  if (taken + seats.fresh.length > event.ticketsPerUserMax)
    throw new MarqueeError(
      "TICKET_LIMIT_REACHED",
      `At most ${event.ticketsPerUserMax} tickets per person for this event (held and booked)`,
      { ticketsPerUserMax: event.ticketsPerUserMax, taken },
    );
  const publication = noNews();
  let earliest = seats.earliestOwn;
  if (seats.fresh.length > 0) {
    const expiresAt = now + context.holdTtlMs;
    await client.query(
      `INSERT INTO holds (event_id, ordinal, hold_id, user_id, status, expires_at)
       SELECT $1, x, $3, $4, 'held', to_timestamp($5 / 1000.0) FROM unnest($2::int[]) AS x
       ON CONFLICT (event_id, ordinal) DO UPDATE SET hold_id = excluded.hold_id, user_id = excluded.user_id,
         status = 'held', expires_at = excluded.expires_at, payment_id = NULL`,
      [eventId, seats.fresh, newId("hd"), userId, expiresAt],
    );
    earliest = Math.min(earliest, expiresAt);
    for (const ordinal of seats.fresh) publication.changes.push({ ordinal, status: "reserved" });
    for (const holder of await usersWithoutLiveHolds(client, eventId, seats.lapsedHolders, now))
      publication.holdsEnded.push({ eventId, userId: holder, reason: "expired" });
  }
  const result = {
    eventId,
    ticketIds: toIds(eventId, ordinals),
    expiresAt: new Date(earliest).toISOString(),
  };
  return { result, publication };
}

/** The locked seats as a reserve sees them: someone else's, free (or lapsed), or already the user's. */
function classify(seats: LockedSeat[], userId: string, now: number) {
  const unavailable: number[] = [];
  const fresh: number[] = [];
  const lapsedHolders = new Set<string>();
  let earliestOwn = Number.POSITIVE_INFINITY;
  for (const seat of seats) {
    if (seat.booked) unavailable.push(seat.ordinal);
    else if (isLive(seat, now)) {
      if (seat.holdUserId === userId) earliestOwn = Math.min(earliestOwn, seat.holdExpiresAt!);
      else unavailable.push(seat.ordinal);
    } else {
      if (seat.holdUserId !== null && seat.holdUserId !== userId) lapsedHolders.add(seat.holdUserId);
      fresh.push(seat.ordinal);
    }
  }
  return { unavailable, fresh, lapsedHolders: [...lapsedHolders], earliestOwn };
}

export async function release(context: ClassicContext, eventId: string, userId: string, ordinals: number[]) {
  const now = context.clock.now();
  const mine = await write(context, eventId, async (client) => {
    await loadEvent(client, eventId, ordinals);
    const seats = await lockSeats(client, eventId, ordinals);
    const others = seats.filter((seat) => isLive(seat, now) && seat.holdUserId !== userId);
    if (others.length > 0)
      throw new MarqueeError("FORBIDDEN", "Some tickets are held by someone else", {
        ticketIds: toIds(
          eventId,
          others.map((seat) => seat.ordinal),
        ),
      });
    // The caller's own confirming seats are being paid for: they stay.
    const mine = seats
      .filter((seat) => isLive(seat, now) && seat.holdUserId === userId && seat.holdStatus === "held")
      .map((seat) => seat.ordinal);
    const publication = noNews();
    if (mine.length > 0) {
      await deleteHolds(client, eventId, mine);
      for (const ordinal of mine) publication.changes.push({ ordinal, status: "available" });
      if ((await usersWithoutLiveHolds(client, eventId, [userId], now)).length > 0)
        publication.holdsEnded.push({ eventId, userId, reason: "released" });
    }
    return { result: mine, publication };
  });
  await unlock(context, eventId, mine);
  return { eventId, ticketIds: toIds(eventId, mine) };
}

/** Deletes lapsed holds of every event (bounded per pass); returns how many seats were freed. */
export async function sweepExpired(context: ClassicContext): Promise<number> {
  const { rows } = await context.db.query(
    `SELECT DISTINCT event_id FROM holds WHERE status = 'held' AND expires_at <= to_timestamp($1 / 1000.0) LIMIT $2`,
    [context.clock.now(), classicHoldSweepEventsMax],
  );
  let freed = 0;
  for (const row of rows) freed += await sweepEvent(context, row.event_id);
  return freed;
}

/** Deletes the lapsed holds of one event (bounded), telling clients and the waiting room. */
export async function sweepEvent(context: ClassicContext, eventId: string): Promise<number> {
  const now = context.clock.now();
  return write(context, eventId, async (client) => {
    // SKIP LOCKED: seats a request is working on are left for the next pass.
    const { rows: locked } = await client.query(
      `SELECT t.ordinal FROM tickets t JOIN holds h ON h.event_id = t.event_id AND h.ordinal = t.ordinal
       WHERE t.event_id = $1 AND h.status = 'held' AND h.expires_at <= to_timestamp($2 / 1000.0)
       ORDER BY t.ordinal LIMIT $3 FOR UPDATE OF t SKIP LOCKED`,
      [eventId, now, classicHoldSweepBatchMax],
    );
    const publication = noNews();
    if (locked.length === 0) return { result: 0, publication };
    const { rows: deleted } = await client.query(
      `DELETE FROM holds WHERE event_id = $1 AND ordinal = ANY($2::int[])
         AND status = 'held' AND expires_at <= to_timestamp($3 / 1000.0)
       RETURNING ordinal, user_id`,
      [eventId, locked.map((row) => row.ordinal), now],
    );
    for (const row of deleted) publication.changes.push({ ordinal: row.ordinal, status: "available" });
    const holders = [...new Set(deleted.map((row) => row.user_id as string))];
    for (const userId of await usersWithoutLiveHolds(client, eventId, holders, now))
      publication.holdsEnded.push({ eventId, userId, reason: "expired" });
    return { result: deleted.length, publication };
  });
}

/** SET NX EX per seat; refuses (409) when another user holds a lock. Returns the locks it set. */
async function lockOrRefuse(
  context: ClassicContext,
  eventId: string,
  userId: string,
  ordinals: number[],
): Promise<number[]> {
  let attempt;
  try {
    attempt = await context.locks.lock(eventId, userId, ordinals, true);
  } catch (error) {
    // Redis down: Postgres alone decides (it is the record; the lock is only a fast path).
    context.host.log("warn", `hold locks skipped: ${(error as Error).message}`);
    return [];
  }
  if (attempt.refused.length > 0) {
    await unlock(context, eventId, attempt.locked);
    throw new MarqueeError("TICKET_UNAVAILABLE", "Some tickets are reserved by someone else or booked", {
      ticketIds: toIds(eventId, attempt.refused),
    });
  }
  return attempt.locked;
}

async function unlock(context: ClassicContext, eventId: string, ordinals: number[]): Promise<void> {
  await context.locks
    .unlock(eventId, ordinals)
    .catch((error: Error) => context.host.log("warn", `hold locks not removed: ${error.message}`));
}
