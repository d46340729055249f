// The seat state of one event and the pure decision function of its actor:
// `decide(state, command, now) -> {state, effects, outcome}`. No I/O, no clock, no randomness
// (ids come in the command). For speed the state is owned by exactly one actor and updated in place
// (typed arrays for 100,000+ seats); when a commit of its effects fails, the shell throws the whole
// state away and reloads it from Postgres, so an in-place update never outlives a failed write.
//
// Holds are data: a hold has `expiresAt`, and every command first lapses the holds that are due
// (`expiresAt <= now`), so a hold past its time is available even before a timer fires.
import {
  chooseBestAvailable,
  FreeRunIndex,
  rankRows,
  type BestAvailableRequest,
  type RankedRows,
} from "./best-available.ts";
import { invariant, type ErrorCode, type ErrorFacts } from "./errors.ts";
import { ExpiryHeap } from "./expiry-heap.ts";
import { ticketId } from "./ids.ts";
import { ticketsPerRequestMax } from "./limits.ts";
import { pricesByOrdinal, type SeatLayout } from "./seat-layout.ts";

/** Seat status codes in `SeatState.status`. */
export const available = 0;
export const held = 1;
export const confirming = 2;
export const booked = 3;

export type PublicSeatStatus = "available" | "reserved" | "booked";

/** What the event actor enforces of an event's sale (times in epoch ms). */
export interface SaleSettings {
  /** false once the event is deleted: commands answer NOT_FOUND. */
  active: boolean;
  onSaleAt: number;
  startsAt: number;
  ticketsPerUserMax: number;
  holdTtlMs: number;
}

export interface Hold {
  slot: number;
  holdId: string;
  userId: string;
  expiresAt: number;
  ordinals: number[];
  status: "held" | "confirming";
  /** Set while confirming: the payment the seats are being paid by. */
  paymentId: string | null;
  amountCents: number;
  /** false once the hold ended (released, lapsed, booked, split away). */
  live: boolean;
}

interface UserTally {
  /** Seats held or confirming. */
  held: number;
  booked: number;
}

export interface SeatState {
  eventId: string;
  layout: SeatLayout;
  total: number;
  prices: Uint32Array;
  status: Uint8Array;
  /** Slot in `holds` of the hold on each seat, -1 when none. */
  holdIndex: Int32Array;
  holds: (Hold | null)[];
  freeHoldSlots: number[];
  holdsByPayment: Map<string, Hold>;
  users: Map<string, UserTally>;
  /** Who held a seat whose hold lapsed: a late confirm gets HOLD_EXPIRED instead of FORBIDDEN. */
  lapsedHolder: Map<number, string>;
  expiries: ExpiryHeap<Hold>;
  counts: { available: number; held: number; confirming: number; booked: number };
  /** The committed seat-state version (the shell advances it once per committed batch). */
  version: number;
  settings: SaleSettings;
  /**
   * Rows in quality order and the longest free run of each, for best-available requests. Built on the
   * first such request (an event that never gets one pays nothing); from then on every seat that
   * becomes free or taken marks its row for a lazy rescan (addHold, setAvailable).
   */
  bestAvailable: BestAvailableIndex | null;
}

export interface BestAvailableIndex {
  rows: RankedRows;
  freeRuns: FreeRunIndex;
}

export interface HoldRow {
  holdId: string;
  userId: string;
  status: "held" | "confirming";
  expiresAt: number;
  paymentId: string | null;
}

export type Effect =
  | { type: "holdsPut"; ordinals: number[]; hold: HoldRow }
  | { type: "holdsDeleted"; ordinals: number[] }
  | {
      type: "paymentIntent";
      paymentId: string;
      userId: string;
      idempotencyKey: string;
      holdId: string;
      ordinals: number[];
      amountCents: number;
    }
  | {
      type: "booked";
      bookingId: string;
      paymentId: string;
      userId: string;
      ordinals: number[];
      amountCents: number;
    }
  /** A confirming hold was given back: a captured payment of it must now be refunded. */
  | { type: "paymentAbandoned"; paymentId: string }
  | { type: "seatsChanged"; ordinals: number[]; status: PublicSeatStatus }
  | { type: "holdsEnded"; userId: string; reason: "confirmed" | "released" | "expired" };

