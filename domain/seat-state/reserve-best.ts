// Reserve best available: the actor chooses the seats (domain/best-available.ts) over its free-run
// index and holds them in the same command, under the same sale window, cap and TTL as a reserve by ids.
import { chooseBestAvailable, FreeRunIndex, rankRows, type BestAvailableRequest } from "../best-available.ts";
import { invariant } from "../errors.ts";
import { fail, ids, ok, type CommandOf, type Effect, type Outcome } from "./decision.ts";
import { placeHold } from "./reserve.ts";
import { saleClosed, userCapReached } from "./request-checks.ts";
import { available, type BestAvailableIndex, type SeatState } from "./state.ts";

export function reserveBest(
  state: SeatState,
  command: CommandOf<"reserveBest">,
  now: number,
  effects: Effect[],
): Outcome {
  const { quantity } = command; // 1 to ticketsPerRequestMax (command-checks.ts)
  if (!state.settings.active) return fail("NOT_FOUND", "Event not found");
  const closed = saleClosed(state, now, command.presale !== undefined);
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
  const hold = placeHold(state, command.userId, command.holdId, chosen, now, effects, command.admission);
  return ok({
    eventId: state.eventId,
    ticketIds: ids(state, chosen),
    expiresAt: new Date(hold.expiresAt).toISOString(),
  });
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
