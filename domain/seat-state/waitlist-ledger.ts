// The waiting list as the event's actor keeps it in memory: its open entries (waiting or offered), the
// waiting ones in list order, and how many wait for each quantity (so a seat that comes back is
// matched without scanning the list when no entry can use it). Built from Postgres at activation.
import { ticketsPerRequestMax } from "../limits.ts";
import type { LoadedWaitlist, WaitlistRow } from "./waitlist-types.ts";

export interface WaitEntry extends WaitlistRow {
  status: "waiting" | "offered";
}

export interface WaitlistLedger {
  /** Open entries by user. */
  entries: Map<string, WaitEntry>;
  /** Waiting entries in list order (seq ascending). */
  waiting: WaitEntry[];
  /** Entries holding an offer. */
  offered: Set<WaitEntry>;
  /** Waiting entries per quantity (index 1 to ticketsPerRequestMax). */
  waitingByQuantity: number[];
  /** The seq the next join gets (one past the highest ever written for the event). */
  nextSeq: number;
}

export function createWaitlistLedger(loaded?: LoadedWaitlist): WaitlistLedger {
  const ledger: WaitlistLedger = {
    entries: new Map(),
    waiting: [],
    offered: new Set(),
    waitingByQuantity: new Array(ticketsPerRequestMax + 1).fill(0),
    nextSeq: (loaded?.maxSeq ?? 0) + 1,
  };
  const rows = (loaded?.entries ?? []).slice().sort((a, b) => a.seq - b.seq);
  for (const row of rows) {
    if (row.status !== "waiting" && row.status !== "offered") continue;
    const entry: WaitEntry = { ...row, status: row.status };
    ledger.entries.set(entry.userId, entry);
    if (entry.status === "offered") ledger.offered.add(entry);
    else {
      ledger.waiting.push(entry);
      ledger.waitingByQuantity[entry.quantity]++;
    }
  }
  return ledger;
}

/** The smallest quantity any entry waits for (Infinity when none waits). */
export function smallestWaitingQuantity(ledger: WaitlistLedger): number {
  for (let quantity = 1; quantity < ledger.waitingByQuantity.length; quantity++)
    if (ledger.waitingByQuantity[quantity] > 0) return quantity;
  return Number.POSITIVE_INFINITY;
}

/** Takes a waiting entry out of the waiting order (it got an offer, or left). */
export function stopWaiting(ledger: WaitlistLedger, entry: WaitEntry): void {
  const index = ledger.waiting.indexOf(entry);
  if (index >= 0) {
    ledger.waiting.splice(index, 1);
    ledger.waitingByQuantity[entry.quantity]--;
  }
}

/** An entry as the commit writes it. */
export const waitlistRow = (entry: WaitlistRow): WaitlistRow => ({
  userId: entry.userId,
  seq: entry.seq,
  quantity: entry.quantity,
  status: entry.status,
  holdId: entry.holdId,
  offer: entry.offer === null ? null : entry.offer.slice(),
  offerExpiresAt: entry.offerExpiresAt,
});
