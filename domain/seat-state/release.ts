// Release: the caller gives back the seats they hold. Seats of nobody's hold are skipped, seats the
// caller is paying for stay, and seats held by someone else refuse the whole command.
import { fail, ids, ok, type CommandOf, type Effect, type Outcome } from "./decision.ts";
import { checkOrdinals } from "./request-checks.ts";
import {
  byHold,
  detachFromHold,
  dropTallyIfEmpty,
  held,
  holdOf,
  setAvailable,
  tally,
  type SeatState,
} from "./state.ts";

export function release(state: SeatState, command: CommandOf<"release">, effects: Effect[]): Outcome {
  const refused = checkOrdinals(state, command.ordinals);
  if (refused) return refused;
  const othersHolds: number[] = [];
  const mine: number[] = [];
  for (const ordinal of command.ordinals) {
    const hold = holdOf(state, ordinal);
    if (!hold) continue; // available or booked: nothing of the caller's to drop
    if (hold.userId !== command.userId) othersHolds.push(ordinal);
    else if (hold.status === "held") mine.push(ordinal);
    // the caller's own confirming seats are being paid for: they stay
  }
  if (othersHolds.length > 0)
    return fail("FORBIDDEN", "Some tickets are held by someone else", { ticketIds: ids(state, othersHolds) });
  if (mine.length > 0) giveBack(state, command.userId, mine, effects);
  return ok({ eventId: state.eventId, ticketIds: ids(state, mine) });
}

/** Makes `ordinals`, seats `userId` holds (not confirming), available again; also an offer given back. */
export function giveBack(state: SeatState, userId: string, ordinals: number[], effects: Effect[]): void {
  for (const [hold, seats] of byHold(state, ordinals)) {
    setAvailable(state, seats, held);
    detachFromHold(state, hold, seats);
  }
  effects.push({ type: "holdsDeleted", ordinals }, { type: "seatsChanged", ordinals, status: "available" });
  if (tally(state, userId).held === 0) effects.push({ type: "holdsEnded", userId, reason: "released" });
  dropTallyIfEmpty(state, userId);
}
