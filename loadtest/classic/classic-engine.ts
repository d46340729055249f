// The classic design Marquee is compared with (BOOKING_ENGINE=classic), built the textbook way and
// writing the SAME tables as the actors (holds, bookings, booking_tickets, payments, tickets.status),
// so loadtest/audit.ts audits it: every command is ONE Postgres transaction of its own with row locks
// (ticket rows locked FOR UPDATE in ordinal order, then the event's version row), a Redis
// `SET NX EX` hold lock per seat in front of reserve, and holds expired lazily (a hold past its
// expiry counts as free to every reader and writer; a periodic sweep deletes them and tells clients).
// It speaks the actor's command protocol (domain/seat-state.ts Command), so the confirm saga and
// payment recovery in actors/payments/ run on it unchanged.
//
// Lock order, always: tickets rows (ordinal order) -> holds rows -> event_actors row. Every write of a
// holds row happens while its ticket row is locked, so a transaction that holds the ticket locks sees
// holds that cannot change under it.
import type pg from "pg";
import type { Redis } from "ioredis";
import type { Database } from "../../platform/database.ts";
import { transaction } from "../../platform/database.ts";
import type { Clock } from "../../domain/clock.ts";
import { MarqueeError } from "../../domain/errors.ts";
import type { HoldsEnded, SeatsChanged } from "../../domain/messages.ts";
import { newId, ticketId } from "../../domain/ids.ts";
import { classicHoldSweepBatchMax, classicHoldSweepEventsMax } from "../../domain/limits.ts";
import type { Command, PublicSeatStatus } from "../../domain/seat-state.ts";

export interface ClassicEngineOptions {
  db: Database;
  redis: Redis;
  clock: Clock;
  holdTtlMs: number;
  onSeatsChanged(payload: SeatsChanged): void;
  onHoldsEnded(payload: HoldsEnded): void;
  log(level: "warn" | "error", message: string): void;
}

interface EventRow {
  active: boolean;
  onSaleAt: number;
  startsAt: number;
  ticketsPerUserMax: number;
  ticketCount: number;
}

/** A ticket row locked by this transaction, with the hold on it (if any). */
interface LockedSeat {
  ordinal: number;
  booked: boolean;
  priceCents: number;
  holdUserId: string | null;
  holdStatus: "held" | "confirming" | null;
  holdExpiresAt: number | null;
  holdId: string | null;
  paymentId: string | null;
}

/** What a committed transaction tells the world (published only after COMMIT). */
interface Publication {
  changes: { ordinal: number; status: PublicSeatStatus }[];
  version: number | null;
  holdsEnded: HoldsEnded[];
}

const lockKey = (eventId: string, ordinal: number) => `classic:hold:${eventId}:${ordinal}`;
const toIds = (eventId: string, ordinals: number[]) => ordinals.map((ordinal) => ticketId(eventId, ordinal));

export class ClassicEngine {
  constructor(private readonly options: ClassicEngineOptions) {}

  /** Runs one actor-protocol command as its own transaction; throws MarqueeError for refusals. */
  async execute(eventId: string, command: Command): Promise<any> {
    switch (command.type) {
      case "reserve":
        return this.reserve(eventId, command.userId, command.ordinals);
      case "release":
        return this.release(eventId, command.userId, command.ordinals);
      case "confirmStart":
        return this.confirmStart(eventId, command);
      case "confirmComplete":
        return this.confirmComplete(eventId, command.paymentId, command.bookingId);
      case "confirmAbort":
        return this.confirmAbort(eventId, command.paymentId);
      case "expire":
        return { lapsed: (await this.sweepEvent(eventId)) > 0 };
      case "updateSettings":
        return {}; // settings are read from the events row by every command
      default:
        throw new MarqueeError("VALIDATION_ERROR", "Unknown command");
    }
  }

