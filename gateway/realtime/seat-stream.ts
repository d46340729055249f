// Pure logic of one event's seat stream on a gateway node (no I/O, no timers): deltas from the
// booking actor are merged into frames with continuous versions, and recent frames are kept in a
// bounded ring so a client that reconnects can resume from the version it has.
import assert from "node:assert/strict";
import type { SeatChange, SeatsChanged } from "../../domain/messages.ts";
import { seatReplayChangesMax, seatReplayFramesMax } from "../../domain/limits.ts";
import type { SeatsFrame } from "./protocol.ts";

export type AcceptResult =
  /** Merged into the pending frame. */
  | "merged"
  /** Already covered (a duplicate or a delta older than what was merged): ignored. */
  | "stale"
  /** Versions are missing before it: the caller flushes, restarts at its fromVersion and tells clients to resync. */
  | "gap";

const isVersion = (value: unknown): value is number =>
  typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
const statuses = new Set(["available", "reserved", "booked"]);

/** Checks a delta that crossed the transporter; returns a reason when it is malformed. */
export function invalidDeltaReason(delta: unknown): string | null {
  const value = delta as Partial<SeatsChanged> | null;
  if (!value || typeof value !== "object") return "not an object";
  if (typeof value.eventId !== "string" || value.eventId === "") return "eventId";
  if (!isVersion(value.fromVersion) || !isVersion(value.toVersion)) return "versions";
  if (value.toVersion <= value.fromVersion) return "toVersion must be above fromVersion";
  if (!Array.isArray(value.changes)) return "changes";
  for (const change of value.changes) {
    if (!change || typeof change.ticketId !== "string" || !statuses.has(change.status)) return "change";
  }
  return null;
}

export class SeatStream {
  /** `fromVersion` of the next frame: the `toVersion` of the last frame taken. */
  private frameVersion: number;
  /** `toVersion` of the last delta merged. */
  private latestVersion: number;
  /** Last status per ticket since `frameVersion`. */
  private readonly pending = new Map<string, SeatChange["status"]>();

  constructor(
    readonly eventId: string,
    version: number,
  ) {
    assert.ok(isVersion(version), "a seat version is a non-negative integer");
    this.frameVersion = version;
    this.latestVersion = version;
  }

  /** The version a new subscriber starts from: every later frame continues from it. */
  get version(): number {
    return this.frameVersion;
  }

  get hasPending(): boolean {
    return this.latestVersion > this.frameVersion;
  }

  get pendingChanges(): number {
    return this.pending.size;
  }

  accept(delta: SeatsChanged): AcceptResult {
    assert.equal(delta.eventId, this.eventId);
    if (delta.toVersion <= this.latestVersion) return "stale";
    if (delta.fromVersion > this.latestVersion) return "gap";
    // fromVersion <= latestVersion < toVersion. An overlapping delta (fromVersion below) still carries
    // the last status of every ticket it changed, so merging it gives the state at its toVersion.
    for (const change of delta.changes) this.pending.set(change.ticketId, change.status);
    this.latestVersion = delta.toVersion;
    return "merged";
  }

  /** The pending frame, or null when nothing was merged since the last one. */
  takeFrame(): SeatsFrame | null {
    if (!this.hasPending) return null;
    const changes: SeatChange[] = [];
    for (const [ticketId, status] of this.pending) changes.push({ ticketId, status });
    const frame: SeatsFrame = {
      eventId: this.eventId,
      fromVersion: this.frameVersion,
      toVersion: this.latestVersion,
      changes,
    };
    this.frameVersion = this.latestVersion;
    this.pending.clear();
    return frame;
  }

  /** After a gap: continue from `version` (the pending frame must have been taken). */
  restart(version: number): void {
    assert.ok(!this.hasPending, "take the pending frame before restarting");
    assert.ok(isVersion(version));
    this.frameVersion = version;
    this.latestVersion = version;
  }
}

/** The most recent frames of one event, bounded in frames and in changes. */
export class ReplayRing {
  private frames: SeatsFrame[] = [];
  private changeCount = 0;

  constructor(
    private readonly framesMax = seatReplayFramesMax,
    private readonly changesMax = seatReplayChangesMax,
  ) {}

  get size(): number {
    return this.frames.length;
  }

  push(frame: SeatsFrame): void {
    const last = this.frames.at(-1);
    // After a gap the ring starts over: frames in it are always continuous.
    if (last && last.toVersion !== frame.fromVersion) this.clear();
    this.frames.push(frame);
    this.changeCount += frame.changes.length;
    while (
      this.frames.length > this.framesMax ||
      (this.changeCount > this.changesMax && this.frames.length > 1)
    ) {
      this.changeCount -= this.frames.shift()!.changes.length;
    }
  }

  clear(): void {
    this.frames = [];
    this.changeCount = 0;
  }

  /**
   * The frames a client at `version` has missed, when they are all still here ([] when it is up to
   * date with `currentVersion`); null when it cannot resume and must refetch the seat map.
   */
  framesAfter(version: number, currentVersion: number): SeatsFrame[] | null {
    if (version === currentVersion) return [];
    if (version > currentVersion) return null;
    const start = this.frames.findIndex((frame) => frame.toVersion > version);
    if (start < 0 || this.frames[start].fromVersion > version) return null;
    const missed = this.frames.slice(start);
    if (missed.at(-1)!.toVersion !== currentVersion) return null;
    return missed;
  }
}
