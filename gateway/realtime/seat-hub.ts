// The seat streams of one gateway node: one channel per followed event, fed by every
// `booking.seatsChanged` delta that reaches this node, coalesced over a short window, and handed
// as frames to the sinks (Socket.IO rooms, SSE streams). A channel exists only while someone
// follows its event (plus an idle grace period so reconnecting clients can resume).
import assert from "node:assert/strict";
import type { SeatsChanged } from "../../domain/messages.ts";
import { MarqueeError } from "../../domain/errors.ts";
import {
  realtimeEventIdleMs,
  realtimeEventsTrackedMax,
  seatDeltasWhileActivatingMax,
  seatFrameChangesMax,
} from "../../domain/limits.ts";
import type { ResyncNotice, SeatsFrame } from "./protocol.ts";
import { ReplayRing, SeatStream } from "./seat-stream.ts";

/**
 * Where frames go (Socket.IO rooms, SSE streams). A sink may take its time (a promise): the channel
 * sends its next frame only when every sink is done with the last one, and keeps merging meanwhile,
 * so a slow pass makes frames bigger and rarer instead of queueing them.
 */
export interface FrameSink {
  frame(channel: SeatChannel, frame: SeatsFrame): void | Promise<void>;
  resync(channel: SeatChannel, notice: ResyncNotice): void | Promise<void>;
}

type Outgoing = { kind: "frame"; frame: SeatsFrame } | { kind: "resync"; notice: ResyncNotice };

export interface SeatHubOptions {
  coalesceMs: number;
  /** The event's current seat version; throws NOT_FOUND for an unknown event. */
  fetchVersion(eventId: string): Promise<number>;
  now?: () => number;
  eventsTrackedMax?: number;
  idleMs?: number;
  onWarning?(message: string, details: Record<string, unknown>): void;
  /** A frame was taken; `oldestCommittedAt` is the commit time of its earliest delta (for metrics). */
  onFrame?(frame: SeatsFrame, oldestCommittedAt: number): void;
}

export class SeatChannel {
  stream: SeatStream | null = null;
  readonly ring = new ReplayRing();
  /** Deltas that arrived while the current version was being fetched (bounded). */
  early: SeatsChanged[] = [];
  references = 0;
  idleSince: number;
  flushTimer: NodeJS.Timeout | null = null;
  /** Frames and notices taken but not yet handed to every sink (more than one only after a gap). */
  outbox: Outgoing[] = [];
  /** A sink is still busy with the last frame. */
  sending = false;
  /** The window elapsed while sending: flush as soon as the pass ends. */
  flushWanted = false;
  /** When the last frame was taken (the window of the next one starts there). */
  lastFlushAt = Number.NEGATIVE_INFINITY;
  /** Commit time of the first delta merged since the last frame (null when nothing is pending). */
  pendingSince: number | null = null;
  activation: Promise<SeatChannel> | null = null;
  /** Opaque per-sink state (e.g. the SSE clients of this event). */
  readonly attachments = new Map<string, unknown>();

  constructor(
    readonly eventId: string,
    now: number,
  ) {
    this.idleSince = now;
  }

  get ready(): boolean {
    return this.stream !== null;
  }

  /** The version a new follower starts from. */
  get version(): number {
    assert.ok(this.stream, "channel is active");
    return this.stream.version;
  }
}

export class SeatHub {
  private readonly channels = new Map<string, SeatChannel>();
  private readonly sinks: FrameSink[] = [];
  private readonly now: () => number;
  private readonly eventsTrackedMax: number;
  private readonly idleMs: number;
  private closed = false;

  constructor(private readonly options: SeatHubOptions) {
    this.now = options.now ?? Date.now;
    this.eventsTrackedMax = options.eventsTrackedMax ?? realtimeEventsTrackedMax;
    this.idleMs = options.idleMs ?? realtimeEventIdleMs;
  }

  addSink(sink: FrameSink): void {
    this.sinks.push(sink);
  }

  get channelCount(): number {
    return this.channels.size;
  }

  channel(eventId: string): SeatChannel | undefined {
    const channel = this.channels.get(eventId);
    return channel?.ready ? channel : undefined;
  }

  /**
   * The active channel of an event, with one more reference held for the caller (release it with
   * `release`). Throws NOT_FOUND for an unknown event, OVERLOADED when too many events are followed.
   */
  async acquire(eventId: string): Promise<SeatChannel> {
    if (this.closed) throw new MarqueeError("UNAVAILABLE", "The gateway is stopping", undefined, 1);
    let channel = this.channels.get(eventId);
    if (!channel) {
      this.makeRoom();
      channel = new SeatChannel(eventId, this.now());
      this.channels.set(eventId, channel);
      channel.activation = this.activate(channel);
    }
    if (!channel.ready) await channel.activation;
    // The channel may have been evicted or replaced while activating (stop, failure).
    if (this.channels.get(eventId) !== channel || !channel.ready) return this.acquire(eventId);
    channel.references += 1;
    return channel;
  }

  release(channel: SeatChannel): void {
    assert.ok(channel.references > 0, "released more often than acquired");
    channel.references -= 1;
    if (channel.references === 0) channel.idleSince = this.now();
  }

  /** A delta from the booking actor (every gateway node gets every one). */
  receive(delta: SeatsChanged): void {
    const channel = this.channels.get(delta.eventId);
    if (!channel) return; // nobody here follows this event
    if (!channel.stream) {
      if (channel.early.length < seatDeltasWhileActivatingMax) channel.early.push(delta);
      // else dropped: the gap shows when the next delta is merged, and clients are told to resync
      return;
    }
    this.merge(channel, channel.stream, delta);
  }