  /** The live seat map: one statement (one snapshot) for the version and every seat's status. */
  async seatMap(eventId: string): Promise<{ eventId: string; version: number; statuses: Uint8Array }> {
    const { rows } = await this.options.db.query(
      `SELECT coalesce((SELECT seat_version FROM event_actors WHERE event_id = $1), 0)::int AS version,
              (SELECT string_agg(CASE WHEN t.status = 'booked' THEN '2'
                                      WHEN h.ordinal IS NOT NULL AND (h.status = 'confirming' OR h.expires_at > to_timestamp($2 / 1000.0)) THEN '1'
                                      ELSE '0' END, '' ORDER BY t.ordinal)
               FROM tickets t LEFT JOIN holds h ON h.event_id = t.event_id AND h.ordinal = t.ordinal
               WHERE t.event_id = $1) AS statuses,
              (SELECT status = 'active' FROM events WHERE id = $1) AS active`,
      [eventId, this.options.clock.now()],
    );
    if (!rows[0]?.active) throw new MarqueeError("NOT_FOUND", "Event not found");
    const text: string = rows[0].statuses ?? "";
    const statuses = new Uint8Array(text.length);
    for (let index = 0; index < text.length; index++) statuses[index] = text.charCodeAt(index) - 48;
    return { eventId, version: rows[0].version, statuses };
  }

  /** Deletes lapsed holds of every event (bounded per pass); returns how many seats were freed. */
  async sweepExpired(): Promise<number> {
    const { rows } = await this.options.db.query(
      `SELECT DISTINCT event_id FROM holds WHERE status = 'held' AND expires_at <= to_timestamp($1 / 1000.0) LIMIT $2`,
      [this.options.clock.now(), classicHoldSweepEventsMax],
    );
    let freed = 0;
    for (const row of rows) freed += await this.sweepEvent(row.event_id);
    return freed;
  }

  // --- commands -----------------------------------------------------------------------------------

  private async reserve(eventId: string, userId: string, ordinals: number[]) {
    const now = this.options.clock.now();
    // Step 1: the hold locks in Redis, every seat in one pipelined round trip. A seat locked by
    // someone else is refused here, without touching Postgres.
    const locked = await this.lockSeats(eventId, userId, ordinals);
    try {
      const expiresAt = now + this.options.holdTtlMs;
      const { result, publication } = await this.write(eventId, async (client) => {
        const event = await this.loadEvent(client, eventId, ordinals);
        if (now < event.onSaleAt)
          throw new MarqueeError("NOT_ON_SALE", "The sale has not started yet", {
            onSaleAt: new Date(event.onSaleAt).toISOString(),
          });
        if (now >= event.startsAt) throw new MarqueeError("NOT_ON_SALE", "The event has already started");
        const seats = await lockSeats(client, eventId, ordinals);
        const unavailable: number[] = [];
        const fresh: number[] = [];
        const lapsedHolders = new Set<string>();
        let earliest = Number.POSITIVE_INFINITY;
        for (const seat of seats) {
          if (seat.booked) unavailable.push(seat.ordinal);
          else if (isLive(seat, now)) {
            if (seat.holdUserId === userId) earliest = Math.min(earliest, seat.holdExpiresAt!);
            else unavailable.push(seat.ordinal);
          } else {
            if (seat.holdUserId !== null && seat.holdUserId !== userId) lapsedHolders.add(seat.holdUserId);
            fresh.push(seat.ordinal);
          }
        }
        if (unavailable.length > 0)
          throw new MarqueeError(
            "TICKET_UNAVAILABLE",
            "Some tickets are reserved by someone else or booked",
            {
              ticketIds: toIds(eventId, unavailable),
            },
          );
        const taken = await ticketsTaken(client, eventId, userId, now);
        if (taken + fresh.length > event.ticketsPerUserMax)
          throw new MarqueeError(
            "TICKET_LIMIT_REACHED",
            `At most ${event.ticketsPerUserMax} tickets per person for this event (held and booked)`,
            { ticketsPerUserMax: event.ticketsPerUserMax, taken },
          );
        const publication: Publication = { changes: [], version: null, holdsEnded: [] };
        if (fresh.length > 0) {
          await client.query(
            `INSERT INTO holds (event_id, ordinal, hold_id, user_id, status, expires_at)
             SELECT $1, x, $3, $4, 'held', to_timestamp($5 / 1000.0) FROM unnest($2::int[]) AS x
             ON CONFLICT (event_id, ordinal) DO UPDATE SET hold_id = excluded.hold_id, user_id = excluded.user_id,
               status = 'held', expires_at = excluded.expires_at, payment_id = NULL`,
            [eventId, fresh, newId("hd"), userId, expiresAt],
          );
          earliest = Math.min(earliest, expiresAt);
          for (const ordinal of fresh) publication.changes.push({ ordinal, status: "reserved" });
          for (const holder of await usersWithoutLiveHolds(client, eventId, [...lapsedHolders], now))
            publication.holdsEnded.push({ eventId, userId: holder, reason: "expired" });
        }
        return {
          result: {
            eventId,
            ticketIds: toIds(eventId, ordinals),
            expiresAt: new Date(earliest).toISOString(),
          },
          publication,
        };
      });
      this.publish(eventId, publication);
      return result;
    } catch (error) {
      await this.unlockSeats(eventId, locked);
      throw error;
    }
  }

