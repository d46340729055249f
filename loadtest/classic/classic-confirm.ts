// The classic engine's side of the confirm saga (the saga itself is actors/payments/confirm-saga.ts):
// confirmStart turns the caller's holds into one confirming hold with a pending payment,
// confirmComplete books a captured payment's seats, confirmAbort gives them back.
import type pg from "pg";
import { InternalFault, invariant, MarqueeError } from "../../domain/errors.ts";
import type { Command } from "../../domain/seat-state.ts";
import {
  deleteHolds,
  isLive,
  loadEvent,
  lockSeats,
  paymentOrdinals,
  sorted,
  toIds,
  usersWithoutLiveHolds,
  type LockedSeat,
} from "./classic-seats.ts";
import { noNews, write, type ClassicContext } from "./classic-writes.ts";
import { bookedAnswer, bookingOf, declinedAnswer } from "../../actors/payments/answers.ts";
import { claimKeyRows } from "../../actors/booking/persistence/writers/idempotency-keys.ts";

type ConfirmStart = Extract<Command, { type: "confirmStart" }>;

export async function confirmStart(context: ClassicContext, eventId: string, command: ConfirmStart) {
  const now = context.clock.now();
  const { ordinals, paymentId } = command;
  return write(context, eventId, async (client) => {
    await loadEvent(client, eventId, ordinals);
    const seats = await lockSeats(client, eventId, ordinals);
    const already = seats.filter((seat) => seat.paymentId === paymentId);
    if (already.length > 0) {
      // The same command again (a retry after a lost reply): the same answer, nothing new.
      invariant(already.length === seats.length, `payment ${paymentId} reused for other seats`);
      return { result: await startedAnswer(client, eventId, paymentId, seats), publication: noNews() };
    }
    refuseUnconfirmable(eventId, command.userId, seats, now);
    return { result: await startConfirming(client, eventId, command, seats), publication: noNews() };
  });
}

/** The refusals of a confirmStart, most telling first; silent when every seat is the caller's hold. */
function refuseUnconfirmable(eventId: string, userId: string, seats: LockedSeat[], now: number): void {
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
}

/** Every seat is held by the caller: they become one confirming hold that cannot lapse. */
async function startConfirming(
  client: pg.PoolClient,
  eventId: string,
  { userId, ordinals, paymentId, idempotencyKey, requestHash }: ConfirmStart,
  seats: LockedSeat[],
) {
  const expiresAt = Math.min(...seats.map((seat) => seat.holdExpiresAt!));
  const holdId = seats[0].holdId!;
  const amountCents = seats.reduce((sum, seat) => sum + seat.priceCents, 0);
  await claimKey(client, eventId, { userId, idempotencyKey, paymentId, requestHash });
  await client.query(
    `UPDATE holds SET status = 'confirming', payment_id = $3, hold_id = $4, expires_at = to_timestamp($5 / 1000.0)
     WHERE event_id = $1 AND ordinal = ANY($2::int[])`,
    [eventId, ordinals, paymentId, holdId, expiresAt],
  );
  await client.query(
    `INSERT INTO payments (event_id, id, user_id, idempotency_key, hold_id, ordinals, amount_cents, status)
     VALUES ($1, $2, $3, $4, $5, $6::int[], $7, 'pending')`,
    [eventId, paymentId, userId, idempotencyKey, holdId, sorted(ordinals), amountCents],
  );
  // Reserved stays reserved: no public change.
  return {
    eventId,
    paymentId,
    amountCents,
    ticketIds: toIds(eventId, sorted(ordinals)),
    holdExpiresAt: new Date(expiresAt).toISOString(),
  };
}

/**
 * The confirm's Idempotency-Key, claimed in the same transaction as its intent (as the actors' group
 * commit does); a key taken rolls the transaction back and refuses the confirm. Without a request
 * hash the key was claimed before: the payment is recorded on it.
 */
