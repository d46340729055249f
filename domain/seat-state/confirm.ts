// Confirm, in three commands: confirmStart moves the caller's held seats into one confirming hold that
// cannot lapse and asks for the payment; confirmComplete books them once the payment is captured;
// confirmAbort gives them back (held until the old expiry, or free if that has passed).
import { invariant } from "../errors.ts";
import { fail, holdRow, ids, ok, type CommandOf, type Effect, type Outcome } from "./decision.ts";
import { lapseHold } from "./expiry.ts";
import { checkOrdinals } from "./request-checks.ts";
import {
  addHold,
  available,
  booked,
  byHold,
  confirming,
  detachFromHold,
  held,
  holdOf,
  tally,
  type Hold,
  type SeatState,
} from "./state.ts";

export function confirmStart(
  state: SeatState,
  command: CommandOf<"confirmStart">,
  effects: Effect[],
): Outcome {
  const refused = checkOrdinals(state, command.ordinals);
  if (refused) return refused;
  const existing = state.holdsByPayment.get(command.paymentId);
  if (existing) return repeatedConfirmStart(state, command, existing);
  const notHeld = refuseUnlessHeldByCaller(state, command);
  if (notHeld) return notHeld;
  const hold = moveIntoConfirmingHold(state, command);
  effects.push(
    { type: "holdsPut", ordinals: hold.ordinals, hold: holdRow(hold) },
    {
      type: "paymentIntent",
      paymentId: command.paymentId,
      userId: command.userId,
      idempotencyKey: command.idempotencyKey,
      ...(command.requestHash === undefined ? {} : { requestHash: command.requestHash }),
      holdId: hold.holdId,
      ordinals: hold.ordinals,
      amountCents: hold.amountCents,
    },
  );
  return ok(confirmStarted(state, hold));
}

/**
 * The same command again (a retry after a lost reply): the same answer, nothing new. The same payment
 * id for other seats or another user is a malformed command (payment ids are unique), not a fault of
 * the state: refused, nothing changes.
 */
function repeatedConfirmStart(state: SeatState, command: CommandOf<"confirmStart">, existing: Hold): Outcome {
  const same =
    existing.userId === command.userId &&
    existing.ordinals.length === command.ordinals.length &&
    command.ordinals.every((ordinal) => state.holdIndex[ordinal] === existing.slot);
  if (!same)
    return fail("VALIDATION_ERROR", "This payment id already pays for other seats", { field: "paymentId" });
  return ok(confirmStarted(state, existing));
}

/** The refusal when any seat is not held by the caller right now, most telling reason first. */
function refuseUnlessHeldByCaller(state: SeatState, command: CommandOf<"confirmStart">): Outcome | null {
  const othersHolds: number[] = [];
  const bookedOrPaying: number[] = [];
  const lapsed: number[] = [];
  const neverHeld: number[] = [];
  for (const ordinal of command.ordinals) {
    const code = state.status[ordinal];
    const hold = holdOf(state, ordinal);
    const lapsedMine = state.lapsedHolder.get(ordinal) === command.userId;
    if (code === booked) bookedOrPaying.push(ordinal);
    else if (hold && hold.userId !== command.userId) (lapsedMine ? lapsed : othersHolds).push(ordinal);
    else if (hold && hold.status === "confirming") bookedOrPaying.push(ordinal);
    else if (!hold) (lapsedMine ? lapsed : neverHeld).push(ordinal);
  }
  if (othersHolds.length > 0)
    return fail("FORBIDDEN", "Only the holder may confirm these tickets", {
      ticketIds: ids(state, othersHolds),
    });
  if (bookedOrPaying.length > 0)
    return fail("TICKET_UNAVAILABLE", "Some tickets are booked or already being paid for", {
      ticketIds: ids(state, bookedOrPaying),
    });
  if (lapsed.length > 0)
    return fail("HOLD_EXPIRED", "The hold on these tickets has expired", { ticketIds: ids(state, lapsed) });
  if (neverHeld.length > 0)
    return fail("FORBIDDEN", "These tickets are not held by you; reserve them first", {
      ticketIds: ids(state, neverHeld),
    });
  return null;
}

/**
 * Every seat is held by the caller: moves them out of their holds into one confirming hold (the
 * earliest expiry and the first hold's id), indexed by the payment.
 */
