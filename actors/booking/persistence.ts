// What an event actor reads and writes in Postgres: activation (fencing epoch, then the whole seat
// state in one query) and the group commit (the effects of one worker turn, every event's writes
// fenced by its epoch in the same transaction, multi-row statements only).
import type pg from "pg";
import type { Database } from "../../platform/database.ts";
import { InternalFault } from "../../domain/errors.ts";
import type { SectionInput } from "../../domain/event.ts";
import { buildSeatLayout, type SeatLayout } from "../../domain/seat-layout.ts";
import type { Effect, SaleSettings, HoldRow, LoadedSeats } from "../../domain/seat-state.ts";

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
  const { rows } = await db.query(
    `SELECT e.status, (extract(epoch FROM e.on_sale_at) * 1000)::float8 AS on_sale_ms,
            (extract(epoch FROM e.starts_at) * 1000)::float8 AS starts_ms,
            e.tickets_per_user_max, e.ticket_count, e.sections, a.seat_version, a.epoch,
            b.ordinals AS booked_ordinals, b.user_ids AS booked_user_ids,
            (SELECT count(*) FROM tickets t WHERE t.event_id = e.id AND t.status = 'booked')::int AS booked_tickets,
            h.ordinals AS hold_ordinals, h.hold_ids, h.user_ids AS hold_user_ids, h.statuses AS hold_statuses,
            h.expires_ms AS hold_expires_ms, h.payment_ids AS hold_payment_ids
     FROM events e
     JOIN event_actors a ON a.event_id = e.id
     CROSS JOIN LATERAL (
       SELECT coalesce(array_agg(bt.ordinal), '{}') AS ordinals, coalesce(array_agg(bk.user_id), '{}') AS user_ids
       FROM booking_tickets bt JOIN bookings bk ON bk.event_id = bt.event_id AND bk.id = bt.booking_id
       WHERE bt.event_id = e.id) b
     CROSS JOIN LATERAL (
       SELECT coalesce(array_agg(ordinal), '{}') AS ordinals, coalesce(array_agg(hold_id), '{}') AS hold_ids,
              coalesce(array_agg(user_id), '{}') AS user_ids, coalesce(array_agg(status), '{}') AS statuses,
              coalesce(array_agg((extract(epoch FROM expires_at) * 1000)::float8), '{}') AS expires_ms,
              coalesce(array_agg(payment_id), '{}') AS payment_ids
       FROM holds WHERE event_id = e.id) h
     WHERE e.id = $1`,
    [eventId],
  );
  const row = rows[0];
  if (!row) return null;
  if (row.epoch !== epoch) throw staleEpoch(eventId);
  const layout = buildSeatLayout(row.sections as SectionInput[]);
  if (layout.total !== row.ticket_count)
    throw new Error(
      `event ${eventId}: sections describe ${layout.total} seats, ticket_count is ${row.ticket_count}`,
    );
  if (row.booked_tickets !== row.booked_ordinals.length)
    throw new Error(
      `event ${eventId}: ${row.booked_tickets} tickets marked booked but ${row.booked_ordinals.length} booking_tickets`,
    );
  return {
    epoch,
    layout,
    settings: {
      active: row.status === "active",
      onSaleAt: Math.round(row.on_sale_ms),
      startsAt: Math.round(row.starts_ms),
      ticketsPerUserMax: row.tickets_per_user_max,
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
    },
  };
}

/** Another actor took the event's epoch while this one was activating or writing. */
const staleEpoch = (eventId: string): InternalFault =>
  new InternalFault("STALE_EPOCH", `event ${eventId}: another actor holds a newer epoch`, { eventId });

/** The effects of one event in one turn, with the fence they must pass. */
export interface EventBatch {
  eventId: string;
  epoch: number;
  /** The version the database must still have (the actor's committed one) ... */
  fromVersion: number;
  /** ... and the one it gets (fromVersion + 1 when seats changed, else equal). */
  toVersion: number;
  effects: Effect[];
}

