// Reserve by ticket ids: all or nothing, the caller's own held seats count as theirs (a repeated
// reserve answers the same expiry and changes nothing), the rest become one new hold until now + TTL.
import { holdExpiresAt } from "./admission.ts";
import {
  fail,
  holdRow,
  ids,
  ok,
  type Admission,
  type CommandOf,
  type Effect,
  type Outcome,
} from "./decision.ts";
import { checkOrdinals, saleClosed, userCapReached } from "./request-checks.ts";
import { addHold, available, booked, holdOf, type Hold, type SeatState } from "./state.ts";

export function reserve(
  state: SeatState,
  command: CommandOf<"reserve">,
  now: number,
  effects: Effect[],
): Outcome {
  const refused = checkOrdinals(state, command.ordinals);
  if (refused) return refused;
  const closed = saleClosed(state, now, command.presale !== undefined);
  if (closed) return closed;

  const unavailable: number[] = [];
  const fresh: number[] = [];
  let expiresAt = Number.POSITIVE_INFINITY;
  for (const ordinal of command.ordinals) {
    const code = state.status[ordinal];
    if (code === available) fresh.push(ordinal);
    else if (code === booked) unavailable.push(ordinal);
    else {
      const hold = holdOf(state, ordinal)!;
      if (hold.userId === command.userId) expiresAt = Math.min(expiresAt, hold.expiresAt);
      else unavailable.push(ordinal);
    }
  }
  if (unavailable.length > 0)
    return fail("TICKET_UNAVAILABLE", "Some tickets are reserved by someone else or booked", {
      ticketIds: ids(state, unavailable),
    });
  const overCap = userCapReached(state, command.userId, fresh.length);
  if (overCap) return overCap;
  if (fresh.length > 0) {
    const hold = placeHold(state, command.userId, command.holdId, fresh, now, effects, command.admission);
    expiresAt = Math.min(expiresAt, hold.expiresAt);
  }
  return ok({
    eventId: state.eventId,
    ticketIds: ids(state, command.ordinals),
    expiresAt: new Date(expiresAt).toISOString(),
  });
}

/**
 * Holds available seats for the user until now + TTL (under an admission, no later than it expires),
 * with the effects that persist and publish it.
 */
export function placeHold(
  state: SeatState,
  userId: string,
  holdId: string,
  ordinals: number[],
  now: number,
  effects: Effect[],
  admission?: Admission,
): Hold {
  const hold = addHold(state, {
    holdId,
    userId,
    expiresAt: holdExpiresAt(state, now, admission),
    ordinals,
    status: "held",
    paymentId: null,
  });
  state.expiries.push(hold.expiresAt, hold);
  effects.push(
    { type: "holdsPut", ordinals, hold: holdRow(hold) },
    { type: "seatsChanged", ordinals, status: "reserved" },
  );
  return hold;
}
