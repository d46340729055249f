// The shell around the pure event actors of one worker: mailboxes, activation, the turn loop with
// group commit, fencing outcomes, passivation. It runs inside a worker thread (event-worker.ts) but
// has no thread code itself, so tests can run two hosts side by side (e.g. a forced split brain).
//
// One turn: take the waiting commands of every ready actor (up to turnCommandsMax), decide each one
// against the in-memory state, commit all their effects in ONE transaction, and only then reply to
// all of them and publish the seat deltas. While a commit is in flight, new commands queue and form
// the next turn's batch: the busier the worker, the bigger the batch.
import type { Database } from "../../platform/database.ts";
import type { HoldsEnded, SeatChange, SeatsChanged } from "../../domain/messages.ts";
import { newId, ticketId } from "../../domain/ids.ts";
import {
  actorIdleMs,
  actorMailboxMax,
  actorPassivationCheckMs,
  turnCommandsMax,
} from "../../domain/limits.ts";
import { hasErrorCode, InternalFault, invariant, type ErrorFacts } from "../../domain/errors.ts";
import {
  createSeatState,
  decide,
  findInvariantViolations,
  liveHoldCount,
  nextExpiryAt,
  publicStatuses,
  type Effect,
  type Outcome,
  type PublicSeatStatus,
  type SeatState,
} from "../../domain/seat-state.ts";
import { activate, commitBatches, type EventBatch } from "./persistence.ts";
import type { ActorRequest, CommitStats, HostOutput, Reply, SeatMapSnapshot } from "./protocol.ts";

interface Envelope {
  request: ActorRequest;
  now: number;
}

interface Actor {
  eventId: string;
  phase: "activating" | "ready";
  state: SeatState | null;
  epoch: number;
  mailbox: Envelope[];
  /** Wall-clock ms of the last request (passivation). */
  lastActiveAt: number;
  expireQueued: boolean;
}

export interface ActorHostOptions {
  db: Database;
  owner: string;
  holdTtlMs: number;
  /** Check every invariant of each touched seat state after every turn (O(seats); tests). */
  paranoid?: boolean;
  output(output: HostOutput): void;
  /** A broken invariant or a database that disagrees with memory: the worker must stop loudly. */
  fatal(error: Error): void;
  log(level: "warn" | "error", message: string): void;
}

const expireRequestId = -1;

export const staleOwnerError: ErrorFacts = {
  code: "STALE_OWNER",
  message: "Another node or worker owns this event now",
};
const unavailableError: ErrorFacts = {
  code: "UNAVAILABLE",
  message: "The booking engine could not store this change; retry shortly",
  retryAfterSeconds: 1,
};

export class ActorHost {
  private readonly actors = new Map<string, Actor>();
  private turnScheduled = false;
  private committing: Promise<void> | null = null;
  private stopping = false;
  private readonly passivation: NodeJS.Timeout;

  constructor(private readonly options: ActorHostOptions) {
    this.passivation = setInterval(() => this.passivateIdle(), actorPassivationCheckMs);
    this.passivation.unref();
  }

  /** Hold ids: a random prefix per host and a counter (no random bytes per reserve). */
  private readonly holdIdPrefix = newId("hd", 6);
  private holdCounter = 0;
  private nextHoldId(): string {
    return `${this.holdIdPrefix}${(this.holdCounter++).toString(36)}`;
  }

  get activeActors(): number {
    return this.actors.size;
  }

  /** Requests from the main thread; `now` is the main thread's clock when it sent them. */
  submit(requests: ActorRequest[], now: number): void {
    const early: Reply[] = [];
    for (const request of requests) {
      if (this.stopping) {
        early.push({ id: request.id, ok: false, error: staleOwnerError });
        continue;
      }
      let actor = this.actors.get(request.eventId);
      if (!actor) {
        if (request.kind === "command" && request.ifActive) {
          early.push({ id: request.id, ok: true, value: { active: false } });
          continue;
        }
        actor = this.createActor(request.eventId, []);
      }
      // The main thread bounds requests in flight per event; this is the backstop.
      invariant(actor.mailbox.length < actorMailboxMax * 2, `mailbox of ${request.eventId} overflowed`);
      actor.mailbox.push({ request, now });
      actor.lastActiveAt = Date.now();
    }
    if (early.length > 0) this.emit(early, [], [], null);
    this.scheduleTurn();
  }

