// The main-thread side of the actor workers: pins each event to one worker by a stable hash, batches
// requests into one postMessage per loop turn, bounds the requests in flight per event (the actor's
// mailbox: full -> 503 OVERLOADED), arms the expiry timer from the clock, and restarts a worker
// that stopped (its actors reload from Postgres with a new epoch). A command that made its worker
// fail is quarantined: answered 500 once, never sent into the same crash again (see workerExited).
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import type { Clock } from "../../domain/clock.ts";
import {
  eventOverloaded,
  hasErrorCode,
  InternalFault,
  MarqueeError,
  type ErrorFacts,
} from "../../domain/errors.ts";
import type { HoldsEnded, SeatsChanged } from "../../domain/messages.ts";
import {
  actorMailboxMax,
  actorWorkerStartAttemptsMax,
  startActorWorkerTimeoutMsDefault,
  workerMessageCommandsMax,
  workerRestartDelayMs,
} from "../../domain/limits.ts";
import type { Command } from "../../domain/seat-state.ts";
import { stageBeginLine, stageDoneLine } from "../../platform/start-stages.ts";
import type {
  ActorRequest,
  CommitStats,
  FromWorker,
  Reply,
  SeatMapSnapshot,
  ToWorker,
  WorkerFault,
  WorkerOptions,
} from "./protocol.ts";
import { quarantinedError } from "./actor.ts";
import { stableHash } from "./stable-hash.ts";
export { stableHash }; // the benchmarks and the fault tests pin events to workers by it

/** The actor that received a command was fenced out or is stopping: re-route and retry. */
const staleOwner = (message: string): InternalFault => new InternalFault("STALE_OWNER", message);

export const isStaleOwner = (error: unknown): boolean => hasErrorCode(error, "STALE_OWNER");

export interface ActorPoolOptions extends Pick<import("./booking-engine.ts").EngineHost, "onUserPush"> {
  size: number;
  worker: WorkerOptions;
  clock: Clock;
  onSeatsChanged(payload: SeatsChanged): void;
  onHoldsEnded(payload: HoldsEnded): void;
  onCommit(stats: CommitStats): void;
  log(level: "info" | "warn" | "error", message: string): void;
  /** A worker failed a command (contained) or ended: for the crash and quarantine metrics. */
  onFault?(fault: WorkerFault): void;
  /** A worker that has not said "ready" after this long is killed and started again. */
  readyTimeoutMs?: number;
  /** Starts a worker thread (tests inject workers that never get ready); event-worker.ts by default. */
  startWorker?(workerData: WorkerOptions): Worker;
}

interface Pending {
  resolve(value: any): void;
  reject(error: Error): void;
  eventId: string;
  slot: number;
}

interface Slot {
  index: number;
  worker: Worker | null;
  ready: boolean;
  outbox: ActorRequest[];
  flushScheduled: boolean;
  timer: NodeJS.Timeout | null;
  stopped: (() => void) | null;
  /** The id of the command the worker is deciding, 0 when none (WorkerOptions.decidingLedger). */
  deciding: Int32Array | null;
}

const minimumTimerMs = 5;

export class ActorPool {
  private readonly slots: Slot[] = [];
  private readonly pending = new Map<number, Pending>();
  private readonly inFlight = new Map<string, number>();
  private nextId = 1;
  private stopping = false;

  constructor(private readonly options: ActorPoolOptions) {
    if (!Number.isInteger(options.size) || options.size < 1) throw new Error("actor pool size must be >= 1");
  }

  async start(): Promise<void> {
    const ready: Promise<void>[] = [];
    for (let index = 0; index < this.options.size; index++) {
      const slot: Slot = {
        index,
        worker: null,
        ready: false,
        outbox: [],
        flushScheduled: false,
        timer: null,
        stopped: null,
        deciding: null,
      };
      this.slots.push(slot);
      ready.push(this.startSlot(slot));
    }
    try {
      await Promise.all(ready);
    } catch (error) {
      await this.stop();
      throw error;
    }
  }

  get workerCount(): number {
    return this.slots.length;
  }

  get ready(): boolean {
    return !this.stopping && this.slots.every((slot) => slot.ready);
  }

  command(eventId: string, command: Command, ifActive = false): Promise<any> {
    return this.enqueue({ kind: "command", id: 0, eventId, command, ...(ifActive ? { ifActive } : {}) });
  }

  /** `verify`: the actor re-checks its epoch before it answers (the engine's reads always do). */
  seatMap(eventId: string, verify = false): Promise<SeatMapSnapshot> {
    return this.enqueue({ kind: "seatMap", id: 0, eventId, ...(verify ? { verify } : {}) });
  }