  private async release(eventId: string, userId: string, ordinals: number[]) {
    const now = this.options.clock.now();
    const { result, publication } = await this.write(eventId, async (client) => {
      await this.loadEvent(client, eventId, ordinals);
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
      const publication: Publication = { changes: [], version: null, holdsEnded: [] };
      if (mine.length > 0) {
        await client.query("DELETE FROM holds WHERE event_id = $1 AND ordinal = ANY($2::int[])", [
          eventId,
          mine,
        ]);
        for (const ordinal of mine) publication.changes.push({ ordinal, status: "available" });
        if ((await usersWithoutLiveHolds(client, eventId, [userId], now)).length > 0)
          publication.holdsEnded.push({ eventId, userId, reason: "released" });
      }
      return { result: { eventId, ticketIds: toIds(eventId, mine), mine }, publication };
    });
    this.publish(eventId, publication);
    await this.unlockSeats(eventId, result.mine);
    return { eventId: result.eventId, ticketIds: result.ticketIds };
  }

  private async confirmStart(eventId: string, command: Extract<Command, { type: "confirmStart" }>) {
    const now = this.options.clock.now();
    const { userId, ordinals, paymentId } = command;
    const { result } = await this.write(eventId, async (client) => {
      await this.loadEvent(client, eventId, ordinals);
      const seats = await lockSeats(client, eventId, ordinals);
      const none: Publication = { changes: [], version: null, holdsEnded: [] };
      const already = seats.filter((seat) => seat.paymentId === paymentId);
      if (already.length > 0) {
        // The same command again (a retry after a lost reply): the same answer, nothing new.
        if (already.length !== seats.length) throw new Error(`payment ${paymentId} reused for other seats`);
        return { result: await startedAnswer(client, eventId, paymentId, seats), publication: none };
      }
      const others: number[] = [];
      const bookedOrPaying: number[] = [];
      const lapsed: number[] = [];
      const neverHeld: number[] = [];
      for (const seat of seats) {
        if (seat.booked) bookedOrPaying.push(seat.ordinal);
        else if (isLive(seat, now) && seat.holdUserId !== userId) others.push(seat.ordinal);
        else if (isLive(seat, now) && seat.holdStatus === "confirming") bookedOrPaying.push(seat.ordinal);
        else if (!isLive(seat, now)) (seat.holdUserId === userId ? lapsed : neverHeld).push(seat.ordinal);
      }
      if (others.length > 0)
        throw new MarqueeError("FORBIDDEN", "Only the holder may confirm these tickets", {
          ticketIds: toIds(eventId, others),
        });
      if (bookedOrPaying.length > 0)
        throw new MarqueeError("TICKET_UNAVAILABLE", "Some tickets are booked or already being paid for", {
          ticketIds: toIds(eventId, bookedOrPaying),
        });
      if (lapsed.length > 0)
        throw new MarqueeError("HOLD_EXPIRED", "The hold on these tickets has expired", {
          ticketIds: toIds(eventId, lapsed),
        });
      if (neverHeld.length > 0)
        throw new MarqueeError("FORBIDDEN", "These tickets are not held by you; reserve them first", {
          ticketIds: toIds(eventId, neverHeld),
        });
      // Every seat is held by the caller: they become one confirming hold that cannot lapse.
      const expiresAt = Math.min(...seats.map((seat) => seat.holdExpiresAt!));
      const holdId = seats[0].holdId!;
      const amountCents = seats.reduce((sum, seat) => sum + seat.priceCents, 0);
      await client.query(
        `UPDATE holds SET status = 'confirming', payment_id = $3, hold_id = $4, expires_at = to_timestamp($5 / 1000.0)
         WHERE event_id = $1 AND ordinal = ANY($2::int[])`,
        [eventId, ordinals, paymentId, holdId, expiresAt],
      );
      await client.query(
        `INSERT INTO payments (event_id, id, user_id, idempotency_key, hold_id, ordinals, amount_cents, status)
         VALUES ($1, $2, $3, $4, $5, $6::int[], $7, 'pending')`,
        [eventId, paymentId, userId, command.idempotencyKey, holdId, sorted(ordinals), amountCents],
      );
      await client.query(
        "UPDATE idempotency_keys SET payment_id = $4 WHERE event_id = $1 AND user_id = $2 AND key = $3",
        [eventId, userId, command.idempotencyKey, paymentId],
      );
      return {
        result: {
          eventId,
          paymentId,
          amountCents,
          ticketIds: toIds(eventId, sorted(ordinals)),
          holdExpiresAt: new Date(expiresAt).toISOString(),
        },
        publication: none, // reserved stays reserved: no public change
      };
    });
    return result;
  }