export type Command =
  | { type: "reserve"; userId: string; ordinals: number[]; holdId: string }
  /** Best available: the actor picks the seats (see domain/best-available.ts) and holds them. */
  | ({ type: "reserveBest"; userId: string; holdId: string } & BestAvailableRequest)
  | { type: "release"; userId: string; ordinals: number[] }
  | { type: "expire" }
  | { type: "confirmStart"; userId: string; ordinals: number[]; paymentId: string; idempotencyKey: string }
  | { type: "confirmComplete"; paymentId: string; bookingId: string }
  | { type: "confirmAbort"; paymentId: string }
  | { type: "updateSettings"; settings: Partial<SaleSettings> };

export type Outcome = { ok: true; value: any } | { ok: false; error: ErrorFacts };

export interface Decision {
  state: SeatState;
  effects: Effect[];
  outcome: Outcome;
}

// --- construction -------------------------------------------------------------------------------

export interface LoadedHoldRow {
  ordinal: number;
  holdId: string;
  userId: string;
  status: "held" | "confirming";
  expiresAt: number;
  paymentId: string | null;
}

export interface LoadedSeats {
  /** Booked seats and the user who booked each. */
  bookedOrdinals: number[];
  bookedUserIds: string[];
  holds: LoadedHoldRow[];
  version: number;
}

export function createSeatState(
  eventId: string,
  layout: SeatLayout,
  settings: SaleSettings,
  loaded: LoadedSeats = { bookedOrdinals: [], bookedUserIds: [], holds: [], version: 0 },
): SeatState {
  const total = layout.total;
  const state: SeatState = {
    eventId,
    layout,
    total,
    prices: pricesByOrdinal(layout),
    status: new Uint8Array(total),
    holdIndex: new Int32Array(total).fill(-1),
    holds: [],
    freeHoldSlots: [],
    holdsByPayment: new Map(),
    users: new Map(),
    lapsedHolder: new Map(),
    expiries: new ExpiryHeap<Hold>(),
    counts: { available: total, held: 0, confirming: 0, booked: 0 },
    version: loaded.version,
    settings: { ...settings },
    bestAvailable: null,
  };
  for (let index = 0; index < loaded.bookedOrdinals.length; index++) {
    const ordinal = loaded.bookedOrdinals[index];
    invariant(ordinal >= 0 && ordinal < total, `load: booked ordinal ${ordinal} outside the layout`);
    invariant(state.status[ordinal] === available, `load: ordinal ${ordinal} booked twice`);
    state.status[ordinal] = booked;
    state.counts.available--;
    state.counts.booked++;
    tally(state, loaded.bookedUserIds[index]).booked++;
  }
  // Rows of one hold share hold id, status and payment (a confirm splits a hold into a new group).
  const groups = new Map<string, LoadedHoldRow[]>();
  for (const row of loaded.holds) {
    const key = `${row.holdId}\u0000${row.status}\u0000${row.paymentId ?? ""}\u0000${row.userId}`;
    let group = groups.get(key);
    if (!group) groups.set(key, (group = []));
    group.push(row);
  }
  for (const rows of groups.values()) {
    const first = rows[0];
    const ordinals = rows.map((row) => row.ordinal).sort((a, b) => a - b);
    for (const ordinal of ordinals) {
      invariant(ordinal >= 0 && ordinal < total, `load: held ordinal ${ordinal} outside the layout`);
      invariant(state.status[ordinal] === available, `load: ordinal ${ordinal} held and taken`);
    }
    const hold = addHold(state, {
      holdId: first.holdId,
      userId: first.userId,
      expiresAt: Math.min(...rows.map((row) => row.expiresAt)),
      ordinals,
      status: first.status,
      paymentId: first.paymentId,
    });
    if (hold.status === "confirming") {
      invariant(hold.paymentId !== null, "load: a confirming hold without a payment");
      invariant(!state.holdsByPayment.has(hold.paymentId), "load: two confirming holds share a payment");
      state.holdsByPayment.set(hold.paymentId, hold);
    } else {
      state.expiries.push(hold.expiresAt, hold);
    }
  }
  assertCounts(state);
  return state;
}

function tally(state: SeatState, userId: string): UserTally {
  let entry = state.users.get(userId);
  if (!entry) state.users.set(userId, (entry = { held: 0, booked: 0 }));
  return entry;
}