function moveIntoConfirmingHold(state: SeatState, command: CommandOf<"confirmStart">): Hold {
  let expiresAt = Number.POSITIVE_INFINITY;
  let holdId = "";
  for (const [hold, ordinals] of byHold(state, command.ordinals)) {
    expiresAt = Math.min(expiresAt, hold.expiresAt);
    holdId ||= hold.holdId;
    for (const ordinal of ordinals) state.status[ordinal] = available;
    state.counts.held -= ordinals.length;
    state.counts.available += ordinals.length;
    detachFromHold(state, hold, ordinals);
  }
  const hold = addHold(state, {
    holdId,
    userId: command.userId,
    expiresAt,
    ordinals: command.ordinals.slice().sort((a, b) => a - b),
    status: "confirming",
    paymentId: command.paymentId,
  });
  state.holdsByPayment.set(command.paymentId, hold);
  return hold;
}

const confirmStarted = (state: SeatState, hold: Hold) => ({
  eventId: state.eventId,
  paymentId: hold.paymentId,
  amountCents: hold.amountCents,
  ticketIds: ids(state, hold.ordinals),
  holdExpiresAt: new Date(hold.expiresAt).toISOString(),
});

export function confirmComplete(
  state: SeatState,
  command: CommandOf<"confirmComplete">,
  now: number,
  effects: Effect[],
): Outcome {
  const hold = state.holdsByPayment.get(command.paymentId);
  // Not (or no longer) confirming: already booked by an earlier call, or given back. The caller reads
  // the payment's durable record to tell which.
  if (!hold) return ok({ booked: false });
  invariant(hold.live && hold.status === "confirming", "a payment maps to a hold that is not confirming");
  const ordinals = hold.ordinals.slice().sort((a, b) => a - b); // as the stored answer lists them
  const userId = hold.userId;
  const amountCents = hold.amountCents;
  for (const ordinal of ordinals) {
    invariant(state.status[ordinal] === confirming, `booking ordinal ${ordinal} that is not confirming`);
    state.status[ordinal] = booked;
    state.lapsedHolder.delete(ordinal);
  }
  state.counts.confirming -= ordinals.length;
  state.counts.booked += ordinals.length;
  detachFromHold(state, hold, ordinals);
  const entry = tally(state, userId);
  entry.booked += ordinals.length;
  effects.push(
    {
      type: "booked",
      bookingId: command.bookingId,
      paymentId: command.paymentId,
      userId,
      ordinals,
      amountCents,
      createdAtMs: Math.floor(now),
      ...(command.providerRef === undefined ? {} : { providerRef: command.providerRef }),
    },
    { type: "holdsDeleted", ordinals },
    { type: "seatsChanged", ordinals, status: "booked" },
  );
  if (entry.held === 0) effects.push({ type: "holdsEnded", userId, reason: "confirmed" });
  return ok({
    booked: true,
    bookingId: command.bookingId,
    eventId: state.eventId,
    userId,
    ticketIds: ids(state, ordinals),
    amountCents,
    paymentId: command.paymentId,
    createdAt: new Date(Math.floor(now)).toISOString(),
  });
}

export function confirmAbort(
  state: SeatState,
  command: CommandOf<"confirmAbort">,
  now: number,
  effects: Effect[],
): Outcome {
  const hold = state.holdsByPayment.get(command.paymentId);
  if (!hold) return ok({ aborted: false });
  state.holdsByPayment.delete(command.paymentId);
  effects.push(
    command.declined === undefined
      ? { type: "paymentAbandoned", paymentId: command.paymentId }
      : { type: "paymentAbandoned", paymentId: command.paymentId, declined: command.declined },
  );
  if (hold.expiresAt > now) {
    // Back to held with the same expiry: a declined payment keeps the hold until it lapses.
    for (const ordinal of hold.ordinals) state.status[ordinal] = held;
    state.counts.confirming -= hold.ordinals.length;
    state.counts.held += hold.ordinals.length;
    hold.status = "held";
    hold.paymentId = null;
    state.expiries.push(hold.expiresAt, hold);
    effects.push({ type: "holdsPut", ordinals: hold.ordinals.slice(), hold: holdRow(hold) });
  } else {
    hold.paymentId = null;
    lapseHold(state, hold, effects);
  }
  return ok({ aborted: true });
}