  private async confirmComplete(eventId: string, paymentId: string, bookingId: string) {
    const now = this.options.clock.now();
    const ordinals = await this.paymentOrdinals(eventId, paymentId);
    if (ordinals.length === 0) return { booked: false };
    const { result, publication } = await this.write(eventId, async (client) => {
      const seats = (await lockSeats(client, eventId, ordinals)).filter(
        (seat) => seat.paymentId === paymentId && seat.holdStatus === "confirming",
      );
      const none: Publication = { changes: [], version: null, holdsEnded: [] };
      // Given back meanwhile (or booked by an earlier call): the caller reads the payment's record.
      if (seats.length === 0) return { result: { booked: false } as any, publication: none };
      if (seats.length !== ordinals.length)
        throw new Error(`payment ${paymentId}: its confirming hold covers only part of its seats`);
      const { rows } = await client.query(
        `SELECT user_id, amount_cents FROM payments WHERE event_id = $1 AND id = $2
           AND status = 'captured' AND booking_id IS NULL AND refund_requested_at IS NULL FOR UPDATE`,
        [eventId, paymentId],
      );
      if (!rows[0]) throw new Error(`payment ${paymentId}: confirming hold but no captured payment to book`);
      const { user_id: userId, amount_cents: amountCents } = rows[0];
      await client.query(
        `INSERT INTO bookings (event_id, id, user_id, amount_cents, status, payment_id)
         VALUES ($1, $2, $3, $4, 'confirmed', $5)`,
        [eventId, bookingId, userId, amountCents, paymentId],
      );
      // booking_tickets' primary key is the last line against a double booking.
      await client.query(
        "INSERT INTO booking_tickets (event_id, ordinal, booking_id) SELECT $1, x, $3 FROM unnest($2::int[]) AS x",
        [eventId, ordinals, bookingId],
      );
      const updated = await client.query(
        `UPDATE tickets SET status = 'booked', booking_id = $3
         WHERE event_id = $1 AND ordinal = ANY($2::int[]) AND status = 'available'`,
        [eventId, ordinals, bookingId],
      );
      if (updated.rowCount !== ordinals.length)
        throw new Error(`payment ${paymentId}: ${updated.rowCount} of ${ordinals.length} tickets booked`);
      await client.query(
        "UPDATE payments SET booking_id = $3, updated_at = now() WHERE event_id = $1 AND id = $2",
        [eventId, paymentId, bookingId],
      );
      await client.query("DELETE FROM holds WHERE event_id = $1 AND ordinal = ANY($2::int[])", [
        eventId,
        ordinals,
      ]);
      const publication: Publication = {
        changes: ordinals.map((ordinal) => ({ ordinal, status: "booked" as const })),
        version: null,
        holdsEnded: [],
      };
      if ((await usersWithoutLiveHolds(client, eventId, [userId], now)).length > 0)
        publication.holdsEnded.push({ eventId, userId, reason: "confirmed" });
      return {
        result: {
          booked: true,
          bookingId,
          eventId,
          userId,
          ticketIds: toIds(eventId, sorted(ordinals)),
          amountCents: Number(amountCents),
          paymentId,
        },
        publication,
      };
    });
    this.publish(eventId, publication);
    return result;
  }

