// Update the sale settings the actor enforces, when an admin changes or deletes the event
// (catalog.eventChanged): only the fields given change; holds already placed keep their expiry.
import { ok, type CommandOf, type Outcome } from "./decision.ts";
import type { SeatState } from "./state.ts";

export function updateSettings(state: SeatState, command: CommandOf<"updateSettings">): Outcome {
  state.settings = { ...state.settings, ...command.settings };
  return ok({});
}
