// The seat state of one event: its types, its construction (empty or from what Postgres holds), the
// small steps every use case is built from (place a hold, take seats out of one, free seats) and the
// public reads. For speed the state is owned by exactly one actor and updated in place (typed arrays
// for 100,000+ seats); when a commit fails, the shell throws the whole state away and reloads it.
import type { FreeRunIndex, RankedRows } from "../best-available.ts";
import { invariant } from "../errors.ts";
import { ExpiryHeap } from "../expiry-heap.ts";
import { pricesByOrdinal, type SeatLayout } from "../seat-layout.ts";
import { createAdmissionLedger, type AdmissionLedger, type LoadedAdmission } from "./admission.ts";
import { createWaitlistLedger, type WaitlistLedger } from "./waitlist-ledger.ts";
import type { LoadedWaitlist } from "./waitlist-types.ts";
import { createPresaleLedger, type LoadedPresaleCode, type PresaleLedger } from "./presale-ledger.ts";

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
  /** The event's waiting room lets this many users hold seats at once; null (or absent): no waiting room. */
  maxActiveShoppers?: number | null;
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

export interface UserTally {
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
  /** Users holding seats (held or confirming): the active shoppers of a waiting room (admission.ts). */
  holders: number;
  /** Waiting-room admissions that took a hold, until they expire (admission.ts). */
  admissions: AdmissionLedger;
  /** Presale codes: their bookings and live holds (presale.ts). */
  presales: PresaleLedger;
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
  /** The waiting list of a sold-out event (waitlist.ts). */
  waitlist: WaitlistLedger;
}

export interface BestAvailableIndex {
  rows: RankedRows;
  freeRuns: FreeRunIndex;
}

/** A hold as persisted, one row per seat. */
export interface HoldRow {
  holdId: string;
  userId: string;
  status: "held" | "confirming";
  expiresAt: number;
  paymentId: string | null;
}

// --- construction -------------------------------------------------------------------------------

export interface LoadedHoldRow extends HoldRow {
  ordinal: number;
}

export interface LoadedSeats {
  /** Booked seats and the user who booked each. */
  bookedOrdinals: number[];
  bookedUserIds: string[];
  holds: LoadedHoldRow[];
  version: number;
  admissions?: LoadedAdmission[];
  waitlist?: LoadedWaitlist;
  presaleCodes?: LoadedPresaleCode[];
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
    holders: 0,
    admissions: createAdmissionLedger(loaded.admissions),
    presales: createPresaleLedger(loaded.presaleCodes),
    lapsedHolder: new Map(),
    expiries: new ExpiryHeap<Hold>(),
    counts: { available: total, held: 0, confirming: 0, booked: 0 },
    version: loaded.version,
    settings: { ...settings },
    bestAvailable: null,
    waitlist: createWaitlistLedger(loaded.waitlist),
  };
  loadBooked(state, loaded);
  loadHolds(state, loaded.holds);
  assertCounts(state);
  return state;
}

function loadBooked(state: SeatState, loaded: LoadedSeats): void {
  for (let index = 0; index < loaded.bookedOrdinals.length; index++) {
    const ordinal = loaded.bookedOrdinals[index];
    invariant(ordinal >= 0 && ordinal < state.total, `load: booked ordinal ${ordinal} outside the layout`);
    invariant(state.status[ordinal] === available, `load: ordinal ${ordinal} booked twice`);
    state.status[ordinal] = booked;
    state.counts.available--;
    state.counts.booked++;
    tally(state, loaded.bookedUserIds[index]).booked++;
  }
}

function loadHolds(state: SeatState, rows: LoadedHoldRow[]): void {
  // Rows of one hold share hold id, status and payment (a confirm splits a hold into a new group).
  const groups = new Map<string, LoadedHoldRow[]>();
  for (const row of rows) {
    const key = `${row.holdId}\u0000${row.status}\u0000${row.paymentId ?? ""}\u0000${row.userId}`;
    let group = groups.get(key);
    if (!group) groups.set(key, (group = []));
    group.push(row);
  }
  for (const group of groups.values()) {
    const first = group[0];
    const ordinals = group.map((row) => row.ordinal).sort((a, b) => a - b);
    for (const ordinal of ordinals) {
      invariant(ordinal >= 0 && ordinal < state.total, `load: held ordinal ${ordinal} outside the layout`);
      invariant(state.status[ordinal] === available, `load: ordinal ${ordinal} held and taken`);
    }
    const hold = addHold(state, {
      holdId: first.holdId,
      userId: first.userId,
      expiresAt: Math.min(...group.map((row) => row.expiresAt)),
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
}

// --- the steps every use case is built from -----------------------------------------------------

export function tally(state: SeatState, userId: string): UserTally {
  let entry = state.users.get(userId);
  if (!entry) state.users.set(userId, (entry = { held: 0, booked: 0 }));
  return entry;
}

export function dropTallyIfEmpty(state: SeatState, userId: string): void {
  const entry = state.users.get(userId);
  if (entry && entry.held === 0 && entry.booked === 0) state.users.delete(userId);
}

/** Places a hold on seats that are available now. */
export function addHold(state: SeatState, input: Omit<Hold, "slot" | "live" | "amountCents">): Hold {
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
  const entry = tally(state, hold.userId);
  if (entry.held === 0) state.holders++;
  entry.held += hold.ordinals.length;
  return hold;
}

/**
 * Takes seats out of their hold (the hold ends when it has none left). The seats keep their status
 * code; the caller sets the new one and the counts.
 */
export function detachFromHold(state: SeatState, hold: Hold, ordinals: number[]): void {
  const leaving = new Set(ordinals);
  hold.ordinals = hold.ordinals.filter((ordinal) => !leaving.has(ordinal));
  for (const ordinal of ordinals) {
    invariant(state.holdIndex[ordinal] === hold.slot, `ordinal ${ordinal} is not in hold ${hold.holdId}`);
    state.holdIndex[ordinal] = -1;
  }
  const entry = tally(state, hold.userId);
  entry.held -= ordinals.length;
  invariant(entry.held >= 0, `user ${hold.userId} holds a negative number of seats`);
  if (entry.held === 0 && ordinals.length > 0) state.holders--;
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

export function holdOf(state: SeatState, ordinal: number): Hold | null {
  const slot = state.holdIndex[ordinal];
  return slot < 0 ? null : state.holds[slot];
}

/** Groups seats by the hold they are in (a command may span several holds of one user). */
export function byHold(state: SeatState, ordinals: number[]): Map<Hold, number[]> {
  const groups = new Map<Hold, number[]>();
  for (const ordinal of ordinals) {
    const hold = holdOf(state, ordinal)!;
    let group = groups.get(hold);
    if (!group) groups.set(hold, (group = []));
    group.push(ordinal);
  }
  return groups;
}

export function setAvailable(state: SeatState, ordinals: number[], from: number): void {
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

/** Live holds (held or confirming): an actor with none may passivate. */
export const liveHoldCount = (state: SeatState): number => state.counts.held + state.counts.confirming;
