// The presale rule around reserve and confirm (issue 18). Before the event's onSaleAt, a reserve with
// a presale code (the booking service found it and passed its definition: PresaleGrant) may hold seats
// while the code's presale window is open, it has uses left and fewer than presaleHoldsPerUseMax live
// holds per use left; the hold remembers the code (presale-ledger.ts). A code is used by a booking,
// never by a hold: confirmStart of a hold taken with a code reserves one of its uses (refused, with
// nothing changed, when bookings and confirms in flight took them all: the loser of a race on the last
// use keeps its hold, which lapses or is released as any other, and may confirm should the winner's
// payment fail); the booking (confirmComplete) counts the use and writes it in the same commit
// (`presaleUsed`). A released or lapsed hold gives nothing away: its use was never taken. Once the sale
// is open a code is not needed: one sent then is ignored (the hold is an ordinary one, no use taken).
import { presaleHoldsPerUseMax } from "../limits.ts";
import { fail, type CommandOf, type Effect, type Outcome, type PresaleGrant } from "./decision.ts";
import { codeOfHoldId, holdIdWithCode, type PresaleCodeTally, type PresaleLedger } from "./presale-ledger.ts";
import { holdOf, type SeatState } from "./state.ts";

type ReserveCommand = CommandOf<"reserve"> | CommandOf<"reserveBest">;
type UseCase<C> = (state: SeatState, command: C, now: number, effects: Effect[]) => Outcome;

const messages = {
  not_started: "This presale has not started yet",
  ended: "This presale has ended",
  used_up: "This presale code has been used up",
  holds_full: "This presale code is holding as many seats as it may book: try again shortly",
  mixed: "These tickets were held with different presale codes: confirm each code's tickets on their own",
} as const;

const invalid = (reason: keyof typeof messages): Outcome =>
  fail("PRESALE_CODE_INVALID", messages[reason], { reason });

/** Runs a reserve use case under the presale rule (a command without a code goes straight through). */
export function underPresale<C extends ReserveCommand>(
  state: SeatState,
  command: C,
  now: number,
  effects: Effect[],
  reserveUseCase: UseCase<C>,
): Outcome {
  const grant = command.presale;
  if (grant === undefined) return reserveUseCase(state, command, now, effects);
  if (!isGrant(grant))
    return fail("VALIDATION_ERROR", "A presale names its code, window and uses", { field: "presale" });
  if (now >= state.settings.onSaleAt) {
    delete command.presale; // on sale: the code is neither needed nor used
    return reserveUseCase(state, command, now, effects);
  }
  // A retry of a reserve whose seats the caller holds already (a lost reply) answers as before.
  if (heldByCaller(state, command)) return reserveUseCase(state, command, now, effects);
  const tally = tallyOf(ledgerOf(state), grant);
  const refusal = reserveRefusal(tally, grant, now);
  if (refusal) return refusal;
  command.holdId = holdIdWithCode(command.holdId, grant.codeId);
  const from = effects.length;
  const outcome = reserveUseCase(state, command, now, effects);
  if (outcome.ok) {
    // The new hold, if any (seats the caller held already make none).
    const put = effects.slice(from).find((e) => e.type === "holdsPut" && e.hold.holdId === command.holdId);
    if (put?.type === "holdsPut") tally.holds.add(holdOf(state, put.ordinals[0])!);
  }
  return outcome;
}

/** A reserve by ids of seats all held by the caller: it places no hold. */
function heldByCaller(state: SeatState, command: ReserveCommand): boolean {
  if (command.type !== "reserve") return false;
  return command.ordinals.every(
    (ordinal) => ordinal < state.total && holdOf(state, ordinal)?.userId === command.userId,
  );
}

function reserveRefusal(tally: PresaleCodeTally, grant: PresaleGrant, now: number): Outcome | null {
  if (now < grant.startsAtMs) return invalid("not_started");
  if (now >= grant.endsAtMs) return invalid("ended");
  const left = tally.usesPerCode - tally.uses;
  if (left <= 0) return invalid("used_up");
  if (liveHolds(tally) >= left * presaleHoldsPerUseMax) return invalid("holds_full");
  return null;
}

/** confirmStart under the presale rule: a hold taken with a code reserves one of its uses. */
export function confirmStartUnderPresale(
  state: SeatState,
  command: CommandOf<"confirmStart">,
  effects: Effect[],
  confirmStart: (state: SeatState, command: CommandOf<"confirmStart">, effects: Effect[]) => Outcome,
): Outcome {
  // A repeated confirmStart answers what the first did.
  if (state.holdsByPayment.has(command.paymentId)) return confirmStart(state, command, effects);
  const codes = codesHeld(state, command);
  if (codes.size === 0) return confirmStart(state, command, effects);
  if (codes.size > 1) return invalid("mixed");
  const [codeId] = codes;
  const tally = ledgerOf(state).codes.get(codeId);
  if (!tally || tally.uses + confirmingHolds(tally) >= tally.usesPerCode) return invalid("used_up");
  const from = effects.length;
  const outcome = confirmStart(state, command, effects);
  if (!outcome.ok) return outcome;
  // The confirming hold takes its first hold's id: make sure it names the code (the rows say so too).
  const hold = state.holdsByPayment.get(command.paymentId)!;
  const holdId = holdIdWithCode(hold.holdId, codeId);
  if (hold.holdId !== holdId) {
    hold.holdId = holdId;
    for (const effect of effects.slice(from))
      if (effect.type === "holdsPut" && effect.hold.paymentId === command.paymentId)
        effect.hold = { ...effect.hold, holdId };
  }
  tally.holds.add(hold);
  return outcome;
}