  private async confirmAbort(eventId: string, paymentId: string) {
    const now = this.options.clock.now();
    const ordinals = await this.paymentOrdinals(eventId, paymentId);
    if (ordinals.length === 0) return { aborted: false };
    const { result, publication } = await this.write(eventId, async (client) => {
      const seats = (await lockSeats(client, eventId, ordinals)).filter(
        (seat) => seat.paymentId === paymentId && seat.holdStatus === "confirming",
      );
      const publication: Publication = { changes: [], version: null, holdsEnded: [] };
      if (seats.length === 0) return { result: { aborted: false }, publication };
      const mine = seats.map((seat) => seat.ordinal);
      // A captured payment whose seats are given back must be refunded; recovery finishes it if we die.
      await client.query(
        `UPDATE payments SET refund_requested_at = now(), updated_at = now()
         WHERE event_id = $1 AND id = $2 AND status = 'captured' AND booking_id IS NULL`,
        [eventId, paymentId],
      );
      if (seats[0].holdExpiresAt! > now) {
        // Back to held with the same expiry: a declined payment keeps the hold until it lapses.
        await client.query(
          "UPDATE holds SET status = 'held', payment_id = NULL WHERE event_id = $1 AND ordinal = ANY($2::int[])",
          [eventId, mine],
        );
      } else {
        await client.query("DELETE FROM holds WHERE event_id = $1 AND ordinal = ANY($2::int[])", [
          eventId,
          mine,
        ]);
        for (const ordinal of mine) publication.changes.push({ ordinal, status: "available" });
        const userId = seats[0].holdUserId!;
        if ((await usersWithoutLiveHolds(client, eventId, [userId], now)).length > 0)
          publication.holdsEnded.push({ eventId, userId, reason: "expired" });
      }
      return { result: { aborted: true }, publication };
    });
    this.publish(eventId, publication);
    return result;
  }

