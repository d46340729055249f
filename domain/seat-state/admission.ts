// The admission rule of an event with a waiting room (`settings.maxActiveShoppers` set). An admission
// is one waiting-room token: user, event and expiry (tokens are deterministic, so the expiry names
// it); the booking service checked its signature before the reserve got here. While unexpired it lets
// its user take holds, and the first hold it takes uses it. The user is active while they hold seats
// (held or confirming); once their last hold ends (booked, released, lapsed), the admissions they used
// are spent: a reserve with one is refused (403 ADMISSION_REQUIRED, reason "spent") and they join the
// waiting room again. A user who holds nothing may start holding only while fewer than
// `maxActiveShoppers` users hold seats. A hold taken under an admission lapses at the token's expiry
// at the latest, so an expiring token ends its user's activity too. Used admissions are remembered
// (persisted by the group commit, loaded at activation) until they expire: from then on the token is
// refused for its expiry anyway.
import { normalizeWaitingRoom, type WaitingRoomSettings } from "../event.ts";
import { ExpiryHeap } from "../expiry-heap.ts";
import { activeShoppersFullRetryAfterSeconds, usedAdmissionsPerEventMax } from "../limits.ts";
import { fail, type Admission, type CommandOf, type Effect, type Outcome } from "./decision.ts";
import type { SeatState } from "./state.ts";

type ReserveCommand = CommandOf<"reserve"> | CommandOf<"reserveBest">;

/** A used admission as persisted. */
export interface LoadedAdmission {
  userId: string;
  expiresAtMs: number;
}

/** The admissions of an event that have taken a hold and have not expired yet. */
export interface AdmissionLedger {
  /** By user: the expiry of each admission they used (one, unless they were admitted again). */
  used: Map<string, number[]>;
  /** The same entries, soonest expiry first: forgotten in that order. */
  expiries: ExpiryHeap<string>;
  size: number;
}

export function createAdmissionLedger(loaded: LoadedAdmission[] = []): AdmissionLedger {
  const ledger: AdmissionLedger = { used: new Map(), expiries: new ExpiryHeap<string>(), size: 0 };
  for (const admission of loaded) remember(ledger, admission.userId, admission.expiresAtMs);
  return ledger;
}

/** The actor's `maxActiveShoppers` for an event's waiting-room settings: null when it has none. */
export function maxActiveShoppersOf(
  waitingRoom: Partial<WaitingRoomSettings> | null | undefined,
): number | null {
  if (waitingRoom?.enabled !== true) return null;
  return normalizeWaitingRoom(waitingRoom).maxActiveShoppers;
}

const admissionRequired = (state: SeatState): boolean => typeof state.settings.maxActiveShoppers === "number";

/** When a hold placed at `now` lapses: after the hold TTL, and no later than its admission expires. */
export function holdExpiresAt(state: SeatState, now: number, admission: Admission | undefined): number {
  const end = now + state.settings.holdTtlMs;
  if (!admissionRequired(state) || admission === undefined) return end;
  return Math.min(end, admission.expiresAtMs);
}

/**
 * Runs a reserve use case under the event's admission rule: refused (nothing changes) when the rule
 * says no; when it holds seats, the admission is recorded as used (`admissionUsed`).
 */
export function underAdmission<C extends ReserveCommand>(
  state: SeatState,
  command: C,
  now: number,
  effects: Effect[],
  reserveUseCase: (state: SeatState, command: C, now: number, effects: Effect[]) => Outcome,
): Outcome {
  if (!admissionRequired(state)) return reserveUseCase(state, command, now, effects);
  const refusal = admissionRefusal(state, command, now, effects);
  if (refusal) return refusal;
  const { userId } = command;
  const { expiresAtMs } = command.admission!;
  const known = isUsed(state.admissions, userId, expiresAtMs);
  const outcome = reserveUseCase(state, command, now, effects);
  if (outcome.ok && !known) {
    remember(state.admissions, userId, expiresAtMs);
    effects.push({ type: "admissionUsed", userId, expiresAtMs });
  }
  return outcome;
}

