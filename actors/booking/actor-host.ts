// The shell around the pure event actors of one worker: mailboxes, activation, the turn loop,
// passivation. It runs inside a worker thread (event-worker.ts) but has no thread code itself, so
// tests can run two hosts side by side (e.g. a forced split brain).
//
// One turn: take the waiting commands of every ready actor (up to turnCommandsMax), decide each one
// against the in-memory state (turn-decide.ts), commit all their effects in ONE transaction
// (turn-commit.ts), and only then reply to all of them and publish the seat deltas (turn-settle.ts).
// A command whose decision throws is quarantined and only its actor reloads (turn-faults.ts).
// After the ring of booking nodes changed, no actor answers before it proved its epoch again
// (ownership-check.ts).
// While a commit is in flight, new commands queue and form the next turn's batch: the busier the
// worker, the bigger the batch.
import type { Database } from "../../platform/database.ts";
import type { HoldsEnded, SeatsChanged, ToUser } from "../../domain/messages.ts";
import { newId } from "../../domain/ids.ts";
import {
  actorIdleMs,
  actorMailboxMax,
  actorPassivationCheckMs,
  claimedKeysRememberedMax,
} from "../../domain/limits.ts";
import { hasErrorCode, InternalFault, invariant, type ErrorFacts } from "../../domain/errors.ts";
import {
  createSeatState,
  findInvariantViolations,
  liveHoldCount,
  nextExpiryAt,
} from "../../domain/seat-state.ts";
import {
  expireRequestId,
  mailboxIds,
  refuse,
  staleOwnerError,
  unavailableError,
  type Actor,
  type Envelope,
} from "./actor.ts";
import { proven, staleOwners, unprovenActors } from "./ownership-check.ts";
import { activate, type Activation } from "./persistence/activation.ts";
import type { ActorRequest, CommitStats, HostOutput, Reply, WorkerFault } from "./protocol.ts";
import { decideTurn, type DecideOptions } from "./turn-decide.ts";
import { commitTurn, isDivergence, nothingCommitted, toBatches, type Committed } from "./turn-commit.ts";
import { quarantineFaults } from "./turn-faults.ts";
import { settleTurn, type SettleHost } from "./turn-settle.ts";

export interface ActorHostOptions {
  db: Database;
  owner: string;
  holdTtlMs: number;
  /** Check every invariant of each touched seat state after every turn (O(seats); tests). */
  paranoid?: boolean;
  output(output: HostOutput): void;
  /**
   * A database that disagrees with memory, a broken invariant outside a command's decision: the worker
   * must stop loudly. (A throw while deciding one command is contained: turn-faults.ts.)
   */
  fatal(error: Error): void;
  log(level: "warn" | "error", message: string): void;
  /**
   * Told of each command just before it is decided, and of null right after: the worker records it
   * where the pool can read it should the thread die in between (WorkerOptions.decidingLedger).
   */
  deciding?(request: ActorRequest | null): void;
}

export class ActorHost {
  private readonly actors = new Map<string, Actor>();
  private turnScheduled = false;
  private committing: Promise<void> | null = null;
  private stopping = false;
  private readonly passivation: NodeJS.Timeout;
  /** Hold ids: a random prefix per host and a counter (no random bytes per reserve). */
  private readonly holdIdPrefix = newId("hd", 6);
  private holdCounter = 0;
  /** Ring changes seen (ringChanged); an actor proven at an older one answers nothing yet. */
  private ringGeneration = 0;
  /** Some actor may be unproven (a ring change, a read to check): the next turn checks first. */
  private unproven = false;
  private readonly decideOptions: DecideOptions;
  /**
   * Idempotency-Keys this host's commits claimed or found taken, "event\nuser\nkey", oldest first
   * (bounded).
   */
  private readonly claimedKeys = new Map<string, true>();
  private readonly settleHost: SettleHost = {
    forget: (actor) => this.actors.delete(actor.eventId),
    reactivate: (actor) => this.createActor(actor.eventId, actor.mailbox),
    log: (level, message) => this.options.log(level, message),
    keyClaimed: (eventId, userId, key) => {
      const name = `${eventId}\n${userId}\n${key}`;
      this.claimedKeys.delete(name);
      this.claimedKeys.set(name, true);
      if (this.claimedKeys.size > claimedKeysRememberedMax)
        this.claimedKeys.delete(this.claimedKeys.keys().next().value!);
    },
  };