  /** Queues an expire command for every actor with a hold due at `now`. */
  tick(now: number): void {
    let queued = false;
    for (const actor of this.actors.values()) {
      if (actor.phase !== "ready" || actor.expireQueued) continue;
      const next = nextExpiryAt(actor.state!);
      if (next === null || next > now) continue;
      actor.mailbox.push({
        request: {
          kind: "command",
          id: expireRequestId,
          eventId: actor.eventId,
          command: { type: "expire" },
        },
        now,
      });
      actor.expireQueued = true;
      queued = true;
    }
    if (queued) this.scheduleTurn();
    else this.emit([], [], [], null); // re-arms the main thread's timer
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.passivation);
    while (this.committing) await this.committing;
    const replies: Reply[] = [];
    for (const actor of this.actors.values()) {
      for (const envelope of actor.mailbox)
        if (envelope.request.id !== expireRequestId)
          replies.push({ id: envelope.request.id, ok: false, error: staleOwnerError });
    }
    this.actors.clear();
    if (replies.length > 0) this.emit(replies, [], [], null);
  }

  private createActor(eventId: string, mailbox: Envelope[]): Actor {
    const actor: Actor = {
      eventId,
      phase: "activating",
      state: null,
      epoch: 0,
      mailbox,
      lastActiveAt: Date.now(),
      expireQueued: false,
    };
    this.actors.set(eventId, actor);
    activate(this.options.db, eventId, this.options.owner).then(
      (activation) => {
        if (this.actors.get(eventId) !== actor) return;
        if (!activation) {
          this.actors.delete(eventId);
          this.failMailbox(actor, { code: "NOT_FOUND", message: "Event not found" });
          return;
        }
        const state = createSeatState(
          eventId,
          activation.layout,
          { ...activation.settings, holdTtlMs: this.options.holdTtlMs },
          activation.loaded,
        );
        const problems = findInvariantViolations(state);
        if (problems.length > 0)
          return this.options.fatal(
            new InternalFault("INVARIANT_VIOLATION", `activation of ${eventId}: ${problems.join("; ")}`),
          );
        actor.state = state;
        actor.epoch = activation.epoch;
        actor.phase = "ready";
        this.scheduleTurn();
      },
      (error: Error) => {
        if (this.actors.get(eventId) !== actor) return;
        this.actors.delete(eventId);
        if (hasErrorCode(error, "STALE_EPOCH")) return this.failMailbox(actor, staleOwnerError);
        if (hasErrorCode(error, "INVARIANT_VIOLATION")) return this.options.fatal(error);
        this.options.log("error", `activation of ${eventId} failed: ${error.message}`);
        this.failMailbox(actor, unavailableError);
      },
    );
    return actor;
  }

  private failMailbox(actor: Actor, error: ErrorFacts): void {
    const replies: Reply[] = [];
    for (const envelope of actor.mailbox)
      if (envelope.request.id !== expireRequestId)
        replies.push({ id: envelope.request.id, ok: false, error });
    actor.mailbox = [];
    if (replies.length > 0) this.emit(replies, [], [], null);
  }

  private scheduleTurn(): void {
    if (this.turnScheduled || this.committing) return;
    this.turnScheduled = true;
    setImmediate(() => {
      this.turnScheduled = false;
      this.turn().catch((error: Error) => this.options.fatal(error));
    });
  }

  private async turn(): Promise<void> {
    if (this.committing) return;
    const replies: Reply[] = [];
    const work: {
      actor: Actor;
      effects: Effect[];
      outcomes: { id: number; outcome: Outcome }[];
      now: number;
    }[] = [];
    let budget = turnCommandsMax;
    let commands = 0;
    const bestAvailableDecideMs: number[] = [];
    for (const actor of this.actors.values()) {
      if (budget <= 0) break;
      if (actor.phase !== "ready" || actor.mailbox.length === 0) continue;
      const state = actor.state!;
      const effects: Effect[] = [];
      const outcomes: { id: number; outcome: Outcome }[] = [];
      let taken = 0;
      let now = 0;
      while (taken < actor.mailbox.length && budget > 0) {
        const { request, now: requestNow } = actor.mailbox[taken];
        if (request.kind === "seatMap") {
          // Reads see committed state only: one behind this turn's commands waits for the next turn.
          if (outcomes.length > 0) break;
          replies.push({ id: request.id, ok: true, value: this.snapshot(state, requestNow) });
        } else {
          const command = request.command;
          if (command.type === "expire") actor.expireQueued = false;
          if (command.type === "reserve" && !command.holdId) command.holdId = this.nextHoldId();
          now = Math.max(now, requestNow);
          const timed = command.type === "reserveBest";
          if (timed && !command.holdId) command.holdId = this.nextHoldId();
          const started = timed ? performance.now() : 0;
          const decision = decide(state, command, requestNow);
          if (timed) bestAvailableDecideMs.push(performance.now() - started);
          for (const effect of decision.effects) effects.push(effect);
          if (request.id !== expireRequestId) outcomes.push({ id: request.id, outcome: decision.outcome });
          else outcomes.push({ id: expireRequestId, outcome: decision.outcome });
          commands++;
        }
        taken++;
        budget--;
      }
      actor.mailbox.splice(0, taken);
      if (this.options.paranoid && outcomes.length > 0) {
        const problems = findInvariantViolations(state, now);
        if (problems.length > 0)
          throw new InternalFault(
            "INVARIANT_VIOLATION",
            `event ${actor.eventId}: ${problems.slice(0, 5).join("; ")}`,
          );
      }
      if (outcomes.length > 0) work.push({ actor, effects, outcomes, now });
    }

    // Every actor that answered a command is fenced, also when it wrote nothing: a "no" (not booked,
    // not yours, unavailable) from a stale actor's memory must not reach anyone either.
    const batches: EventBatch[] = [];
    for (const item of work) {
      const changed = item.effects.some((effect) => effect.type === "seatsChanged");
      const version = item.actor.state!.version;
      batches.push({
        eventId: item.actor.eventId,
        epoch: item.actor.epoch,
        fromVersion: version,
        toVersion: changed ? version + 1 : version,
        effects: item.effects,
      });
    }

    let stale = new Set<string>();
    let failure: Error | null = null;
    let stats: CommitStats | null = null;
    if (batches.length > 0) {
      const started = performance.now();
      let release!: () => void;
      this.committing = new Promise<void>((resolve) => (release = resolve));
      try {
        const result = await commitBatches(this.options.db, batches);
        stale = new Set(result.stale);
        stats = {
          commands,
          events: batches.length - result.stale.length,
          rows: result.rows,
          statements: result.statements,
          seatChanges: 0,
          durationMs: performance.now() - started,
          stale: result.stale.length,
          failed: false,
          bestAvailableDecideMs,
        };
      } catch (error) {
        failure = error as Error;
        stats = {
          commands,
          events: 0,
          rows: 0,
          statements: 0,
          seatChanges: 0,
          durationMs: performance.now() - started,
          stale: 0,
          failed: true,
          bestAvailableDecideMs,
        };
      } finally {
        this.committing = null;
        release();
      }
      if (failure && isDivergence(failure)) {
        // Memory and database disagree (or a unique key stopped a second booking): stop loudly.
        this.options.fatal(
          new InternalFault("INVARIANT_VIOLATION", `group commit refused: ${failure.message}`),
        );
        return;
      }
      if (failure) this.options.log("error", `group commit failed: ${failure.message}`);
    }

    const seatsChanged: SeatsChanged[] = [];
    const holdsEnded: HoldsEnded[] = [];
    const committedAt = Date.now();
    for (const { actor, effects, outcomes } of work) {
      const wrote = effects.length > 0;
      if (stale.has(actor.eventId)) {
        // Fenced out: nothing of this turn was written; every command goes back to be re-routed.
        this.actors.delete(actor.eventId);
        for (const { id } of outcomes)
          if (id !== expireRequestId) replies.push({ id, ok: false, error: staleOwnerError });
        for (const envelope of actor.mailbox)
          if (envelope.request.id !== expireRequestId)
            replies.push({ id: envelope.request.id, ok: false, error: staleOwnerError });
        this.options.log("warn", `actor of ${actor.eventId} was fenced out (epoch ${actor.epoch}); stopped`);
        continue;
      }
      if (failure) {
        // Nothing was written: forget this state, reload from Postgres for what is still queued.
        this.actors.delete(actor.eventId);
        for (const { id } of outcomes)
          if (id !== expireRequestId) replies.push({ id, ok: false, error: unavailableError });
        if (actor.mailbox.length > 0) this.createActor(actor.eventId, actor.mailbox);
        continue;
      }
      for (const { id, outcome } of outcomes) {
        if (id === expireRequestId) continue;
        replies.push(
          outcome.ok ? { id, ok: true, value: outcome.value } : { id, ok: false, error: outcome.error },
        );
      }
      if (!wrote) continue;
      const batch = batches.find((item) => item.eventId === actor.eventId)!;
      const state = actor.state!;
      state.version = batch.toVersion;
      const changes = new Map<number, PublicSeatStatus>();
      for (const effect of effects) {
        if (effect.type === "seatsChanged")
          for (const ordinal of effect.ordinals) changes.set(ordinal, effect.status);
        else if (effect.type === "holdsEnded")
          holdsEnded.push({ eventId: actor.eventId, userId: effect.userId, reason: effect.reason });
      }
      if (changes.size > 0) {
        const list: SeatChange[] = [];
        for (const [ordinal, status] of changes)
          list.push({ ticketId: ticketId(actor.eventId, ordinal), status });
        seatsChanged.push({
          eventId: actor.eventId,
          fromVersion: batch.fromVersion,
          toVersion: batch.toVersion,
          changes: list,
          committedAt,
        });
        if (stats) stats.seatChanges += list.length;
      }
    }
    this.emit(replies, seatsChanged, holdsEnded, stats);
    for (const actor of this.actors.values()) {
      if (actor.phase === "ready" && actor.mailbox.length > 0) {
        this.scheduleTurn();
        break;
      }
    }
  }

  private snapshot(state: SeatState, now: number): SeatMapSnapshot {
    return {
      eventId: state.eventId,
      version: state.version,
      layout: state.layout,
      statuses: publicStatuses(state, now),
    };
  }

  private emit(
    replies: Reply[],
    seatsChanged: SeatsChanged[],
    holdsEnded: HoldsEnded[],
    commit: CommitStats | null,
  ): void {
    let next: number | null = null;
    for (const actor of this.actors.values()) {
      if (actor.phase !== "ready") continue;
      const at = nextExpiryAt(actor.state!);
      if (at !== null && (next === null || at < next)) next = at;
    }
    this.options.output({ replies, seatsChanged, holdsEnded, commit, nextExpiryAt: next });
  }

  private passivateIdle(): void {
    if (this.committing || this.stopping) return;
    const idleSince = Date.now() - actorIdleMs;
    for (const [eventId, actor] of this.actors) {
      if (actor.phase !== "ready" || actor.mailbox.length > 0 || actor.lastActiveAt > idleSince) continue;
      if (liveHoldCount(actor.state!) > 0) continue; // its expiries still need publishing
      this.actors.delete(eventId);
    }
  }
}

/** Errors that mean the database refused what memory believed: never retried blindly. */
function isDivergence(error: Error): boolean {
  return hasErrorCode(error, "COMMIT_MISMATCH") || (error as { code?: string }).code === "23505";
}