function dropTallyIfEmpty(state: SeatState, userId: string): void {
  const entry = state.users.get(userId);
  if (entry && entry.held === 0 && entry.booked === 0) state.users.delete(userId);
}

/** Places a hold on seats that are available now. */
function addHold(state: SeatState, input: Omit<Hold, "slot" | "live" | "amountCents">): Hold {
  const slot = state.freeHoldSlots.length > 0 ? state.freeHoldSlots.pop()! : state.holds.length;
  let amountCents = 0;
  for (const ordinal of input.ordinals) amountCents += state.prices[ordinal];
  const hold: Hold = { ...input, slot, live: true, amountCents };
  state.holds[slot] = hold;
  const code = hold.status === "held" ? held : confirming;
  for (const ordinal of hold.ordinals) {
    invariant(state.status[ordinal] === available, `hold on ordinal ${ordinal} that is not available`);
    state.status[ordinal] = code;
    state.holdIndex[ordinal] = slot;
    state.bestAvailable?.freeRuns.seatChanged(ordinal);
    // Kept while someone else holds the seat, so the former holder's late confirm says HOLD_EXPIRED.
    if (state.lapsedHolder.get(ordinal) === hold.userId) state.lapsedHolder.delete(ordinal);
  }
  state.counts.available -= hold.ordinals.length;
  if (code === held) state.counts.held += hold.ordinals.length;
  else state.counts.confirming += hold.ordinals.length;
  tally(state, hold.userId).held += hold.ordinals.length;
  return hold;
}

/**
 * Takes seats out of their hold (the hold ends when it has none left). The seats keep their status
 * code; the caller sets the new one and the counts.
 */
function detachFromHold(state: SeatState, hold: Hold, ordinals: number[]): void {
  const leaving = new Set(ordinals);
  hold.ordinals = hold.ordinals.filter((ordinal) => !leaving.has(ordinal));
  for (const ordinal of ordinals) {
    invariant(state.holdIndex[ordinal] === hold.slot, `ordinal ${ordinal} is not in hold ${hold.holdId}`);
    state.holdIndex[ordinal] = -1;
  }
  const entry = tally(state, hold.userId);
  entry.held -= ordinals.length;
  invariant(entry.held >= 0, `user ${hold.userId} holds a negative number of seats`);
  if (hold.ordinals.length === 0) endHold(state, hold);
  else {
    hold.amountCents = 0;
    for (const ordinal of hold.ordinals) hold.amountCents += state.prices[ordinal];
  }
}

function endHold(state: SeatState, hold: Hold): void {
  hold.live = false;
  state.holds[hold.slot] = null;
  state.freeHoldSlots.push(hold.slot);
  if (hold.paymentId !== null && state.holdsByPayment.get(hold.paymentId) === hold)
    state.holdsByPayment.delete(hold.paymentId);
}

function holdOf(state: SeatState, ordinal: number): Hold | null {
  const slot = state.holdIndex[ordinal];
  return slot < 0 ? null : state.holds[slot];
}

function setAvailable(state: SeatState, ordinals: number[], from: number): void {
  for (const ordinal of ordinals) {
    invariant(state.status[ordinal] === from, `ordinal ${ordinal} is not in the expected state`);
    state.status[ordinal] = available;
    state.bestAvailable?.freeRuns.seatChanged(ordinal);
  }
  state.counts.available += ordinals.length;
  if (from === held) state.counts.held -= ordinals.length;
  else if (from === confirming) state.counts.confirming -= ordinals.length;
  else invariant(false, "only held or confirming seats become available");
}

/** held + confirming + booked + available = total, and no count below zero. */
export function assertCounts(state: SeatState): void {
  const { available: a, held: h, confirming: c, booked: b } = state.counts;
  invariant(a >= 0 && h >= 0 && c >= 0 && b >= 0, "a seat count went below zero");
  invariant(a + h + c + b === state.total, "held + confirming + booked + available != total");
}

// --- reads --------------------------------------------------------------------------------------

/** A seat's public status at `now` (a held seat past its expiry is available). */
export function publicStatusAt(state: SeatState, ordinal: number, now: number): PublicSeatStatus {
  const code = state.status[ordinal];
  if (code === booked) return "booked";
  if (code === confirming) return "reserved";
  if (code === held) return state.holds[state.holdIndex[ordinal]]!.expiresAt > now ? "reserved" : "available";
  return "available";
}