export interface CommitResult {
  /** Events whose fence failed: their actors are stale, nothing of theirs was written. */
  stale: string[];
  rows: number;
  statements: number;
}

/** A write affected fewer rows than the effects demand: state and database disagree. */
const commitMismatch = (message: string): InternalFault => new InternalFault("COMMIT_MISMATCH", message);

/**
 * Commits the batches of several events in one transaction. Fencing first: the UPDATE of
 * event_actors locks each event's row and checks epoch and version; an event that fails it is
 * dropped (its actor is stale) and the transaction is retried without it.
 */
export async function commitBatches(db: Database, batches: EventBatch[]): Promise<CommitResult> {
  if (batches.every((batch) => batch.effects.length === 0)) return checkFences(db, batches);
  const netted = net(batches);
  if (netted.intents.length === 0 && netted.bookings.length === 0 && netted.abandoned.length === 0)
    return commitHolds(db, batches, netted);
  const stale: string[] = [];
  let pending = batches;
  const client = await db.connect();
  let failure: Error | undefined;
  try {
    for (;;) {
      if (pending.length === 0) return { stale, rows: 0, statements: 0 };
      try {
        await client.query("BEGIN");
        const fenced = await client.query(
          `UPDATE event_actors a SET seat_version = x.to_version
           FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::bigint[]) AS x(event_id, epoch, from_version, to_version)
           WHERE a.event_id = x.event_id AND a.epoch = x.epoch AND a.seat_version = x.from_version
           RETURNING a.event_id`,
          [
            pending.map((batch) => batch.eventId),
            pending.map((batch) => batch.epoch),
            pending.map((batch) => batch.fromVersion),
            pending.map((batch) => batch.toVersion),
          ],
        );
        if (fenced.rowCount !== pending.length) {
          await client.query("ROLLBACK");
          const passed = new Set(fenced.rows.map((row) => row.event_id));
          for (const batch of pending) if (!passed.has(batch.eventId)) stale.push(batch.eventId);
          pending = pending.filter((batch) => passed.has(batch.eventId));
          continue;
        }
        const { rows, statements } = await writeEffects(
          client,
          pending.length === batches.length ? netted : net(pending),
        );
        await client.query("COMMIT");
        return { stale, rows: rows + pending.length, statements: statements + 1 };
      } catch (error) {
        failure = error as Error;
        await client.query("ROLLBACK").catch(() => {});
        throw error;
      }
    }
  } finally {
    // After a failed statement the connection's state is unknown: a BEGIN or a write whose answer was
    // lost (client-side query timeout) may have run, and a pooled connection with a transaction
    // open would swallow the next turn's acknowledged writes. It is destroyed, not pooled.
    client.release(failure);
  }
}

/**
 * A turn that wrote nothing still proves its actors current before answering: a read of the fences
 * (no transaction to flush). An actor that is no longer current answers nothing.
 */
async function checkFences(db: Database, batches: EventBatch[]): Promise<CommitResult> {
  const { rows } = await db.query(
    `SELECT a.event_id FROM event_actors a
     JOIN unnest($1::text[], $2::bigint[], $3::bigint[]) AS x(event_id, epoch, version) ON x.event_id = a.event_id
     WHERE a.epoch = x.epoch AND a.seat_version = x.version`,
    [
      batches.map((batch) => batch.eventId),
      batches.map((batch) => batch.epoch),
      batches.map((batch) => batch.fromVersion),
    ],
  );
  const current = new Set(rows.map((row) => row.event_id));
  return {
    stale: batches.filter((batch) => !current.has(batch.eventId)).map((batch) => batch.eventId),
    rows: 0,
    statements: 1,
  };
}

