// Messages between the booking service (main thread) and its actor workers. Commands travel in
// batches (one postMessage per loop turn each way): unbatched postMessage is slow on 2 cores.
import type { ErrorFacts } from "../../domain/errors.ts";
import type { HoldsEnded, SeatsChanged, ToUser } from "../../domain/messages.ts";
import type { SeatLayout } from "../../domain/seat-layout.ts";
import type { Command } from "../../domain/seat-state.ts";

export interface WorkerOptions {
  databaseUrl: string;
  /** Written to event_actors.owner: which node (and worker) holds an event. */
  owner: string;
  holdTtlMs: number;
  /** Assert every invariant of the whole seat state after each turn (tests). */
  paranoid?: boolean;
  /**
   * One Int32 the worker sets to the id of the command it is deciding (0 between commands). Should the
   * thread die there, beyond what a try/catch contains (out of memory, say), the pool reads which
   * command did it and quarantines it instead of sending it into the same crash again.
   */
  decidingLedger?: SharedArrayBuffer;
  /** Tests only: the worker fails while deciding any command of this user, by a throw or by exiting. */
  testFaultInDecide?: { userId: string; fault: "throw" | "exit" };
}

export type ActorRequest =
  | { kind: "command"; id: number; eventId: string; command: Command; ifActive?: boolean }
  /**
   * `verify`: the actor re-checks its epoch before it answers from memory (the engine asks it of every
   * read, actor-engine.ts: a node may not have heard yet of the ring change that moved the event).
   */
  | { kind: "seatMap"; id: number; eventId: string; verify?: boolean };

export type ToWorker =
  | { type: "requests"; now: number; requests: ActorRequest[] }
  /** Lapse the holds due at `now` (the main thread owns the clock, so tests can inject one). */
  | { type: "tick"; now: number }
  /** The ring of booking nodes changed: every actor re-checks its epoch before it answers again. */
  | { type: "ringChanged" }
  | { type: "stop" };

export type Reply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: ErrorFacts };

export interface SeatMapSnapshot {
  eventId: string;
  version: number;
  layout: SeatLayout;
  /** One byte per seat: 0 available, 1 reserved, 2 booked. */
  statuses: Uint8Array;
}

export interface CommitStats {
  commands: number;
  events: number;
  rows: number;
  statements: number;
  seatChanges: number;
  durationMs: number;
  stale: number;
  failed: boolean;
  /** decide() time of each best-available command of the turn (choice + hold, inside the actor). */
  bestAvailableDecideMs: number[];
}

/**
 * Why a worker failed a command: an invariant or another exception thrown while deciding it (the
 * worker contains it: that command answered 500, its event's actor reloaded, the rest served on), or
 * the worker thread ended ("exit": every event of that worker reloads in the restarted worker).
 */
export type WorkerFaultReason = "invariant" | "exception" | "exit";

export interface WorkerFault {
  reason: WorkerFaultReason;
  /** The event whose actor was reloaded (null when the whole worker ended). */
  eventId: string | null;
  message: string;
  /** Commands answered 500 and never sent again (0 or 1). */
  quarantined: number;
}

export interface HostOutput {
  replies: Reply[];
  seatsChanged: SeatsChanged[];
  holdsEnded: HoldsEnded[];
  commit: CommitStats | null;
  /** The earliest hold expiry among this worker's actors, in clock ms (null: none). */
  nextExpiryAt: number | null;
  /** Commands whose decision threw this turn (rare: absent when none). */
  faults?: WorkerFault[];
  /** Messages to users' sockets committed this turn (waiting-list offers; absent when none). */
  userPushes?: ToUser[];
}

export type FromWorker =
  | { type: "ready" }
  | ({ type: "output" } & HostOutput)
  | { type: "stopped" }
  | { type: "log"; level: "warn" | "error"; message: string }
  | { type: "fatal"; message: string };