  constructor(private readonly options: ActorHostOptions) {
    this.passivation = setInterval(() => this.passivateIdle(), actorPassivationCheckMs);
    this.passivation.unref();
    this.decideOptions = {
      paranoid: options.paranoid,
      nextHoldId: () => `${this.holdIdPrefix}${(this.holdCounter++).toString(36)}`,
      deciding: options.deciding,
      keyClaimed: (eventId, userId, key) => this.claimedKeys.has(`${eventId}\n${userId}\n${key}`),
    };
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
      // A read to verify (every read of the engine): memory answers only once the epoch is proven.
      if (request.kind === "seatMap" && request.verify && actor.phase === "ready") {
        actor.provenAt = -1;
        this.unproven = true;
      }
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

  /**
   * The ring of booking nodes changed: another node may have taken (and given back) any event here.
   * Every actor proves its epoch again before it answers (ownership-check.ts); the ones another node
   * took are dropped. Idle ones are checked too, so their memory goes at once.
   */
  ringChanged(): void {
    this.ringGeneration++;
    this.unproven = true;
    this.scheduleTurn();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.passivation);
    while (this.committing) await this.committing;
    const replies: Reply[] = [];
    for (const actor of this.actors.values()) refuse(mailboxIds(actor.mailbox), staleOwnerError, replies);
    this.actors.clear();
    if (replies.length > 0) this.emit(replies, [], [], null);
  }

  private createActor(eventId: string, mailbox: Envelope[]): Actor {
    const actor: Actor = {
      eventId,
      phase: "activating",
      state: null,
      epoch: 0,
      // Activation takes the epoch after this: it proves the actor as of this ring.
      provenAt: this.ringGeneration,
      mailbox,
      lastActiveAt: Date.now(),
      expireQueued: false,
    };
    this.actors.set(eventId, actor);
    activate(this.options.db, eventId, this.options.owner).then(
      (activation) => this.activated(actor, activation),
      (error: Error) => this.activationFailed(actor, error),
    );
    return actor;
  }

  private activated(actor: Actor, activation: Activation | null): void {
    const { eventId } = actor;
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
    // The ring changed while it activated: another node may have taken the event since.
    if (!proven(actor, this.ringGeneration)) this.unproven = true;
    this.scheduleTurn();
  }

  private activationFailed(actor: Actor, error: Error): void {
    const { eventId } = actor;
    if (this.actors.get(eventId) !== actor) return;
    this.actors.delete(eventId);
    if (hasErrorCode(error, "STALE_EPOCH")) return this.failMailbox(actor, staleOwnerError);
    if (hasErrorCode(error, "INVARIANT_VIOLATION")) return this.options.fatal(error);
    this.options.log("error", `activation of ${eventId} failed: ${error.message}`);
    this.failMailbox(actor, unavailableError);
  }

