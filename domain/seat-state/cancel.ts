// Cancellation of a booking by its organiser: its booked seats come back (to the waiting list first:
// seat-state.ts settles it in the same decision). The caller read the booking's seats, user and
// payment from Postgres; the commit refuses the command alone if the booking is no longer confirmed
// (cancelled meanwhile), so seats booked again since are never freed by a stale cancellation.
import { ok, type CommandOf, type Effect, type Outcome } from "./decision.ts";
import { checkOrdinals } from "./request-checks.ts";
import { available, booked, dropTallyIfEmpty, tally, type SeatState } from "./state.ts";

export function cancelBooking(
  state: SeatState,
  command: CommandOf<"cancelBooking">,
  effects: Effect[],
): Outcome {
  const refused = checkOrdinals(state, command.ordinals);
  if (refused) return refused;
  // Not all booked: this booking was cancelled before (its seats came back); the caller reads its record.
  if (!command.ordinals.every((ordinal) => state.status[ordinal] === booked)) return ok({ cancelled: false });
  const ordinals = command.ordinals.slice().sort((a, b) => a - b);
  for (const ordinal of ordinals) {
    state.status[ordinal] = available;
    state.bestAvailable?.freeRuns.seatChanged(ordinal);
  }
  state.counts.booked -= ordinals.length;
  state.counts.available += ordinals.length;
  const entry = tally(state, command.userId);
  entry.booked = Math.max(0, entry.booked - ordinals.length);
  dropTallyIfEmpty(state, command.userId);
  effects.push(
    {
      type: "bookingCancelled",
      bookingId: command.bookingId,
      userId: command.userId,
      paymentId: command.paymentId,
      ordinals,
      reason: command.reason,
    },
    { type: "seatsChanged", ordinals, status: "available" },
  );
  return ok({ cancelled: true });
}