  /** The ring changed: no actor answers before it proved its epoch (ownership-check.ts), queued ones too. */
  ringChanged(): void {
    for (const slot of this.slots)
      if (slot.worker && slot.ready) slot.worker.postMessage({ type: "ringChanged" } satisfies ToWorker);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(
      this.slots.map(async (slot) => {
        if (slot.timer) clearTimeout(slot.timer);
        const worker = slot.worker;
        if (!worker) return;
        this.flush(slot);
        await new Promise<void>((resolve) => {
          const timeout = setTimeout(resolve, 5_000);
          slot.stopped = () => {
            clearTimeout(timeout);
            resolve();
          };
          worker.postMessage({ type: "stop" } satisfies ToWorker);
        });
        await worker.terminate();
      }),
    );
    for (const [id, pending] of this.pending) {
      this.pending.delete(id);
      pending.reject(staleOwner("The booking engine is stopping"));
    }
  }

  private enqueue(request: ActorRequest): Promise<any> {
    if (this.stopping) return Promise.reject(staleOwner("The booking engine is stopping"));
    const count = this.inFlight.get(request.eventId) ?? 0;
    if (count >= actorMailboxMax) return Promise.reject(eventOverloaded());
    this.inFlight.set(request.eventId, count + 1);
    const id = this.nextId;
    // Ids fit the deciding ledger's Int32 (and never reach 0, which means "none", or -1, the expiry's).
    this.nextId = id >= 0x7fffffff ? 1 : id + 1;
    request.id = id;
    const slot = this.slots[stableHash(request.eventId) % this.slots.length];
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, eventId: request.eventId, slot: slot.index });
      slot.outbox.push(request);
      if (!slot.flushScheduled && slot.ready) {
        slot.flushScheduled = true;
        setImmediate(() => this.flush(slot));
      }
    });
  }

  private flush(slot: Slot): void {
    slot.flushScheduled = false;
    if (!slot.worker || !slot.ready) return;
    while (slot.outbox.length > 0) {
      const requests = slot.outbox.splice(0, workerMessageCommandsMax);
      slot.worker.postMessage({
        type: "requests",
        now: this.options.clock.now(),
        requests,
      } satisfies ToWorker);
    }
  }

  private settle(reply: Reply): void {
    const pending = this.pending.get(reply.id);
    if (!pending) return;
    this.pending.delete(reply.id);
    this.release(pending.eventId);
    if (reply.ok) pending.resolve(reply.value);
    else pending.reject(toError(reply.error));
  }

  private release(eventId: string): void {
    const count = (this.inFlight.get(eventId) ?? 1) - 1;
    if (count <= 0) this.inFlight.delete(eventId);
    else this.inFlight.set(eventId, count);
  }

  private armTimer(slot: Slot, nextExpiryAt: number | null): void {
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = null;
    if (nextExpiryAt === null || this.stopping) return;
    const delay = Math.min(Math.max(nextExpiryAt - this.options.clock.now(), minimumTimerMs), 2 ** 31 - 1);
    slot.timer = setTimeout(() => {
      slot.timer = null;
      if (slot.worker && slot.ready)
        slot.worker.postMessage({ type: "tick", now: this.options.clock.now() } satisfies ToWorker);
    }, delay);
    slot.timer.unref();
  }

  /** A worker's first start, a start stage: one that is not ready in time is started again. */
  private async startSlot(slot: Slot): Promise<void> {
    const stage = `actor worker ${slot.index}`;
    for (let attempt = 1; ; attempt++) {
      const began = performance.now();
      this.options.log("info", stageBeginLine(stage, this.readyTimeoutMs, attempt));
      try {
        await this.spawn(slot);
        this.options.log("info", stageDoneLine(stage, performance.now() - began));
        return;
      } catch (error) {
        if (this.stopping || attempt >= actorWorkerStartAttemptsMax)
          throw new Error(
            `${(error as Error).message} (attempt ${attempt} of ${actorWorkerStartAttemptsMax})`,
          );
      }
    }
  }

  private get readyTimeoutMs(): number {
    return this.options.readyTimeoutMs ?? startActorWorkerTimeoutMsDefault;
  }

  private spawn(slot: Slot, restart = false): Promise<void> {
    slot.deciding = new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT));
    const worker = (this.options.startWorker ?? startWorker)({
      ...this.options.worker,
      owner: `${this.options.worker.owner}/w${slot.index}`,
      decidingLedger: slot.deciding.buffer as SharedArrayBuffer,
    });
    slot.worker = worker;
    slot.ready = false;
    // A worker stuck before "ready" (seen once in ~20 starts on a loaded machine) is killed: its exit
    // fails this start (tried again by startSlot) or restarts it.
    const readyTimer = setTimeout(() => {
      this.options.log(
        "error",
        `actor worker ${slot.index} not ready after ${this.readyTimeoutMs} ms; killing it`,
      );
      void worker.terminate();
    }, this.readyTimeoutMs);
    return new Promise<void>((resolve, reject) => {
      let wasReady = false;
      worker.on("message", (message: FromWorker) => {
        if (message.type !== "ready") return this.receive(slot, message);
        clearTimeout(readyTimer);
        wasReady = true;
        slot.ready = true;
        resolve();
        this.flush(slot);
      });
      worker.on("error", (error) =>
        this.options.log("error", `actor worker ${slot.index} error: ${error.message}`),
      );
      worker.on("exit", (code) => {
        clearTimeout(readyTimer);
        const quarantined = this.workerExited(slot);
        if (this.stopping) return;
        if (wasReady)
          this.options.onFault?.({
            reason: "exit",
            eventId: null,
            message: `exit code ${code}`,
            quarantined,
          });
        if (!wasReady && !restart) {
          reject(new Error(`actor worker ${slot.index} failed to start (exit code ${code})`));
          return;
        }
        this.options.log("error", `actor worker ${slot.index} exited with code ${code}; restarting`);
        setTimeout(() => {
          if (!this.stopping) this.spawn(slot, true).catch(() => {});
        }, workerRestartDelayMs).unref();
      });
    });
  }

  /** A message of a running worker (its "ready" is handled by spawn). */
  private receive(slot: Slot, message: Exclude<FromWorker, { type: "ready" }>): void {
    switch (message.type) {
      case "output":
        for (const reply of message.replies) this.settle(reply);
        for (const payload of message.seatsChanged) this.options.onSeatsChanged(payload);
        for (const payload of message.holdsEnded) this.options.onHoldsEnded(payload);
        for (const payload of message.userPushes ?? []) this.options.onUserPush?.(payload);
        if (message.commit) this.options.onCommit(message.commit);
        if (message.faults) for (const fault of message.faults) this.options.onFault?.(fault);
        this.armTimer(slot, message.nextExpiryAt);
        break;
      case "log":
        this.options.log(message.level, `actor worker ${slot.index}: ${message.message}`);
        break;
      case "fatal":
        this.options.log("error", `actor worker ${slot.index} STOPPED: ${message.message}`);
        break;
      case "stopped":
        slot.stopped?.();
        break;
    }
  }

  /**
   * Answers what the ended worker had not: the command it was deciding (the ledger names it) is
   * quarantined, a 500 its caller does not retry; the others were not acknowledged, so their callers
   * may retry them (STALE_OWNER: re-routed, or re-activated in the restarted worker), as may those
   * of a commit whose outcome is unknown (its actors reload from Postgres). Returns how many were
   * quarantined (0 or 1).
   */
  private workerExited(slot: Slot): number {
    slot.ready = false;
    slot.worker = null;
    if (slot.timer) clearTimeout(slot.timer);
    slot.outbox = [];
    const culprit = slot.deciding ? Atomics.load(slot.deciding, 0) : 0;
    let quarantined = 0;
    for (const [id, pending] of this.pending) {
      if (pending.slot !== slot.index) continue;
      this.pending.delete(id);
      this.release(pending.eventId);
      if (id === culprit) {
        quarantined++;
        this.options.log(
          "error",
          `actor worker ${slot.index} ended while deciding a command of ${pending.eventId}: quarantined`,
        );
        pending.reject(toError(quarantinedError));
      } else pending.reject(staleOwner("The actor worker stopped"));
    }
    return quarantined;
  }
}