/**
 * The hot path (reserve, release, expire: holds only) in ONE statement, so one round trip and one
 * commit: the fence UPDATE's RETURNING feeds the hold writes, so an event whose fence fails writes
 * nothing while the others commit. (Data-modifying CTEs share one snapshot; the fence's row lock is
 * held to the end of the statement, so a new owner's activation waits for this commit.)
 */
async function commitHolds(db: Database, batches: EventBatch[], netted: Netted): Promise<CommitResult> {
  const { deletes, puts } = netted;
  const { rows } = await db.query(
    `WITH fence AS (
       UPDATE event_actors a SET seat_version = x.to_version
       FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::bigint[]) AS x(event_id, epoch, from_version, to_version)
       WHERE a.event_id = x.event_id AND a.epoch = x.epoch AND a.seat_version = x.from_version
       RETURNING a.event_id
     ), deleted AS (
       DELETE FROM holds h USING unnest($5::text[], $6::int[]) AS d(event_id, ordinal)
       WHERE h.event_id = d.event_id AND h.ordinal = d.ordinal AND d.event_id IN (SELECT event_id FROM fence)
       RETURNING 1
     ), put AS (
       INSERT INTO holds (event_id, ordinal, hold_id, user_id, status, expires_at, payment_id)
       SELECT x.event_id, x.ordinal, x.hold_id, x.user_id, x.status, to_timestamp(x.expires_ms / 1000.0), x.payment_id
       FROM unnest($7::text[], $8::int[], $9::text[], $10::text[], $11::text[], $12::float8[], $13::text[])
         AS x(event_id, ordinal, hold_id, user_id, status, expires_ms, payment_id)
       WHERE x.event_id IN (SELECT event_id FROM fence)
       ON CONFLICT (event_id, ordinal) DO UPDATE SET hold_id = excluded.hold_id, user_id = excluded.user_id,
         status = excluded.status, expires_at = excluded.expires_at, payment_id = excluded.payment_id
       RETURNING event_id
     )
     SELECT coalesce((SELECT array_agg(event_id) FROM fence), '{}') AS fenced,
            (SELECT count(*) FROM deleted)::int AS deleted,
            coalesce((SELECT array_agg(event_id) FROM put), '{}') AS put`,
    [
      batches.map((batch) => batch.eventId),
      batches.map((batch) => batch.epoch),
      batches.map((batch) => batch.fromVersion),
      batches.map((batch) => batch.toVersion),
      deletes.eventIds,
      deletes.ordinals,
      puts.eventIds,
      puts.ordinals,
      puts.holdIds,
      puts.userIds,
      puts.statuses,
      puts.expiresMs,
      puts.paymentIds,
    ],
  );
  const fenced = new Set<string>(rows[0].fenced);
  const expectedPuts = puts.eventIds.filter((eventId) => fenced.has(eventId)).length;
  // Committed already (one statement): a mismatch means memory and database disagree - stop loudly.
  if (rows[0].put.length !== expectedPuts)
    throw commitMismatch(`expected ${expectedPuts} holds written, wrote ${rows[0].put.length}`);
  return {
    stale: batches.filter((batch) => !fenced.has(batch.eventId)).map((batch) => batch.eventId),
    rows: fenced.size + rows[0].deleted + rows[0].put.length,
    statements: 1,
  };
}

interface Netted {
  deletes: { eventIds: string[]; ordinals: number[] };
  puts: {
    eventIds: string[];
    ordinals: number[];
    holdIds: string[];
    userIds: string[];
    statuses: string[];
    expiresMs: number[];
    paymentIds: (string | null)[];
  };
  intents: { eventId: string; effect: Extract<Effect, { type: "paymentIntent" }> }[];
  bookings: { eventId: string; effect: Extract<Effect, { type: "booked" }> }[];
  abandoned: { eventId: string; paymentId: string }[];
}