/**
 * Names on each `holdsEnded` in `effects` from `from` on the latest admission its user used: spent
 * now, so the waiting room stops answering it (a newer admission of theirs stays). Called as the
 * holds end (a reserve later in the same command may use a newer admission).
 */
export function nameSpentAdmissions(state: SeatState, effects: Effect[], from: number): void {
  for (let index = from; index < effects.length; index++) {
    const effect = effects[index];
    if (effect.type !== "holdsEnded") continue;
    const used = state.admissions.used.get(effect.userId);
    if (used) effect.admissionExpiresAtMs = Math.max(...used);
  }
}

/** Why this reserve may not go on under the admission rule, or null when it may. */
function admissionRefusal(
  state: SeatState,
  command: ReserveCommand,
  now: number,
  effects: Effect[],
): Outcome | null {
  const admission = command.admission;
  if (admission === undefined) return refused("missing");
  if (!isAdmission(admission))
    return fail("VALIDATION_ERROR", "An admission names its token's expiry (an integer of ms)", {
      field: "admission",
    });
  if (admission.expiresAtMs <= now) return refused("expired");
  forgetExpired(state.admissions, now, effects);
  const known = isUsed(state.admissions, command.userId, admission.expiresAtMs);
  // Someone who holds seats is active already: more seats (within the per-user cap) change no count.
  const holding = (state.users.get(command.userId)?.held ?? 0) > 0;
  if (!holding && known) return refused("spent");
  const cap = state.settings.maxActiveShoppers!;
  if (!holding && state.holders >= cap)
    return overloaded("Every shopping place of this event is taken: try again shortly", {
      reason: "full",
      maxActiveShoppers: cap,
    });
  if (!known && state.admissions.size >= usedAdmissionsPerEventMax)
    return overloaded("More shoppers than this event can keep track of: try again shortly", {
      reason: "tracking_full",
    });
  return null;
}

const refusalMessages = {
  missing: "This event has a waiting room: send the admission token (X-Admission-Token) you got from it",
  expired: "The admission token has expired: join the waiting room again",
  spent: "This admission was used up when your holds ended: join the waiting room again",
} as const;

const refused = (reason: keyof typeof refusalMessages): Outcome =>
  fail("ADMISSION_REQUIRED", refusalMessages[reason], { reason });

const overloaded = (message: string, details: Record<string, unknown>): Outcome => ({
  ok: false,
  error: { code: "OVERLOADED", message, details, retryAfterSeconds: activeShoppersFullRetryAfterSeconds },
});

function isAdmission(value: unknown): value is Admission {
  return (
    typeof value === "object" &&
    value !== null &&
    Number.isSafeInteger((value as { expiresAtMs?: unknown }).expiresAtMs)
  );
}

function isUsed(ledger: AdmissionLedger, userId: string, expiresAtMs: number): boolean {
  return ledger.used.get(userId)?.includes(expiresAtMs) ?? false;
}

function remember(ledger: AdmissionLedger, userId: string, expiresAtMs: number): void {
  const expiries = ledger.used.get(userId);
  if (expiries?.includes(expiresAtMs)) return;
  if (expiries) expiries.push(expiresAtMs);
  else ledger.used.set(userId, [expiresAtMs]);
  ledger.expiries.push(expiresAtMs, userId);
  ledger.size++;
}

/** Forgets the admissions expired by `now`, and has their rows deleted (`admissionsExpired`). */
function forgetExpired(ledger: AdmissionLedger, now: number, effects: Effect[]): void {
  let forgot = false;
  for (;;) {
    const top = ledger.expiries.peek();
    if (!top || top.at > now) break;
    ledger.expiries.pop();
    const expiries = ledger.used.get(top.item)!;
    const left = expiries.filter((expiresAtMs) => expiresAtMs !== top.at);
    if (left.length > 0) ledger.used.set(top.item, left);
    else ledger.used.delete(top.item);
    ledger.size--;
    forgot = true;
  }
  if (forgot) effects.push({ type: "admissionsExpired", upToMs: now });
}
