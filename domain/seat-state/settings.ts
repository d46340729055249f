// Update the sale settings the actor enforces, when an admin changes or deletes the event
// (catalog.eventChanged): only the fields given change (a field sent as undefined is not given); holds
// already placed keep their expiry.
import { ok, type CommandOf, type Outcome } from "./decision.ts";
import type { SeatState } from "./state.ts";

export function updateSettings(state: SeatState, command: CommandOf<"updateSettings">): Outcome {
  const given = Object.entries(command.settings).filter(([, value]) => value !== undefined);
  state.settings = { ...state.settings, ...Object.fromEntries(given) };
  return ok({});
}