/** Reduces a turn's effects to the final row of every hold touched, and the inserts to make. */
function net(batches: EventBatch[]): Netted {
  const result: Netted = {
    deletes: { eventIds: [], ordinals: [] },
    puts: {
      eventIds: [],
      ordinals: [],
      holdIds: [],
      userIds: [],
      statuses: [],
      expiresMs: [],
      paymentIds: [],
    },
    intents: [],
    bookings: [],
    abandoned: [],
  };
  for (const batch of batches) {
    const finalHolds = new Map<number, HoldRow | null>();
    for (const effect of batch.effects) {
      switch (effect.type) {
        case "holdsPut":
          for (const ordinal of effect.ordinals) finalHolds.set(ordinal, effect.hold);
          break;
        case "holdsDeleted":
          for (const ordinal of effect.ordinals) finalHolds.set(ordinal, null);
          break;
        case "paymentIntent":
          result.intents.push({ eventId: batch.eventId, effect });
          break;
        case "booked":
          result.bookings.push({ eventId: batch.eventId, effect });
          break;
        case "paymentAbandoned":
          result.abandoned.push({ eventId: batch.eventId, paymentId: effect.paymentId });
          break;
      }
    }
    for (const [ordinal, hold] of finalHolds) {
      if (hold === null) {
        result.deletes.eventIds.push(batch.eventId);
        result.deletes.ordinals.push(ordinal);
      } else {
        const puts = result.puts;
        puts.eventIds.push(batch.eventId);
        puts.ordinals.push(ordinal);
        puts.holdIds.push(hold.holdId);
        puts.userIds.push(hold.userId);
        puts.statuses.push(hold.status);
        puts.expiresMs.push(hold.expiresAt);
        puts.paymentIds.push(hold.paymentId);
      }
    }
  }
  return result;
}

