// The waiting list of a sold-out event, decided inside its actor. While anyone waits, every seat that
// comes back (released, lapsed, declined and given back, cancelled) is matched in the same decision
// that freed it, so in the same group commit: no moment exists when a poller could take it first.
//
// The rule (and the audit's invariant): the entries are served in list order; the first waiting entry
// whose quantity is at most the number of available seats gets that many seats (any seats: not
// necessarily side by side; the seats that just came back first, then the lowest ordinals) as a
// normal hold in its name with the event's hold TTL (`offered`). So after every decision, while an
// entry waits, fewer seats are available than the smallest quantity waited for. An offer names the
// seats its user still holds: one given back leaves it (and goes to the next entries the same way);
// the entry ends `booked` once its user books a seat of it, `expired` once none is theirs any more.
import { holdExpiresAt } from "./admission.ts";
import { fail, holdRow, ids, ok, type CommandOf, type Effect, type Outcome } from "./decision.ts";
import { waitlistEntriesPerEventMax } from "../waitlist-limits.ts";
import { addHold, available, booked, holdOf, type SeatState } from "./state.ts";
import { giveBack } from "./release.ts";
import { userCapReached } from "./request-checks.ts";
import { smallestWaitingQuantity, stopWaiting, waitlistRow, type WaitEntry } from "./waitlist-ledger.ts";

/** An entry as GET /events/:id/waitlist shows it (also the `waitlist` push). */
export interface WaitlistView {
  status: "waiting" | "offered" | "expired" | "booked";
  position?: number;
  offer?: { ticketIds: string[]; expiresAt: string };
}

export function entryView(state: SeatState, entry: WaitEntry): WaitlistView {
  if (entry.status === "waiting")
    return { status: "waiting", position: state.waitlist.waiting.indexOf(entry) + 1 };
  return {
    status: "offered",
    offer: { ticketIds: ids(state, entry.offer!), expiresAt: new Date(entry.offerExpiresAt!).toISOString() },
  };
}

export function joinWaitlist(
  state: SeatState,
  command: CommandOf<"waitlistJoin">,
  effects: Effect[],
): Outcome {
  if (!state.settings.active) return fail("NOT_FOUND", "Event not found");
  const list = state.waitlist;
  // Joining twice keeps the first place (and an offer made meanwhile).
  const existing = list.entries.get(command.userId);
  if (existing) return ok(entryView(state, existing));
  if (state.counts.available >= command.quantity)
    return fail("TICKETS_AVAILABLE", `${command.quantity} tickets are available: reserve them instead`, {
      ticketsAvailable: state.counts.available,
    });
  // An offer is a hold in the user's name: it must fit the per-user cap like a reserve does.
  const capped = userCapReached(state, command.userId, command.quantity);
  if (capped) return capped;
  if (list.entries.size >= waitlistEntriesPerEventMax)
    return fail("OVERLOADED", "The waiting list of this event is full");
  const entry: WaitEntry = {
    userId: command.userId,
    seq: list.nextSeq++,
    quantity: command.quantity,
    status: "waiting",
    holdId: null,
    offer: null,
    offerExpiresAt: null,
  };
  list.entries.set(entry.userId, entry);
  list.waiting.push(entry);
  list.waitingByQuantity[entry.quantity]++;
  effects.push({ type: "waitlistPut", entry: waitlistRow(entry) });
  return ok(entryView(state, entry));
}

/** Leaves the list; the seats of an offer still held go back (and on to the next entries). */
export function leaveWaitlist(
  state: SeatState,
  command: CommandOf<"waitlistLeave">,
  effects: Effect[],
): Outcome {
  const list = state.waitlist;
  const entry = list.entries.get(command.userId);
  // Also an ended entry's row (expired, booked) is deleted: the user is off the list.
  effects.push({ type: "waitlistDeleted", userId: command.userId });
  if (!entry) return ok({ left: false });
  list.entries.delete(entry.userId);
  if (entry.status === "waiting") stopWaiting(list, entry);
  else {
    list.offered.delete(entry);
    giveBackOffer(state, entry, effects);
  }
  return ok({ left: true });
}

function giveBackOffer(state: SeatState, entry: WaitEntry, effects: Effect[]): void {
  const mine = entry.offer!.filter((ordinal) => {
    const hold = holdOf(state, ordinal);
    return hold !== null && hold.userId === entry.userId && hold.status === "held";
  });
  if (mine.length > 0) giveBack(state, entry.userId, mine, effects);
}

/**
 * After every decision (and right after due holds lapse, before the command): ends the offers whose
 * seats left their user, then offers the available seats to the waiting entries. `from` is the first
 * effect of this step (the seats that came back in it are offered first).
 */
export function settleWaitlist(state: SeatState, now: number, effects: Effect[], from: number): void {
  const list = state.waitlist;
  if (list.offered.size > 0 && touchedHolds(effects, from)) endOffers(state, effects);
  if (list.waiting.length === 0 || state.counts.available === 0) return;
  if (!state.settings.active || now >= state.settings.startsAt) return;
  if (state.counts.available < smallestWaitingQuantity(list)) return;
  const cameBack: number[] = [];
  for (let index = from; index < effects.length; index++) {
    const effect = effects[index];
    if (effect.type === "seatsChanged" && effect.status === "available") cameBack.push(...effect.ordinals);
  }
  for (let index = 0; index < list.waiting.length && state.counts.available > 0;) {
    const entry = list.waiting[index];
    if (entry.quantity > state.counts.available) {
      index++;
      continue;
    }
    // A user's held + booked seats only shrink while they wait, so this is only hit when an organiser
    // lowered the event's cap meanwhile: the entry ends rather than taking the user past it.
    if (userCapReached(state, entry.userId, entry.quantity)) {
      endWaiting(state, entry, effects);
      continue;
    }
    makeOffer(state, entry, pickSeats(state, entry.quantity, cameBack), now, effects);
  }
}

