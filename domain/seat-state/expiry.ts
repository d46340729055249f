// Holds are data: a hold has `expiresAt`, and decide() lapses every hold that is due (`expiresAt <= now`)
// before any command, so a hold past its time is available even before a timer fires. The heap of
// expiries keeps stale entries (a hold released, confirmed or aborted since) and skips them here.
import type { Effect } from "./decision.ts";
import {
  confirming,
  detachFromHold,
  dropTallyIfEmpty,
  held,
  setAvailable,
  tally,
  type Hold,
  type SeatState,
} from "./state.ts";

const isCurrentExpiry = (at: number, hold: Hold): boolean =>
  hold.live && hold.status === "held" && hold.expiresAt === at;

/** When the next hold lapses (null if none is due to). Drops stale heap entries on the way. */
export function nextExpiryAt(state: SeatState): number | null {
  for (;;) {
    const top = state.expiries.peek();
    if (!top) return null;
    if (isCurrentExpiry(top.at, top.item)) return top.at;
    state.expiries.pop();
  }
}

/** Lapses every hold whose expiry is due at `now` (exactly at `expiresAt`). */
export function lapseDue(state: SeatState, now: number, effects: Effect[]): void {
  for (;;) {
    const top = state.expiries.peek();
    if (!top || top.at > now) return;
    state.expiries.pop();
    if (isCurrentExpiry(top.at, top.item)) lapseHold(state, top.item, effects);
  }
}

/** Frees the seats of a hold whose time is up, remembering who held them (for HOLD_EXPIRED). */
export function lapseHold(state: SeatState, hold: Hold, effects: Effect[]): void {
  const ordinals = hold.ordinals.slice();
  const userId = hold.userId;
  setAvailable(state, ordinals, hold.status === "held" ? held : confirming);
  detachFromHold(state, hold, ordinals);
  for (const ordinal of ordinals) state.lapsedHolder.set(ordinal, userId);
  effects.push({ type: "holdsDeleted", ordinals }, { type: "seatsChanged", ordinals, status: "available" });
  if (tally(state, userId).held === 0) effects.push({ type: "holdsEnded", userId, reason: "expired" });
  dropTallyIfEmpty(state, userId);
}