/** confirmComplete under the presale rule: a booking of a hold taken with a code uses the code. */
export function confirmCompleteUnderPresale(
  state: SeatState,
  command: CommandOf<"confirmComplete">,
  now: number,
  effects: Effect[],
  confirmComplete: UseCase<CommandOf<"confirmComplete">>,
): Outcome {
  const hold = state.holdsByPayment.get(command.paymentId);
  const codeId = hold ? codeOfHoldId(hold.holdId) : null;
  const outcome = confirmComplete(state, command, now, effects);
  if (codeId === null || !outcome.ok || outcome.value?.booked !== true) return outcome;
  const tally = ledgerOf(state).codes.get(codeId);
  if (tally) tally.uses++;
  effects.push({ type: "presaleUsed", codeId, bookingId: command.bookingId });
  return outcome;
}

/** The codes of the caller's held seats named by a confirm. */
function codesHeld(state: SeatState, command: CommandOf<"confirmStart">): Set<string> {
  const codes = new Set<string>();
  for (const ordinal of command.ordinals) {
    if (ordinal >= state.total) continue;
    const hold = holdOf(state, ordinal);
    if (!hold || hold.userId !== command.userId || hold.status !== "held") continue;
    const codeId = codeOfHoldId(hold.holdId);
    if (codeId !== null) codes.add(codeId);
  }
  return codes;
}

/** The ledger, with the holds loaded at activation sorted to their codes on first use. */
function ledgerOf(state: SeatState): PresaleLedger {
  const ledger = state.presales;
  if (ledger.holdsFound) return ledger;
  ledger.holdsFound = true;
  for (const hold of state.holds) {
    const codeId = hold?.live ? codeOfHoldId(hold.holdId) : null;
    if (codeId === null) continue;
    // Activation loads every code with a live hold; one missing may take no more holds or confirms.
    let tally = ledger.codes.get(codeId);
    if (!tally) ledger.codes.set(codeId, (tally = { usesPerCode: 0, uses: 0, holds: new Set() }));
    tally.holds.add(hold!);
  }
  return ledger;
}

function tallyOf(ledger: PresaleLedger, grant: PresaleGrant): PresaleCodeTally {
  let tally = ledger.codes.get(grant.codeId);
  if (!tally) ledger.codes.set(grant.codeId, (tally = { usesPerCode: 0, uses: 0, holds: new Set() }));
  tally.usesPerCode = grant.usesPerCode; // fixed at the presale's creation
  return tally;
}

/** Live holds of a code (ended ones pruned). */
function liveHolds(tally: PresaleCodeTally): number {
  for (const hold of tally.holds) if (!hold.live) tally.holds.delete(hold);
  return tally.holds.size;
}

/** Holds of a code being paid for: each has one of its uses reserved. */
function confirmingHolds(tally: PresaleCodeTally): number {
  let count = 0;
  for (const hold of tally.holds) if (hold.live && hold.status === "confirming") count++;
  return count;
}

/**
 * The presale invariants (paranoid checks): no code has more bookings and confirms in flight than its
 * uses; every live hold taken with a code is counted by it (once the loaded holds were sorted).
 */
export function presaleViolations(state: SeatState): string[] {
  const problems: string[] = [];
  const ledger = state.presales;
  for (const [codeId, tally] of ledger.codes)
    if (tally.usesPerCode > 0 && tally.uses + confirmingHolds(tally) > tally.usesPerCode)
      problems.push(`presale code ${codeId}: more bookings and confirms than its ${tally.usesPerCode} uses`);
  if (!ledger.holdsFound) return problems;
  for (const hold of state.holds) {
    const codeId = hold?.live ? codeOfHoldId(hold.holdId) : null;
    if (codeId !== null && !ledger.codes.get(codeId)?.holds.has(hold!))
      problems.push(`hold ${hold!.holdId}: taken with a presale code that does not count it`);
  }
  return problems;
}

function isGrant(value: unknown): value is PresaleGrant {
  const grant = value as Partial<PresaleGrant> | null;
  return (
    typeof grant === "object" &&
    grant !== null &&
    typeof grant.codeId === "string" &&
    grant.codeId.length > 0 &&
    !grant.codeId.includes("~") &&
    Number.isSafeInteger(grant.startsAtMs) &&
    Number.isSafeInteger(grant.endsAtMs) &&
    Number.isSafeInteger(grant.usesPerCode) &&
    grant.usesPerCode! >= 1
  );
}
