// The seat state of one event and the pure decision function of its actor:
// `decide(state, command, now) -> {state, effects, outcome}`. No I/O, no clock, no randomness
// (ids come in the command). The state is updated in place (see seat-state/state.ts); this module is
// the dispatcher and the one module callers import. Each use case is a module of seat-state/:
// reserve, reserve-best, release, confirm, settings; expiry lapses due holds; admission is the waiting
// room's rule around both reserves, presale the presale codes' around reserves and confirms;
// invariants checks it all.
import { nameSpentAdmissions, underAdmission } from "./seat-state/admission.ts";
import { commandRefusal } from "./seat-state/command-checks.ts";
import { confirmAbort, confirmComplete, confirmStart } from "./seat-state/confirm.ts";
import { fail, ok, type Command, type Decision, type Effect, type Outcome } from "./seat-state/decision.ts";
import { lapseDue } from "./seat-state/expiry.ts";
import { confirmCompleteUnderPresale, confirmStartUnderPresale, underPresale } from "./seat-state/presale.ts";
import { cancelBooking } from "./seat-state/cancel.ts";
import { release } from "./seat-state/release.ts";
import { reserve } from "./seat-state/reserve.ts";
import { reserveBest } from "./seat-state/reserve-best.ts";
import { updateSettings } from "./seat-state/settings.ts";
import { assertCounts, type SeatState } from "./seat-state/state.ts";
import { joinWaitlist, leaveWaitlist, settleWaitlist } from "./seat-state/waitlist.ts";

export type { Command, Decision, Effect, Outcome } from "./seat-state/decision.ts";
export { findInvariantViolations } from "./seat-state/invariants.ts";
export { maxActiveShoppersOf, type LoadedAdmission } from "./seat-state/admission.ts";
export type { LoadedPresaleCode } from "./seat-state/presale-ledger.ts";
export { nextExpiryAt } from "./seat-state/expiry.ts";
export {
  assertCounts,
  available,
  booked,
  confirming,
  createSeatState,
  held,
  liveHoldCount,
  publicStatusAt,
  publicStatuses,
  type BestAvailableIndex,
  type Hold,
  type HoldRow,
  type LoadedHoldRow,
  type LoadedSeats,
  type PublicSeatStatus,
  type SaleSettings,
  type SeatState,
} from "./seat-state/state.ts";

/**
 * Refuses a malformed command (seat-state/command-checks.ts), lapses the holds due at `now` (a hold
 * past its time is available even before a timer fires), then routes the command to its use case.
 * Holds that end name the admission they spent, as of then (seat-state/admission.ts).
 */
export function decide(state: SeatState, command: Command, now: number): Decision {
  // A malformed command is refused before anything happens (its holds are not even lapsed).
  const malformed = commandRefusal(command);
  if (malformed) return { state, effects: [], outcome: malformed };
  const effects: Effect[] = [];
  lapseDue(state, now, effects);
  // Seats that lapsed go to the waiting list before the command could take them (waitlist.ts).
  settleWaitlist(state, now, effects, 0);
  nameSpentAdmissions(state, effects, 0);
  const routedFrom = effects.length;
  const outcome = route(state, command, now, effects);
  settleWaitlist(state, now, effects, routedFrom);
  nameSpentAdmissions(state, effects, routedFrom);
  assertCounts(state);
  return { state, effects, outcome };
}

function route(state: SeatState, command: Command, now: number, effects: Effect[]): Outcome {
  switch (command.type) {
    case "reserve":
      return underPresale(state, command, now, effects, (...a) => underAdmission(...a, reserve));
    case "reserveBest":
      return underPresale(state, command, now, effects, (...a) => underAdmission(...a, reserveBest));
    case "release":
      return release(state, command, effects);
    case "expire":
      // Only lapses: decide() did that before routing.
      return ok({ lapsed: effects.length > 0 });
    case "confirmStart":
      return confirmStartUnderPresale(state, command, effects, confirmStart);
    case "confirmComplete":
      return confirmCompleteUnderPresale(state, command, now, effects, confirmComplete);
    case "confirmAbort":
      return confirmAbort(state, command, now, effects);
    case "waitlistJoin":
      return joinWaitlist(state, command, effects);
    case "waitlistLeave":
      return leaveWaitlist(state, command, effects);
    case "cancelBooking":
      return cancelBooking(state, command, effects);
    case "updateSettings":
      return updateSettings(state, command);
    default:
      return fail("VALIDATION_ERROR", "Unknown command");
  }
}