/** A worker thread running event-worker.ts. */
function startWorker(workerData: WorkerOptions): Worker {
  const workerUrl = new URL(
    import.meta.url.endsWith(".ts") ? "./event-worker.ts" : "./event-worker.js",
    import.meta.url,
  );
  // Under tsx (development, tests) a worker cannot load .ts by URL: register tsx inside it first.
  return import.meta.url.endsWith(".ts")
    ? new Worker(
        `import { register } from ${JSON.stringify(tsxApiUrl())}; register();
         await import(${JSON.stringify(workerUrl.href)});`,
        { eval: true, workerData },
      )
    : new Worker(workerUrl, { workerData });
}

/** tsx's ESM register API, resolved from this package (a worker's eval code resolves from the cwd). */
function tsxApiUrl(): string {
  const require = createRequire(import.meta.url);
  const manifestPath = require.resolve("tsx/package.json");
  const manifest = require("tsx/package.json") as { exports: Record<string, any> };
  const entry: string = manifest.exports["./esm/api"].import.default;
  return pathToFileURL(path.join(path.dirname(manifestPath), entry)).href;
}

function toError(error: ErrorFacts): Error {
  if (error.code === "STALE_OWNER") return staleOwner(error.message);
  // A refusal decided by an actor (409 and friends) is an answer, not a fault: its stack trace would
  // only point here, and capturing one per refused request was a measurable share of the main thread.
  const stackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return MarqueeError.from(error);
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
  }
}