  /** Sends every pending frame now (tests, shutdown). */
  flushAll(): void {
    for (const channel of this.channels.values()) this.flush(channel);
  }

  /** Drops idle channels past their grace period. Called periodically. */
  sweep(): void {
    const now = this.now();
    for (const channel of this.channels.values()) {
      if (channel.ready && channel.references === 0 && now - channel.idleSince >= this.idleMs) {
        this.drop(channel);
      }
    }
  }

  close(): void {
    this.closed = true;
    for (const channel of [...this.channels.values()]) this.drop(channel);
  }

  private async activate(channel: SeatChannel): Promise<SeatChannel> {
    let version: number;
    try {
      version = await this.options.fetchVersion(channel.eventId);
    } catch (error) {
      if (this.channels.get(channel.eventId) === channel) this.channels.delete(channel.eventId);
      throw error;
    }
    if (this.channels.get(channel.eventId) !== channel) return channel; // dropped meanwhile
    const stream = new SeatStream(channel.eventId, version);
    channel.stream = stream;
    const early = channel.early;
    channel.early = [];
    // Deltas committed before the version was read are stale and skipped; later ones continue it.
    for (const delta of early) this.merge(channel, stream, delta);
    return channel;
  }

  private merge(channel: SeatChannel, stream: SeatStream, delta: SeatsChanged): void {
    let result = stream.accept(delta);
    if (result === "stale") return;
    if (result === "gap") {
      this.options.onWarning?.("seat versions skipped: clients resync", {
        eventId: channel.eventId,
        expectedFromVersion: stream.hasPending ? undefined : stream.version,
        fromVersion: delta.fromVersion,
      });
      // What was merged before the gap goes out first (even during a pass), then the notice.
      const before = stream.takeFrame();
      if (before) channel.outbox.push({ kind: "frame", frame: before });
      channel.pendingSince = null;
      stream.restart(delta.fromVersion);
      channel.ring.clear();
      channel.outbox.push({
        kind: "resync",
        notice: { eventId: channel.eventId, version: delta.fromVersion, reason: "gap" },
      });
      result = stream.accept(delta);
      assert.equal(result, "merged");
      if (!channel.sending) this.drain(channel);
    }
    channel.pendingSince ??= Number.isFinite(delta.committedAt) ? delta.committedAt : this.now();
    if (stream.pendingChanges >= seatFrameChangesMax || this.options.coalesceMs === 0) {
      this.flush(channel);
    } else {
      this.schedule(channel);
    }
  }

  /**
   * At most one frame per window: a change after a quiet window goes out at once, the ones that
   * follow it wait for the end of its window (a rush gets ~1000/coalesceMs frames a second).
   */
  private schedule(channel: SeatChannel): void {
    if (!channel.stream?.hasPending || channel.flushTimer) return;
    if (channel.sending) {
      channel.flushWanted = true; // scheduled again when the current pass ends
      return;
    }
    const waitMs = channel.lastFlushAt + this.options.coalesceMs - this.now();
    if (waitMs <= 0) return this.flush(channel);
    channel.flushTimer = setTimeout(() => {
      channel.flushTimer = null;
      this.flush(channel);
    }, waitMs);
  }

  private flush(channel: SeatChannel): void {
    if (channel.flushTimer) {
      clearTimeout(channel.flushTimer);
      channel.flushTimer = null;
    }
    if (channel.sending) {
      channel.flushWanted = true; // keeps merging; sent when the current pass ends
      return;
    }
    const frame = channel.stream?.takeFrame();
    if (!frame) return;
    this.options.onFrame?.(frame, channel.pendingSince ?? this.now());
    channel.pendingSince = null;
    channel.lastFlushAt = this.now();
    channel.ring.push(frame);
    channel.outbox.push({ kind: "frame", frame });
    this.drain(channel);
  }

  /** Hands the outbox to the sinks in order; synchronous sinks are done at once. */
  private drain(channel: SeatChannel): void {
    channel.sending = true;
    while (channel.outbox.length > 0) {
      const item = channel.outbox.shift()!;
      const pending: Promise<void>[] = [];
      for (const sink of this.sinks) {
        try {
          const done =
            item.kind === "frame" ? sink.frame(channel, item.frame) : sink.resync(channel, item.notice);
          if (done instanceof Promise) pending.push(done);
        } catch (error) {
          this.options.onWarning?.("a frame sink failed", { eventId: channel.eventId, error: String(error) });
        }
      }
      if (pending.length > 0) {
        void Promise.allSettled(pending).then(() => this.drain(channel));
        return;
      }
    }
    channel.sending = false;
    if (channel.flushWanted && this.channels.get(channel.eventId) === channel) {
      channel.flushWanted = false;
      this.schedule(channel);
    }
  }

  /** Makes room for one more channel: evicts the longest-idle one, or refuses. */
  private makeRoom(): void {
    if (this.channels.size < this.eventsTrackedMax) return;
    let oldest: SeatChannel | null = null;
    for (const channel of this.channels.values()) {
      if (channel.ready && channel.references === 0 && (!oldest || channel.idleSince < oldest.idleSince))
        oldest = channel;
    }
    if (!oldest)
      throw new MarqueeError("OVERLOADED", "This gateway follows too many events at once", undefined, 1);
    this.drop(oldest);
  }

  private drop(channel: SeatChannel): void {
    if (channel.flushTimer) clearTimeout(channel.flushTimer);
    channel.flushTimer = null;
    this.channels.delete(channel.eventId);
  }
}