/** One byte per seat: 0 available, 1 reserved, 2 booked (see seat-layout publicStatusCodes). */
export function publicStatuses(state: SeatState, now: number): Uint8Array {
  const out = new Uint8Array(state.total);
  const { status, holdIndex, holds } = state;
  for (let ordinal = 0; ordinal < state.total; ordinal++) {
    const code = status[ordinal];
    if (code === booked) out[ordinal] = 2;
    else if (code === confirming) out[ordinal] = 1;
    else if (code === held) out[ordinal] = holds[holdIndex[ordinal]]!.expiresAt > now ? 1 : 0;
  }
  return out;
}

/** When the next hold lapses (null if none is due to). Drops stale heap entries on the way. */
export function nextExpiryAt(state: SeatState): number | null {
  for (;;) {
    const top = state.expiries.peek();
    if (!top) return null;
    if (isCurrentExpiry(top.at, top.item)) return top.at;
    state.expiries.pop();
  }
}

const isCurrentExpiry = (at: number, hold: Hold): boolean =>
  hold.live && hold.status === "held" && hold.expiresAt === at;

/** Live holds (held or confirming): an actor with none may passivate. */
export const liveHoldCount = (state: SeatState): number => state.counts.held + state.counts.confirming;

// --- decide -------------------------------------------------------------------------------------

const ok = (value: unknown): Outcome => ({ ok: true, value });
const fail = (code: ErrorCode, message: string, details?: Record<string, unknown>): Outcome => ({
  ok: false,
  error: details ? { code, message, details } : { code, message },
});

export function decide(state: SeatState, command: Command, now: number): Decision {
  const effects: Effect[] = [];
  lapseDue(state, now, effects);
  let outcome: Outcome;
  switch (command.type) {
    case "reserve":
      outcome = reserve(state, command, now, effects);
      break;
    case "reserveBest":
      outcome = reserveBest(state, command, now, effects);
      break;
    case "release":
      outcome = release(state, command, effects);
      break;
    case "expire":
      outcome = ok({ lapsed: effects.length > 0 });
      break;
    case "confirmStart":
      outcome = confirmStart(state, command, effects);
      break;
    case "confirmComplete":
      outcome = confirmComplete(state, command, effects);
      break;
    case "confirmAbort":
      outcome = confirmAbort(state, command, now, effects);
      break;
    case "updateSettings":
      state.settings = { ...state.settings, ...command.settings };
      outcome = ok({});
      break;
    default:
      outcome = fail("VALIDATION_ERROR", "Unknown command");
  }
  assertCounts(state);
  return { state, effects, outcome };
}

/** Lapses every hold whose expiry is due at `now` (exactly at `expiresAt`). */
function lapseDue(state: SeatState, now: number, effects: Effect[]): void {
  for (;;) {
    const top = state.expiries.peek();
    if (!top || top.at > now) return;
    state.expiries.pop();
    if (isCurrentExpiry(top.at, top.item)) lapseHold(state, top.item, effects);
  }
}

function lapseHold(state: SeatState, hold: Hold, effects: Effect[]): void {
  const ordinals = hold.ordinals.slice();
  const userId = hold.userId;
  setAvailable(state, ordinals, hold.status === "held" ? held : confirming);
  detachFromHold(state, hold, ordinals);
  for (const ordinal of ordinals) state.lapsedHolder.set(ordinal, userId);
  effects.push({ type: "holdsDeleted", ordinals }, { type: "seatsChanged", ordinals, status: "available" });
  if (tally(state, userId).held === 0) effects.push({ type: "holdsEnded", userId, reason: "expired" });
  dropTallyIfEmpty(state, userId);
}

function checkOrdinals(state: SeatState, ordinals: number[]): Outcome | null {
  invariant(
    ordinals.length >= 1 && ordinals.length <= ticketsPerRequestMax,
    "a command names 1 to 10 tickets",
  );
  invariant(new Set(ordinals).size === ordinals.length, "a command names each ticket once");
  const unknown = ordinals.filter(
    (ordinal) => !(Number.isInteger(ordinal) && ordinal >= 0 && ordinal < state.total),
  );
  if (unknown.length > 0)
    return fail("NOT_FOUND", "Ticket not found", {
      ticketIds: unknown.map((ordinal) => ticketId(state.eventId, ordinal)),
    });
  if (!state.settings.active) return fail("NOT_FOUND", "Event not found");
  return null;
}

