// Phase 1 of a turn: every ready actor decides its queued commands (up to turnCommandsMax in all)
// against its in-memory state. Nothing is answered yet (durable before acknowledged), except reads,
// which see committed state only. A command whose decision throws is a fault of that actor only: its
// state is no longer trusted, its work of this turn is dropped (turn-faults.ts quarantines the
// command and reloads the actor), and the other actors decide on.
import { InternalFault } from "../../domain/errors.ts";
import { turnCommandsMax } from "../../domain/limits.ts";
import {
  decide,
  findInvariantViolations,
  type Command,
  type Decision,
  publicStatuses,
  type Effect,
  type Outcome,
  type SeatState,
} from "../../domain/seat-state.ts";
import type { Actor, Envelope } from "./actor.ts";
import type { ActorRequest, Reply, SeatMapSnapshot } from "./protocol.ts";

type CommandRequest = Extract<ActorRequest, { kind: "command" }>;

/** What one actor decided this turn: the effects to commit and the outcomes to answer after. */
export interface ActorWork {
  actor: Actor;
  effects: Effect[];
  outcomes: { id: number; outcome: Outcome }[];
  /** The requests decided, in the order of `outcomes` (sent again should the commit refuse one). */
  decided: Envelope[];
  /** The latest clock among its commands that decide() caught the state up with (lapses done). */
  now: number;
}

export interface DecidedTurn {
  /** Answers that need no commit (reads). */
  replies: Reply[];
  work: ActorWork[];
  commands: number;
  /** decide() time of each best-available command (metrics). */
  bestAvailableDecideMs: number[];
  /** Actors whose decision of a command threw: none of their work is in `work`. */
  faults: DecideFault[];
}

/** A command whose decision threw, and what its actor had decided before it this turn. */
export interface DecideFault {
  actor: Actor;
  request: CommandRequest;
  error: unknown;
  /** The actor's commands decided earlier this turn: nothing of theirs is committed or answered. */
  decidedBefore: Envelope[];
}

export interface DecideOptions {
  /** Check every invariant of each touched seat state after its commands (O(seats); tests). */
  paranoid?: boolean;
  nextHoldId(): string;
  /** Whether this worker's commits claimed this Idempotency-Key already (see claimedKeysRememberedMax). */
  keyClaimed?(eventId: string, userId: string, key: string): boolean;
  /** Told of the command about to be decided, then of null once it is (see ActorHostOptions). */
  deciding?(request: CommandRequest | null): void;
}

export function decideTurn(actors: Iterable<Actor>, options: DecideOptions): DecidedTurn {
  const turn: DecidedTurn = { replies: [], work: [], commands: 0, bestAvailableDecideMs: [], faults: [] };
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
  const decided: Envelope[] = [];
  const work: ActorWork = { actor, effects: [], outcomes: [], decided, now: 0 };
  let taken = 0;
  while (taken < actor.mailbox.length && taken < budget) {
    const envelope = actor.mailbox[taken];
    const { request, now } = envelope;
    if (request.kind === "seatMap") {
      // Reads see committed state only: one behind this turn's commands waits for the next turn.
      if (work.outcomes.length > 0) break;
      turn.replies.push({ id: request.id, ok: true, value: snapshot(state, now) });
    } else {
      try {
        decideCommand(actor, request, now, work, turn, options);
      } catch (error) {
        // This actor's state may be half-changed: none of its work goes to the commit.
        actor.mailbox.splice(0, taken + 1);
        turn.commands -= decided.length;
        turn.faults.push({ actor, request, error, decidedBefore: decided });
        return taken + 1;
      }
      decided.push(envelope);
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
  request: CommandRequest,
  now: number,
  work: ActorWork,
  turn: DecidedTurn,
  options: DecideOptions,
): void {
  const command = request.command;
  // A malformed command (even null) is decide()'s to refuse: nothing here may trip over it.
  const type = (command as Partial<Command> | null)?.type;
  if (type === "expire") actor.expireQueued = false;
  if ((command?.type === "reserve" || command?.type === "reserveBest") && !command.holdId)
    command.holdId = options.nextHoldId();
  if (command?.type === "confirmStart" && reclaimed(actor, command, options)) {
    // Refused undecided: its holds are not lapsed, so `now` is not a clock the state caught up with.
    work.outcomes.push({ id: request.id, outcome: keyTaken(command.paymentId) });
    turn.commands++;
    return;
  }
  const timed = type === "reserveBest";
  const started = timed ? performance.now() : 0;
  let decision: Decision;
  try {
    options.deciding?.(request);
    decision = decide(actor.state!, command, now);
  } finally {
    options.deciding?.(null);
  }
  if (timed) turn.bestAvailableDecideMs.push(performance.now() - started);
  // decide() lapsed the holds due at `now` unless it refused a malformed command outright (no effects,
  // not ok): only then does the paranoid check hold the state to `now`.
  if (decision.outcome.ok || decision.effects.length > 0) work.now = Math.max(work.now, now);
  for (const effect of decision.effects) work.effects.push(effect);
  work.outcomes.push({ id: request.id, outcome: decision.outcome });
  turn.commands++;
}

/** A confirm claiming a key this worker's commits claimed before (not a retry of the same payment). */
const reclaimed = (
  actor: Actor,
  command: Extract<Command, { type: "confirmStart" }>,
  options: DecideOptions,
): boolean =>
  command.requestHash !== undefined &&
  command.keyFreed !== true &&
  !actor.state!.holdsByPayment.has(command.paymentId) &&
  options.keyClaimed?.(actor.eventId, command.userId, command.idempotencyKey) === true;

/** The refusal the commit would give (turn-settle.ts), without the commit. */
const keyTaken = (paymentId: string): Outcome => ({
  ok: false,
  error: {
    code: "IDEMPOTENCY_KEY_TAKEN",
    message: "This Idempotency-Key is already claimed",
    details: { paymentId },
  },
});

function snapshot(state: SeatState, now: number): SeatMapSnapshot {
  return {
    eventId: state.eventId,
    version: state.version,
    layout: state.layout,
    statuses: publicStatuses(state, now),
  };
}
