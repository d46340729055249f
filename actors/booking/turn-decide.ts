// Phase 1 of a turn: every ready actor decides its queued commands (up to turnCommandsMax in all)
// against its in-memory state. Nothing is answered yet (durable before acknowledged), except reads,
// which see committed state only.
import { InternalFault } from "../../domain/errors.ts";
import { turnCommandsMax } from "../../domain/limits.ts";
import {
  decide,
  findInvariantViolations,
  publicStatuses,
  type Effect,
  type Outcome,
  type SeatState,
} from "../../domain/seat-state.ts";
import type { Actor } from "./actor.ts";
import type { ActorRequest, Reply, SeatMapSnapshot } from "./protocol.ts";

/** What one actor decided this turn: the effects to commit and the outcomes to answer after. */
export interface ActorWork {
  actor: Actor;
  effects: Effect[];
  outcomes: { id: number; outcome: Outcome }[];
  /** The latest clock among its commands. */
  now: number;
}

export interface DecidedTurn {
  /** Answers that need no commit (reads). */
  replies: Reply[];
  work: ActorWork[];
  commands: number;
  /** decide() time of each best-available command (metrics). */
  bestAvailableDecideMs: number[];
}

export interface DecideOptions {
  /** Check every invariant of each touched seat state after its commands (O(seats); tests). */
  paranoid?: boolean;
  nextHoldId(): string;
}

export function decideTurn(actors: Iterable<Actor>, options: DecideOptions): DecidedTurn {
  const turn: DecidedTurn = { replies: [], work: [], commands: 0, bestAvailableDecideMs: [] };
  let budget = turnCommandsMax;
  for (const actor of actors) {
    if (budget <= 0) break;
    if (actor.phase !== "ready" || actor.mailbox.length === 0) continue;
    budget -= decideActor(actor, budget, turn, options);
  }
  return turn;
}

/** Decides the head of one actor's mailbox; returns how many requests it took. */
function decideActor(actor: Actor, budget: number, turn: DecidedTurn, options: DecideOptions): number {
  const state = actor.state!;
  const work: ActorWork = { actor, effects: [], outcomes: [], now: 0 };
  let taken = 0;
  while (taken < actor.mailbox.length && taken < budget) {
    const { request, now } = actor.mailbox[taken];
    if (request.kind === "seatMap") {
      // Reads see committed state only: one behind this turn's commands waits for the next turn.
      if (work.outcomes.length > 0) break;
      turn.replies.push({ id: request.id, ok: true, value: snapshot(state, now) });
    } else {
      decideCommand(actor, request, now, work, turn, options);
    }
    taken++;
  }
  actor.mailbox.splice(0, taken);
  if (work.outcomes.length === 0) return taken;
  if (options.paranoid) {
    const problems = findInvariantViolations(state, work.now);
    if (problems.length > 0)
      throw new InternalFault(
        "INVARIANT_VIOLATION",
        `event ${actor.eventId}: ${problems.slice(0, 5).join("; ")}`,
      );
  }
  turn.work.push(work);
  return taken;
}

function decideCommand(
  actor: Actor,
  request: Extract<ActorRequest, { kind: "command" }>,
  now: number,
  work: ActorWork,
  turn: DecidedTurn,
  options: DecideOptions,
): void {
  const command = request.command;
  if (command.type === "expire") actor.expireQueued = false;
  if ((command.type === "reserve" || command.type === "reserveBest") && !command.holdId)
    command.holdId = options.nextHoldId();
  work.now = Math.max(work.now, now);
  const timed = command.type === "reserveBest";
  const started = timed ? performance.now() : 0;
  const decision = decide(actor.state!, command, now);
  if (timed) turn.bestAvailableDecideMs.push(performance.now() - started);
  for (const effect of decision.effects) work.effects.push(effect);
  work.outcomes.push({ id: request.id, outcome: decision.outcome });
  turn.commands++;
}

function snapshot(state: SeatState, now: number): SeatMapSnapshot {
  return {
    eventId: state.eventId,
    version: state.version,
    layout: state.layout,
    statuses: publicStatuses(state, now),
  };
}