const ids = (state: SeatState, ordinals: number[]): string[] =>
  ordinals.map((ordinal) => ticketId(state.eventId, ordinal));

function reserve(
  state: SeatState,
  command: Extract<Command, { type: "reserve" }>,
  now: number,
  effects: Effect[],
): Outcome {
  const refused = checkOrdinals(state, command.ordinals);
  if (refused) return refused;
  const closed = saleClosed(state, now);
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
    const hold = placeHold(state, command.userId, command.holdId, fresh, now, effects);
    expiresAt = Math.min(expiresAt, hold.expiresAt);
  }
  return ok({
    eventId: state.eventId,
    ticketIds: ids(state, command.ordinals),
    expiresAt: new Date(expiresAt).toISOString(),
  });
}

/** NOT_ON_SALE before the sale opens and from the moment the event starts; null while on sale. */
function saleClosed(state: SeatState, now: number): Outcome | null {
  const { settings } = state;
  if (now < settings.onSaleAt)
    return fail("NOT_ON_SALE", "The sale has not started yet", {
      onSaleAt: new Date(settings.onSaleAt).toISOString(),
    });
  if (now >= settings.startsAt) return fail("NOT_ON_SALE", "The event has already started");
  return null;
}

/** TICKET_LIMIT_REACHED when `more` seats would take the user past the event's cap (held + booked). */
function userCapReached(state: SeatState, userId: string, more: number): Outcome | null {
  const cap = state.settings.ticketsPerUserMax;
  const entry = state.users.get(userId);
  const taken = entry ? entry.held + entry.booked : 0;
  if (taken + more <= cap) return null;
  return fail("TICKET_LIMIT_REACHED", `At most ${cap} tickets per person for this event (held and booked)`, {
    ticketsPerUserMax: cap,
    taken,
  });
}

