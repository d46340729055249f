// Keeps a seat board current from a snapshot and the real-time frames: applies frames in version order,
// refetches the snapshot on a gap, on a (re)subscription whose version is ahead of the board, or on a
// `resync`; frames that arrive during a refetch are kept (bounded) and applied on top of the new
// snapshot. One refetch at a time. The fetch and the change callback are injected (no DOM, no socket).
import type { DeltaOutcome, SeatBoardState } from "./seat-map.ts";

/** Frames kept while a refetch is in flight; past this they are dropped and one more refetch follows. */
export const bufferedFramesMax = 1_000;

export interface SeatSyncOptions<Snapshot extends { version: number }, Frame> {
  board: SeatBoardState<Snapshot, Frame>;
  fetchSnapshot(): Promise<Snapshot>;
  /** Indices whose status changed, or "rebuild" (with the snapshot) when the tickets themselves changed. */
  onChange(change: number[] | "rebuild", snapshot?: Snapshot): void;
  onError?(error: unknown): void;
}

export class SeatSync<Snapshot extends { version: number }, Frame extends { toVersion: number }> {
  private refetching: Promise<void> | null = null;
  private refetchAgain = false;
  private buffer: Frame[] = [];
  private stopped = false;
  /** Refetches done (a status line, tests). */
  refetchCount = 0;

  constructor(private readonly options: SeatSyncOptions<Snapshot, Frame>) {}

  get board(): SeatBoardState<Snapshot, Frame> {
    return this.options.board;
  }

  /** A `seats` (or `seatsCompact`) frame. */
  handleDelta(frame: Frame): DeltaOutcome | "buffered" | "stopped" {
    if (this.stopped) return "stopped";
    if (this.refetching) {
      if (this.buffer.length >= bufferedFramesMax) {
        this.buffer = [];
        this.refetchAgain = true;
      } else this.buffer.push(frame);
      return "buffered";
    }
    const outcome = this.board.applyDelta(frame);
    if (outcome.kind === "applied" && outcome.changed.length > 0) this.options.onChange(outcome.changed);
    if (outcome.kind === "gap") void this.refetch();
    return outcome;
  }

  /** The server's version at (re)subscription: frames before it will never arrive, so catch up. */
  handleSubscribed(serverVersion: number): void {
    if (serverVersion > this.board.version) void this.refetch();
  }

  /** One refetch at a time; asked for during one, it runs once more afterwards. */
  refetch(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.refetching) {
      this.refetchAgain = true;
      return this.refetching;
    }
    this.refetching = this.runRefetch().finally(() => {
      this.refetching = null;
      const buffered = this.buffer;
      this.buffer = [];
      if (this.refetchAgain) {
        this.refetchAgain = false;
        void this.refetch();
        return;
      }
      for (const frame of buffered) this.handleDelta(frame);
    });
    return this.refetching;
  }

  stop(): void {
    this.stopped = true;
    this.buffer = [];
  }

  private async runRefetch(): Promise<void> {
    this.refetchCount += 1;
    try {
      const snapshot = await this.options.fetchSnapshot();
      if (this.stopped) return;
      // A snapshot older than what frames already gave is no news.
      if (snapshot.version < this.board.version) return;
      const changed = this.board.replace(snapshot);
      if (changed === null) this.options.onChange("rebuild", snapshot);
      else if (changed.length > 0) this.options.onChange(changed);
    } catch (error) {
      this.options.onError?.(error);
    }
  }
}