function endWaiting(state: SeatState, entry: WaitEntry, effects: Effect[]): void {
  stopWaiting(state.waitlist, entry);
  state.waitlist.entries.delete(entry.userId);
  effects.push({ type: "waitlistPut", entry: { ...waitlistRow(entry), status: "expired" } });
}

const touchedHolds = (effects: Effect[], from: number): boolean => {
  for (let index = from; index < effects.length; index++) {
    const type = effects[index].type;
    if (type === "holdsDeleted" || type === "booked" || type === "holdsPut") return true;
  }
  return false;
};

function endOffers(state: SeatState, effects: Effect[]): void {
  const list = state.waitlist;
  for (const entry of [...list.offered]) {
    const offer = entry.offer!;
    const stillHeld = offer.filter((ordinal) => holdOf(state, ordinal)?.userId === entry.userId);
    if (stillHeld.length === offer.length) continue;
    // A seat of the offer left its user in this decision: booked by them (the entry is served; what
    // they still hold stays an ordinary hold), or given back (the offer shrinks, or ends when empty).
    const bookedSome = offer.some(
      (ordinal) => state.status[ordinal] === booked && !stillHeld.includes(ordinal),
    );
    if (bookedSome || stillHeld.length === 0) {
      list.offered.delete(entry);
      list.entries.delete(entry.userId);
      const status = bookedSome ? "booked" : "expired";
      effects.push({ type: "waitlistPut", entry: { ...waitlistRow(entry), status } });
    } else {
      entry.offer = stillHeld;
      effects.push({ type: "waitlistPut", entry: waitlistRow(entry) });
    }
  }
}

/**
 * `quantity` available seats: those that just came back first, then the lowest ordinals. Among the
 * seats that came back, the lowest ordinals too: the order they came back in is the expiry heap's,
 * which for holds of equal expiry depends on the order they were made or loaded in (activation's rows
 * come in no set order), so it must not choose the seats: a reload would offer others.
 */
function pickSeats(state: SeatState, quantity: number, cameBack: number[]): number[] {
  const chosen: number[] = [];
  const taken = new Set<number>();
  for (const ordinal of cameBack.slice().sort((a, b) => a - b)) {
    if (chosen.length === quantity) break;
    if (state.status[ordinal] === available && !taken.has(ordinal)) {
      chosen.push(ordinal);
      taken.add(ordinal);
    }
  }
  for (let ordinal = 0; ordinal < state.total && chosen.length < quantity; ordinal++)
    if (state.status[ordinal] === available && !taken.has(ordinal)) chosen.push(ordinal);
  return chosen.sort((a, b) => a - b);
}

function makeOffer(state: SeatState, entry: WaitEntry, ordinals: number[], now: number, effects: Effect[]) {
  const list = state.waitlist;
  stopWaiting(list, entry);
  const hold = addHold(state, {
    holdId: `wl-${entry.seq}-${Math.floor(now)}`,
    userId: entry.userId,
    expiresAt: holdExpiresAt(state, now, undefined),
    ordinals,
    status: "held",
    paymentId: null,
  });
  state.expiries.push(hold.expiresAt, hold);
  entry.status = "offered";
  entry.holdId = hold.holdId;
  entry.offer = ordinals;
  entry.offerExpiresAt = hold.expiresAt;
  list.offered.add(entry);
  const row = waitlistRow(entry);
  effects.push(
    { type: "holdsPut", ordinals, hold: holdRow(hold) },
    { type: "seatsChanged", ordinals, status: "reserved" },
    { type: "waitlistPut", entry: row },
    { type: "waitlistOffered", entry: row },
  );
}

/** The waiting list's invariants (see the rule above), one sentence per violation. */
export function waitlistViolations(state: SeatState, now: number): string[] {
  const problems: string[] = [];
  const list = state.waitlist;
  const offeredTo = new Map<number, string>();
  for (const entry of list.offered)
    for (const ordinal of entry.offer ?? []) {
      const other = offeredTo.get(ordinal);
      if (other !== undefined) problems.push(`seat ${ordinal} offered to ${other} and ${entry.userId}`);
      offeredTo.set(ordinal, entry.userId);
    }
  for (let index = 1; index < list.waiting.length; index++)
    if (list.waiting[index - 1].seq >= list.waiting[index].seq) problems.push("waiting list out of order");
  const open = state.settings.active && now < state.settings.startsAt;
  const smallest = smallestWaitingQuantity(list);
  if (open && state.counts.available >= smallest)
    problems.push(`${state.counts.available} seats available while an entry waits for ${smallest}`);
  if (list.waiting.length + list.offered.size !== list.entries.size)
    problems.push("waiting list ledger drift");
  return problems;
}