async function writeEffects(
  client: pg.PoolClient,
  netted: Netted,
): Promise<{ rows: number; statements: number }> {
  let rows = 0;
  let statements = 0;
  const run = async (text: string, values: unknown[], expectedRows?: number) => {
    const result = await client.query(text, values);
    statements++;
    rows += result.rowCount ?? 0;
    if (expectedRows !== undefined && result.rowCount !== expectedRows)
      throw commitMismatch(`expected ${expectedRows} rows, wrote ${result.rowCount}: ${text.slice(0, 60)}`);
  };

  if (netted.deletes.ordinals.length > 0) {
    await run(
      `DELETE FROM holds h USING unnest($1::text[], $2::int[]) AS x(event_id, ordinal)
       WHERE h.event_id = x.event_id AND h.ordinal = x.ordinal`,
      [netted.deletes.eventIds, netted.deletes.ordinals],
    );
  }
  if (netted.puts.ordinals.length > 0) {
    const puts = netted.puts;
    await run(
      `INSERT INTO holds (event_id, ordinal, hold_id, user_id, status, expires_at, payment_id)
       SELECT x.event_id, x.ordinal, x.hold_id, x.user_id, x.status, to_timestamp(x.expires_ms / 1000.0), x.payment_id
       FROM unnest($1::text[], $2::int[], $3::text[], $4::text[], $5::text[], $6::float8[], $7::text[])
         AS x(event_id, ordinal, hold_id, user_id, status, expires_ms, payment_id)
       ON CONFLICT (event_id, ordinal) DO UPDATE SET hold_id = excluded.hold_id, user_id = excluded.user_id,
         status = excluded.status, expires_at = excluded.expires_at, payment_id = excluded.payment_id`,
      [
        puts.eventIds,
        puts.ordinals,
        puts.holdIds,
        puts.userIds,
        puts.statuses,
        puts.expiresMs,
        puts.paymentIds,
      ],
      puts.ordinals.length,
    );
  }
  if (netted.intents.length > 0) {
    const intents = netted.intents;
    const values = [
      intents.map((item) => item.eventId),
      intents.map((item) => item.effect.paymentId),
      intents.map((item) => item.effect.userId),
      intents.map((item) => item.effect.idempotencyKey),
      intents.map((item) => item.effect.holdId),
      intents.map((item) => `{${item.effect.ordinals.join(",")}}`),
      intents.map((item) => item.effect.amountCents),
    ];
    await run(
      `INSERT INTO payments (event_id, id, user_id, idempotency_key, hold_id, ordinals, amount_cents, status)
       SELECT x.event_id, x.id, x.user_id, x.idempotency_key, x.hold_id, x.ordinals::int[], x.amount_cents, 'pending'
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[])
         AS x(event_id, id, user_id, idempotency_key, hold_id, ordinals, amount_cents)`,
      values,
      intents.length,
    );
    await run(
      `UPDATE idempotency_keys k SET payment_id = x.payment_id
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS x(event_id, payment_id, user_id, key)
       WHERE k.event_id = x.event_id AND k.user_id = x.user_id AND k.key = x.key`,
      values.slice(0, 4),
    );
  }
  if (netted.bookings.length > 0) {
    const bookings = netted.bookings;
    await run(
      `INSERT INTO bookings (event_id, id, user_id, amount_cents, status, payment_id)
       SELECT x.event_id, x.id, x.user_id, x.amount_cents, 'confirmed', x.payment_id
       FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[])
         AS x(event_id, id, user_id, amount_cents, payment_id)`,
      [
        bookings.map((item) => item.eventId),
        bookings.map((item) => item.effect.bookingId),
        bookings.map((item) => item.effect.userId),
        bookings.map((item) => item.effect.amountCents),
        bookings.map((item) => item.effect.paymentId),
      ],
      bookings.length,
    );
    const seatEventIds: string[] = [];
    const seatOrdinals: number[] = [];
    const seatBookingIds: string[] = [];
    for (const item of bookings) {
      for (const ordinal of item.effect.ordinals) {
        seatEventIds.push(item.eventId);
        seatOrdinals.push(ordinal);
        seatBookingIds.push(item.effect.bookingId);
      }
    }
    // booking_tickets' primary key (event_id, ordinal) is the last line against a double booking.
    await run(
      `INSERT INTO booking_tickets (event_id, ordinal, booking_id)
       SELECT * FROM unnest($1::text[], $2::int[], $3::text[])`,
      [seatEventIds, seatOrdinals, seatBookingIds],
      seatOrdinals.length,
    );
    await run(
      `UPDATE tickets t SET status = 'booked', booking_id = x.booking_id
       FROM unnest($1::text[], $2::int[], $3::text[]) AS x(event_id, ordinal, booking_id)
       WHERE t.event_id = x.event_id AND t.ordinal = x.ordinal AND t.status = 'available'`,
      [seatEventIds, seatOrdinals, seatBookingIds],
      seatOrdinals.length,
    );
    // Only money already taken becomes a booking (the saga records the capture first).
    await run(
      `UPDATE payments p SET booking_id = x.booking_id, updated_at = now()
       FROM unnest($1::text[], $2::text[], $3::text[]) AS x(event_id, id, booking_id)
       WHERE p.event_id = x.event_id AND p.id = x.id AND p.status = 'captured'
         AND p.booking_id IS NULL AND p.refund_requested_at IS NULL`,
      [
        bookings.map((item) => item.eventId),
        bookings.map((item) => item.effect.paymentId),
        bookings.map((item) => item.effect.bookingId),
      ],
      bookings.length,
    );
  }
  if (netted.abandoned.length > 0) {
    // A captured payment whose seats were given back must be refunded; recovery finishes it if we die.
    await run(
      `UPDATE payments p SET refund_requested_at = now(), updated_at = now()
       FROM unnest($1::text[], $2::text[]) AS x(event_id, id)
       WHERE p.event_id = x.event_id AND p.id = x.id AND p.status = 'captured' AND p.booking_id IS NULL`,
      [netted.abandoned.map((item) => item.eventId), netted.abandoned.map((item) => item.paymentId)],
    );
  }
  return { rows, statements };
}