async function claimKey(
  client: pg.PoolClient,
  eventId: string,
  claim: { userId: string; idempotencyKey: string; paymentId: string; requestHash?: string },
): Promise<void> {
  const { userId, idempotencyKey, paymentId, requestHash } = claim;
  if (requestHash === undefined) {
    await client.query(
      "UPDATE idempotency_keys SET payment_id = $4 WHERE event_id = $1 AND user_id = $2 AND key = $3",
      [eventId, userId, idempotencyKey, paymentId],
    );
    return;
  }
  // Before the payment's insert: its unique (event, user, key) would fail the transaction instead.
  // The actors' claim statement: the user-wide key and the event's record together.
  const query = async (text: string, values: unknown[]) => (await client.query(text, values)).rows;
  const keyClaim = { eventId, userId, key: idempotencyKey, requestHash, paymentId, claimId: paymentId };
  if (!(await claimKeyRows(query, [keyClaim])).has(paymentId))
    throw new MarqueeError("IDEMPOTENCY_KEY_TAKEN", "This Idempotency-Key is already claimed", { paymentId });
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

export async function confirmComplete(
  context: ClassicContext,
  eventId: string,
  { paymentId, bookingId, providerRef }: Extract<Command, { type: "confirmComplete" }>,
) {
  const now = context.clock.now();
  const ordinals = await paymentOrdinals(context.db, eventId, paymentId);
  if (ordinals.length === 0) return { booked: false };
  return write(context, eventId, async (client) => {
    const seats = (await lockSeats(client, eventId, ordinals)).filter(
      (seat) => seat.paymentId === paymentId && seat.holdStatus === "confirming",
    );
    // Given back meanwhile (or booked by an earlier call): the caller reads the payment's record.
    if (seats.length === 0) return { result: { booked: false } as any, publication: noNews() };
    invariant(
      seats.length === ordinals.length,
      `payment ${paymentId}: its confirming hold covers only part of its seats`,
    );
    // Money taken: captured already, or its capture recorded here (providerRef).
    const { rows } = await client.query(
      `UPDATE payments SET status = 'captured', provider_ref = coalesce($3, provider_ref), updated_at = now()
       WHERE event_id = $1 AND id = $2 AND booking_id IS NULL AND refund_requested_at IS NULL
         AND (status = 'captured' OR (status = 'pending' AND $3::text IS NOT NULL))
       RETURNING user_id, amount_cents`,
      [eventId, paymentId, providerRef ?? null],
    );
    if (!rows[0])
      throw new MarqueeError(
        "PAYMENT_SETTLED",
        "This payment was settled elsewhere; it is no longer bookable",
        {
          paymentId,
        },
      );
    const { user_id: userId, amount_cents: amountCents } = rows[0];
    await book(client, eventId, { paymentId, bookingId, userId, amountCents, ordinals, createdAtMs: now });
    const publication = noNews();
    for (const ordinal of ordinals) publication.changes.push({ ordinal, status: "booked" });
    if ((await usersWithoutLiveHolds(client, eventId, [userId], now)).length > 0)
      publication.holdsEnded.push({ eventId, userId, reason: "confirmed" });
    const result = {
      booked: true,
      bookingId,
      eventId,
      userId,
      ticketIds: toIds(eventId, sorted(ordinals)),
      amountCents: Number(amountCents),
      paymentId,
      createdAt: new Date(now).toISOString(),
    };
    const answer = bookedAnswer(bookingOf(result));
    await storeAnswer(client, eventId, paymentId, answer.statusCode, answer.body);
    return { result, publication };
  });
}

/** The booking rows of a captured payment, its tickets booked and its confirming hold gone. */
async function book(
  client: pg.PoolClient,
  eventId: string,
  booking: {
    paymentId: string;
    bookingId: string;
    userId: string;
    amountCents: unknown;
    ordinals: number[];
    createdAtMs: number;
  },
): Promise<void> {
  const { paymentId, bookingId, ordinals } = booking;
  await client.query(
    `INSERT INTO bookings (event_id, id, user_id, amount_cents, status, payment_id, created_at)
     VALUES ($1, $2, $3, $4, 'confirmed', $5, timestamptz 'epoch' + $6::bigint * interval '1 millisecond')`,
    [eventId, bookingId, booking.userId, booking.amountCents, paymentId, booking.createdAtMs],
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
    throw new InternalFault(
      "COMMIT_MISMATCH",
      `payment ${paymentId}: ${updated.rowCount} of ${ordinals.length} tickets booked`,
    );
  await client.query(
    "UPDATE payments SET booking_id = $3, updated_at = now() WHERE event_id = $1 AND id = $2",
    [eventId, paymentId, bookingId],
  );
  await deleteHolds(client, eventId, ordinals);
}

export async function confirmAbort(
  context: ClassicContext,
  eventId: string,
  { paymentId, declined }: Extract<Command, { type: "confirmAbort" }>,
) {
  const now = context.clock.now();
  const ordinals = await paymentOrdinals(context.db, eventId, paymentId);
  if (ordinals.length === 0) return { aborted: false };
  return write(context, eventId, async (client) => {
    const seats = (await lockSeats(client, eventId, ordinals)).filter(
      (seat) => seat.paymentId === paymentId && seat.holdStatus === "confirming",
    );
    const publication = noNews();
    if (seats.length === 0) return { result: { aborted: false }, publication };
    const mine = seats.map((seat) => seat.ordinal);
    // A captured payment whose seats are given back must be refunded; recovery finishes it if we die.
    await client.query(
      `UPDATE payments SET refund_requested_at = now(), updated_at = now()
       WHERE event_id = $1 AND id = $2 AND status = 'captured' AND booking_id IS NULL`,
      [eventId, paymentId],
    );
    if (declined !== undefined) {
      // The charge was declined: the payment and its 402 in the same transaction.
      const marked = await client.query(
        `UPDATE payments SET status = 'declined', failure_reason = $3, updated_at = now()
         WHERE event_id = $1 AND id = $2 AND status = 'pending'`,
        [eventId, paymentId, declined],
      );
      const answer = declinedAnswer(paymentId, declined);
      if (marked.rowCount === 1)
        await storeAnswer(client, eventId, paymentId, answer.statusCode, answer.body);
    }
    if (seats[0].holdExpiresAt! > now) {
      // Back to held with the same expiry: a declined payment keeps the hold until it lapses.
      await client.query(
        "UPDATE holds SET status = 'held', payment_id = NULL WHERE event_id = $1 AND ordinal = ANY($2::int[])",
        [eventId, mine],
      );
    } else {
      await deleteHolds(client, eventId, mine);
      for (const ordinal of mine) publication.changes.push({ ordinal, status: "available" });
      const userId = seats[0].holdUserId!;
      if ((await usersWithoutLiveHolds(client, eventId, [userId], now)).length > 0)
        publication.holdsEnded.push({ eventId, userId, reason: "expired" });
    }
    return { result: { aborted: true }, publication };
  });
}

/** The final answer stored on the key of its payment, unless one is there (first writer wins). */
async function storeAnswer(
  client: pg.PoolClient,
  eventId: string,
  paymentId: string,
  statusCode: number,
  body: unknown,
): Promise<void> {
  await client.query(
    `UPDATE idempotency_keys k SET status_code = $3, response = $4::jsonb FROM payments p
     WHERE p.event_id = $1 AND p.id = $2 AND k.event_id = p.event_id AND k.user_id = p.user_id
       AND k.key = p.idempotency_key AND k.payment_id = p.id AND k.response IS NULL`,
    [eventId, paymentId, statusCode, JSON.stringify(body)],
  );
}