  private failMailbox(actor: Actor, error: ErrorFacts): void {
    const replies: Reply[] = [];
    refuse(mailboxIds(actor.mailbox), error, replies);
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

  /** Decide, commit, settle (see the top of this file). */
  private async turn(): Promise<void> {
    if (this.committing) return;
    if (this.unproven) await this.serialized(() => this.proveOwnership());
    const decided = decideTurn(
      this.unproven ? this.provenActors() : this.actors.values(),
      this.decideOptions,
    );
    const faults = decided.faults.length > 0 ? quarantineFaults(decided, this.settleHost) : undefined;
    const batches = toBatches(decided.work);
    let committed: Committed = nothingCommitted();
    if (batches.length > 0) {
      let release!: () => void;
      this.committing = new Promise<void>((resolve) => (release = resolve));
      try {
        committed = await commitTurn(this.options.db, batches, decided);
      } finally {
        // Before anything else runs: stop() waits for this, and settling must finish first.
        this.committing = null;
        release();
      }
      if (committed.failure && isDivergence(committed.failure)) {
        // Memory and database disagree (or a unique key stopped a second booking): stop loudly.
        const message = `group commit refused: ${committed.failure.message}`;
        this.options.fatal(new InternalFault("INVARIANT_VIOLATION", message));
        return;
      }
      if (committed.failure) this.options.log("error", `group commit failed: ${committed.failure.message}`);
    }
    const settled = settleTurn(decided.work, batches, committed, decided.replies, this.settleHost);
    this.emit(
      settled.replies,
      settled.seatsChanged,
      settled.holdsEnded,
      committed.stats,
      faults,
      settled.userPushes,
    );
    if (this.unproven) return this.scheduleTurn();
    for (const actor of this.actors.values()) {
      if (actor.phase === "ready" && actor.mailbox.length > 0) {
        this.scheduleTurn();
        break;
      }
    }
  }

  /** Runs `work` as `committing`: no turn runs beside it and stop() waits for it. */
  private async serialized(work: () => Promise<void>): Promise<void> {
    let release!: () => void;
    this.committing = new Promise<void>((resolve) => (release = resolve));
    try {
      await work();
    } finally {
      this.committing = null;
      release();
    }
  }

  /**
   * One check of the unproven actors' epochs (ownership-check.ts). A stale one is dropped, its
   * requests answered STALE_OWNER; one whose check failed is dropped too (its requests answered
   * UNAVAILABLE), and reloads from PostgreSQL at its next request, as after a failed commit.
   */
  private async proveOwnership(): Promise<void> {
    const generation = this.ringGeneration;
    const { actors, more } = unprovenActors(this.actors.values(), generation);
    this.unproven = more;
    if (actors.length === 0) return;
    const marks = actors.map((actor) => actor.provenAt);
    let stale: Set<string> | null = null;
    try {
      stale = await staleOwners(this.options.db, actors);
    } catch (error) {
      this.options.log(
        "error",
        `ownership check of ${actors.length} events failed: ${(error as Error).message}`,
      );
    }
    let dropped = 0;
    actors.forEach((actor, index) => {
      if (this.actors.get(actor.eventId) !== actor) return;
      if (stale && !stale.has(actor.eventId)) {
        // A read asking for a check while this one ran gets a check of its own.
        if (actor.provenAt === marks[index]) actor.provenAt = generation;
        else this.unproven = true;
        return;
      }
      this.actors.delete(actor.eventId);
      this.failMailbox(actor, stale ? staleOwnerError : unavailableError);
      dropped++;
    });
    if (stale && dropped > 0)
      this.options.log(
        "warn",
        `ring changed: ${dropped} of ${actors.length} actors were taken by another node; dropped`,
      );
  }

  /** The actors that may answer (proven since the last ring change). */
  private *provenActors(): Iterable<Actor> {
    for (const actor of this.actors.values()) if (proven(actor, this.ringGeneration)) yield actor;
  }

  private emit(
    replies: Reply[],
    seatsChanged: SeatsChanged[],
    holdsEnded: HoldsEnded[],
    commit: CommitStats | null,
    faults?: WorkerFault[],
    userPushes?: ToUser[],
  ): void {
    let next: number | null = null;
    for (const actor of this.actors.values()) {
      if (actor.phase !== "ready") continue;
      const at = nextExpiryAt(actor.state!);
      if (at !== null && (next === null || at < next)) next = at;
    }
    const output: HostOutput = { replies, seatsChanged, holdsEnded, commit, nextExpiryAt: next };
    if (faults) output.faults = faults;
    if (userPushes && userPushes.length > 0) output.userPushes = userPushes;
    this.options.output(output);
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