  /** Deletes the lapsed holds of one event (bounded), telling clients and the waiting room. */
  private async sweepEvent(eventId: string): Promise<number> {
    const now = this.options.clock.now();
    const { result, publication } = await this.write(eventId, async (client) => {
      // SKIP LOCKED: seats a request is working on are left for the next pass.
      const { rows: locked } = await client.query(
        `SELECT t.ordinal FROM tickets t JOIN holds h ON h.event_id = t.event_id AND h.ordinal = t.ordinal
         WHERE t.event_id = $1 AND h.status = 'held' AND h.expires_at <= to_timestamp($2 / 1000.0)
         ORDER BY t.ordinal LIMIT $3 FOR UPDATE OF t SKIP LOCKED`,
        [eventId, now, classicHoldSweepBatchMax],
      );
      const publication: Publication = { changes: [], version: null, holdsEnded: [] };
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
    this.publish(eventId, publication);
    return result;
  }

  // --- pieces -------------------------------------------------------------------------------------

  /**
   * One transaction; when it changed seats, the event's version is bumped as its LAST statement (the
   * version row lock is then held only for the commit) and the delta carries that version.
   */
  private async write<T>(
    eventId: string,
    work: (client: pg.PoolClient) => Promise<{ result: T; publication: Publication }>,
  ): Promise<{ result: T; publication: Publication }> {
    return transaction(this.options.db, async (client) => {
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
  }

  private publish(eventId: string, publication: Publication): void {
    if (publication.version !== null) {
      this.options.onSeatsChanged({
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
    for (const ended of publication.holdsEnded) this.options.onHoldsEnded(ended);
  }

  /** The event's settings; NOT_FOUND for an unknown or deleted event or a ticket outside it. */
  private async loadEvent(client: pg.PoolClient, eventId: string, ordinals: number[]): Promise<EventRow> {
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

  private async paymentOrdinals(eventId: string, paymentId: string): Promise<number[]> {
    const { rows } = await this.options.db.query(
      "SELECT ordinal FROM holds WHERE event_id = $1 AND payment_id = $2 ORDER BY ordinal",
      [eventId, paymentId],
    );
    return rows.map((row) => row.ordinal);
  }

  /** SET NX EX per seat; refuses (409) when another user holds a lock. Returns the locks it set. */
  private async lockSeats(eventId: string, userId: string, ordinals: number[]): Promise<number[]> {
    const { redis } = this.options;
    const ttlSeconds = Math.max(1, Math.ceil(this.options.holdTtlMs / 1_000));
    let results: [Error | null, unknown][];
    try {
      const pipeline = redis.pipeline();
      for (const ordinal of ordinals) pipeline.set(lockKey(eventId, ordinal), userId, "EX", ttlSeconds, "NX");
      for (const ordinal of ordinals) pipeline.get(lockKey(eventId, ordinal));
      results = ((await pipeline.exec()) ?? []) as [Error | null, unknown][];
    } catch (error) {
      // Redis down: Postgres alone decides (it is the record; the lock is only a fast path).
      this.options.log("warn", `hold locks skipped: ${(error as Error).message}`);
      return [];
    }
    const locked = ordinals.filter((_, index) => results[index]?.[1] === "OK");
    const others = ordinals.filter(
      (_, index) => results[index]?.[1] !== "OK" && results[ordinals.length + index]?.[1] !== userId,
    );
    if (others.length > 0) {
      await this.unlockSeats(eventId, locked);
      throw new MarqueeError("TICKET_UNAVAILABLE", "Some tickets are reserved by someone else or booked", {
        ticketIds: toIds(eventId, others),
      });
    }
    return locked;
  }

  private async unlockSeats(eventId: string, ordinals: number[]): Promise<void> {
    if (ordinals.length === 0) return;
    await this.options.redis
      .del(...ordinals.map((ordinal) => lockKey(eventId, ordinal)))
      .catch((error: Error) => this.options.log("warn", `hold locks not removed: ${error.message}`));
  }
}

const sorted = (ordinals: number[]) => [...ordinals].sort((a, b) => a - b);

const isLive = (seat: LockedSeat, now: number): boolean =>
  seat.holdStatus === "confirming" || (seat.holdStatus === "held" && seat.holdExpiresAt! > now);

/** Locks the ticket rows (ordinal order: no deadlocks) and reads the hold on each. */
async function lockSeats(client: pg.PoolClient, eventId: string, ordinals: number[]): Promise<LockedSeat[]> {
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
async function ticketsTaken(client: pg.PoolClient, eventId: string, userId: string, now: number) {
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
async function usersWithoutLiveHolds(
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

async function startedAnswer(client: pg.PoolClient, eventId: string, paymentId: string, seats: LockedSeat[]) {
  const { rows } = await client.query("SELECT amount_cents FROM payments WHERE event_id = $1 AND id = $2", [
    eventId,
    paymentId,
  ]);
  const ordinals = sorted(seats.map((seat) => seat.ordinal));
  return {
    eventId,
    paymentId,
    amountCents: Number(rows[0]?.amount_cents ?? 0),
    ticketIds: toIds(eventId, ordinals),
    holdExpiresAt: new Date(Math.min(...seats.map((seat) => seat.holdExpiresAt!))).toISOString(),
  };
}
