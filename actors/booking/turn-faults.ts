// After phase 1 of a turn: the actors whose decision of a command threw. decide() refuses malformed
// commands with an outcome and its invariants guard the state, so a throw means a bug met a command
// or a state it did not expect. The worker does not stop for it: the command is quarantined (answered
// 500 once, never decided again: sent again it would only throw again), the actor's state is dropped
// (it may be half-changed; nothing of it was committed), and the actor reloads from Postgres for the
// commands decided before it this turn (decided again, in order: nothing of theirs was answered) and
// those still queued. The other events of the worker keep serving all along.
import { hasErrorCode } from "../../domain/errors.ts";
import { expireRequestId, quarantinedError } from "./actor.ts";
import type { Reply, WorkerFault } from "./protocol.ts";
import type { DecidedTurn } from "./turn-decide.ts";
import type { SettleHost } from "./turn-settle.ts";

/** Quarantines each faulted command (its 500 joins `turn.replies`) and reloads its actor. */
export function quarantineFaults(turn: DecidedTurn, host: SettleHost): WorkerFault[] {
  const faults: WorkerFault[] = [];
  for (const { actor, request, error, decidedBefore } of turn.faults) {
    const reason = hasErrorCode(error, "INVARIANT_VIOLATION") ? "invariant" : "exception";
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    const quarantined = request.id === expireRequestId ? 0 : 1;
    if (quarantined)
      turn.replies.push({ id: request.id, ok: false, error: quarantinedError } satisfies Reply);
    host.log(
      "error",
      `a ${describe(request.command)} command of ${actor.eventId} threw (${message}): answered 500 ` +
        `and set aside; the actor reloads with ${decidedBefore.length + actor.mailbox.length} queued`,
    );
    host.forget(actor);
    actor.mailbox = [...decidedBefore, ...actor.mailbox];
    if (actor.mailbox.length > 0) host.reactivate(actor);
    faults.push({ reason, eventId: actor.eventId, message, quarantined });
  }
  return faults;
}

/** The command's type for the log, whatever arrived. */
function describe(command: unknown): string {
  const type = (command as { type?: unknown } | null)?.type;
  return typeof type === "string" ? JSON.stringify(type.slice(0, 40)) : "malformed";
}