/** Holds available seats for the user until now + TTL, with the effects that persist and publish it. */
function placeHold(
  state: SeatState,
  userId: string,
  holdId: string,
  ordinals: number[],
  now: number,
  effects: Effect[],
): Hold {
  const hold = addHold(state, {
    holdId,
    userId,
    expiresAt: now + state.settings.holdTtlMs,
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

/** The best-available index of the state, built on first use (O(seats) once, then O(changed rows)). */
function bestAvailableIndex(state: SeatState): BestAvailableIndex {
  if (state.bestAvailable) return state.bestAvailable;
  const rows = rankRows(state.layout);
  const status = state.status;
  // Free = available now: decide() lapsed every due hold before any command, so a lapsed hold is free.
  const freeRuns = new FreeRunIndex(rows, (ordinal) => status[ordinal] === available);
  state.bestAvailable = { rows, freeRuns };
  return state.bestAvailable;
}

function reserveBest(
  state: SeatState,
  command: Extract<Command, { type: "reserveBest" }>,
  now: number,
  effects: Effect[],
): Outcome {
  const { quantity } = command;
  invariant(
    Number.isInteger(quantity) && quantity >= 1 && quantity <= ticketsPerRequestMax,
    "a best-available command asks for 1 to 10 seats",
  );
  if (!state.settings.active) return fail("NOT_FOUND", "Event not found");
  const closed = saleClosed(state, now);
  if (closed) return closed;
  const overCap = userCapReached(state, command.userId, quantity);
  if (overCap) return overCap;

  const index = bestAvailableIndex(state);
  const status = state.status;
  const request: BestAvailableRequest = { quantity, adjacent: command.adjacent !== false };
  if (command.section !== undefined) request.section = command.section;
  if (command.maxPriceCents !== undefined) request.maxPriceCents = command.maxPriceCents;
  const chosen = chooseBestAvailable(
    index.rows,
    index.freeRuns,
    (ordinal) => status[ordinal] === available,
    request,
  );
  if (chosen === null)
    return fail("TICKET_UNAVAILABLE", `No ${quantity} seats fit this request right now`, {
      ticketIds: [],
      ...request,
      // What the actor saw: lets a client (and the concurrency test) tell "sold out" from "scattered".
      ticketsAvailable: state.counts.available,
    });
  invariant(
    chosen.length === quantity && chosen.every((ordinal) => status[ordinal] === available),
    "best available chose seats that are not free",
  );
  const hold = placeHold(state, command.userId, command.holdId, chosen, now, effects);
  return ok({
    eventId: state.eventId,
    ticketIds: ids(state, chosen),
    expiresAt: new Date(hold.expiresAt).toISOString(),
  });
}

const holdRow = (hold: Hold): HoldRow => ({
  holdId: hold.holdId,
  userId: hold.userId,
  status: hold.status,
  expiresAt: hold.expiresAt,
  paymentId: hold.paymentId,
});

/** Groups seats by the hold they are in (a command may span several holds of one user). */
function byHold(state: SeatState, ordinals: number[]): Map<Hold, number[]> {
  const groups = new Map<Hold, number[]>();
  for (const ordinal of ordinals) {
    const hold = holdOf(state, ordinal)!;
    let group = groups.get(hold);
    if (!group) groups.set(hold, (group = []));
    group.push(ordinal);
  }
  return groups;
}

function release(
  state: SeatState,
  command: Extract<Command, { type: "release" }>,
  effects: Effect[],
): Outcome {
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
  if (mine.length > 0) {
    for (const [hold, ordinals] of byHold(state, mine)) {
      setAvailable(state, ordinals, held);
      detachFromHold(state, hold, ordinals);
    }
    effects.push(
      { type: "holdsDeleted", ordinals: mine },
      { type: "seatsChanged", ordinals: mine, status: "available" },
    );
    if (tally(state, command.userId).held === 0)
      effects.push({ type: "holdsEnded", userId: command.userId, reason: "released" });
    dropTallyIfEmpty(state, command.userId);
  }
  return ok({ eventId: state.eventId, ticketIds: ids(state, mine) });
}

function confirmStart(
  state: SeatState,
  command: Extract<Command, { type: "confirmStart" }>,
  effects: Effect[],
): Outcome {
  const refused = checkOrdinals(state, command.ordinals);
  if (refused) return refused;
  const existing = state.holdsByPayment.get(command.paymentId);
  if (existing) {
    // The same command again (a retry after a lost reply): the same answer, nothing new.
    const same =
      existing.userId === command.userId &&
      existing.ordinals.length === command.ordinals.length &&
      command.ordinals.every((ordinal) => state.holdIndex[ordinal] === existing.slot);
    invariant(same, "payment id reused for other seats");
    return ok(confirmStarted(state, existing));
  }
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

  // Every seat is held by the caller: move them into one confirming hold that cannot lapse.
  const sources = byHold(state, command.ordinals);
  let expiresAt = Number.POSITIVE_INFINITY;
  let holdId = "";
  for (const [hold, ordinals] of sources) {
    expiresAt = Math.min(expiresAt, hold.expiresAt);
    holdId ||= hold.holdId;
    for (const ordinal of ordinals) state.status[ordinal] = available;
    state.counts.held -= ordinals.length;
    state.counts.available += ordinals.length;
    detachFromHold(state, hold, ordinals);
  }
  const ordinals = command.ordinals.slice().sort((a, b) => a - b);
  const hold = addHold(state, {
    holdId,
    userId: command.userId,
    expiresAt,
    ordinals,
    status: "confirming",
    paymentId: command.paymentId,
  });
  state.holdsByPayment.set(command.paymentId, hold);
  effects.push(
    { type: "holdsPut", ordinals, hold: holdRow(hold) },
    {
      type: "paymentIntent",
      paymentId: command.paymentId,
      userId: command.userId,
      idempotencyKey: command.idempotencyKey,
      holdId,
      ordinals,
      amountCents: hold.amountCents,
    },
  );
  return ok(confirmStarted(state, hold));
}

const confirmStarted = (state: SeatState, hold: Hold) => ({
  eventId: state.eventId,
  paymentId: hold.paymentId,
  amountCents: hold.amountCents,
  ticketIds: ids(state, hold.ordinals),
  holdExpiresAt: new Date(hold.expiresAt).toISOString(),
});

function confirmComplete(
  state: SeatState,
  command: Extract<Command, { type: "confirmComplete" }>,
  effects: Effect[],
): Outcome {
  const hold = state.holdsByPayment.get(command.paymentId);
  // Not (or no longer) confirming: already booked by an earlier call, or given back. The caller reads
  // the payment's durable record to tell which.
  if (!hold) return ok({ booked: false });
  invariant(hold.live && hold.status === "confirming", "a payment maps to a hold that is not confirming");
  const ordinals = hold.ordinals.slice();
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
  });
}

function confirmAbort(
  state: SeatState,
  command: Extract<Command, { type: "confirmAbort" }>,
  now: number,
  effects: Effect[],
): Outcome {
  const hold = state.holdsByPayment.get(command.paymentId);
  if (!hold) return ok({ aborted: false });
  state.holdsByPayment.delete(command.paymentId);
  effects.push({ type: "paymentAbandoned", paymentId: command.paymentId });
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

// --- full check (activation, tests) --------------------------------------------------------------

/** Checks every invariant of the state in O(seats); returns the violations found. */
export function findInvariantViolations(state: SeatState, now?: number): string[] {
  const problems: string[] = [];
  const counted = { available: 0, held: 0, confirming: 0, booked: 0 };
  const userHeld = new Map<string, number>();
  const userBooked = new Map<string, number>();
  for (let ordinal = 0; ordinal < state.total; ordinal++) {
    const code = state.status[ordinal];
    const slot = state.holdIndex[ordinal];
    if (code === available || code === booked) {
      if (slot !== -1)
        problems.push(`ordinal ${ordinal}: ${code === booked ? "booked" : "available"} but in a hold`);
      if (code === available) counted.available++;
      else counted.booked++;
      continue;
    }
    const hold = slot >= 0 ? state.holds[slot] : null;
    if (!hold || !hold.live) {
      problems.push(`ordinal ${ordinal}: held without a live hold`);
      continue;
    }
    if (!hold.ordinals.includes(ordinal)) problems.push(`ordinal ${ordinal}: not listed by its hold`);
    if ((code === held) !== (hold.status === "held"))
      problems.push(`ordinal ${ordinal}: status differs from its hold`);
    if (code === held) counted.held++;
    else counted.confirming++;
    userHeld.set(hold.userId, (userHeld.get(hold.userId) ?? 0) + 1);
    if (now !== undefined && code === held && hold.expiresAt <= now)
      problems.push(`ordinal ${ordinal}: held past its expiry after a command at ${now}`);
  }
  for (const key of ["available", "held", "confirming", "booked"] as const) {
    if (counted[key] !== state.counts[key])
      problems.push(`count of ${key}: ${state.counts[key]} recorded, ${counted[key]} found`);
  }
  if (counted.available + counted.held + counted.confirming + counted.booked !== state.total)
    problems.push("held + booked + available != total");
  for (const hold of state.holds) {
    if (!hold) continue;
    if (!hold.live) problems.push(`hold ${hold.holdId} in a slot but ended`);
    if (hold.ordinals.length === 0) problems.push(`hold ${hold.holdId} has no seats`);
    for (const ordinal of hold.ordinals)
      if (state.holdIndex[ordinal] !== hold.slot)
        problems.push(`hold ${hold.holdId} lists ${ordinal} it does not own`);
    if (
      hold.status === "confirming" &&
      (hold.paymentId === null || state.holdsByPayment.get(hold.paymentId) !== hold)
    )
      problems.push(`confirming hold ${hold.holdId} is not indexed by its payment`);
  }
  for (const [userId, entry] of state.users) {
    if ((userHeld.get(userId) ?? 0) !== entry.held) problems.push(`user ${userId}: held count differs`);
    userBooked.set(userId, entry.booked);
  }
  for (const [userId, count] of userHeld)
    if (!state.users.has(userId) && count > 0) problems.push(`user ${userId}: holds seats but has no tally`);
  let bookedByUsers = 0;
  for (const count of userBooked.values()) bookedByUsers += count;
  if (bookedByUsers !== counted.booked) problems.push("booked seats differ from the users' booked counts");
  if (state.bestAvailable) {
    const { rows, freeRuns } = state.bestAvailable;
    rows.rows.forEach((row, rowNumber) => {
      let longest = 0;
      let run = 0;
      for (let ordinal = row.firstOrdinal; ordinal < row.firstOrdinal + row.seatCount; ordinal++) {
        run = state.status[ordinal] === available ? run + 1 : 0;
        if (run > longest) longest = run;
      }
      if (freeRuns.longestFreeRun(rowNumber) !== longest)
        problems.push(
          `row ${rowNumber}: free-run index says ${freeRuns.longestFreeRun(rowNumber)}, seats say ${longest}`,
        );
    });
  }
  return problems;
}
