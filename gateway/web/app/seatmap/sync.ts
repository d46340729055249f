// Keeps a SeatBoard in step with the server: applies `seats` deltas in version order and refetches the
// snapshot (GET /events/:id/tickets, compact or full) on a gap, on a subscription that is ahead of
// the board, or when the server asks for a resync. Deltas that arrive during a refetch are buffered
// (bounded) and applied on top of the new snapshot. DOM-free: the fetch and the change callback are
// injected.
import type { CompactSnapshot, SeatBoard, SeatDelta, SeatSnapshot } from "./board.ts";

/** Deltas kept while a refetch is in flight; past this the buffer is dropped and one more refetch follows. */
export const bufferedDeltasMax = 1_000;

export interface SeatSyncOptions {
  board: SeatBoard;
  fetchSnapshot(): Promise<SeatSnapshot | CompactSnapshot>;
  /** Indices whose status changed, or "rebuild" when the ticket set itself changed. */
  onChange(change: number[] | "rebuild", snapshot?: SeatSnapshot | CompactSnapshot): void;
  onError?(error: unknown): void;
}

export class SeatSync {
  private readonly options: SeatSyncOptions;
  private refetching: Promise<void> | null = null;
  private refetchAgain = false;
  private buffer: SeatDelta[] = [];
  private stopped = false;
  /** Refetches done: for the UI's status line and for tests. */
  refetchCount = 0;

  constructor(options: SeatSyncOptions) {
    this.options = options;
  }

  get board(): SeatBoard {
    return this.options.board;
  }

  handleDelta(delta: SeatDelta): void {
    if (this.stopped) return;
    if (this.refetching) {
      if (this.buffer.length >= bufferedDeltasMax) {
        this.buffer = [];
        this.refetchAgain = true;
      } else this.buffer.push(delta);
      return;
    }
    const outcome = this.board.applyDelta(delta);
    if (outcome.kind === "applied" && outcome.changed.length > 0) this.options.onChange(outcome.changed);
    if (outcome.kind === "gap") void this.refetch();
  }

  /** The server's version at (re)subscription: deltas before it will never arrive, so catch up. */
  handleSubscribed(serverVersion: number): void {
    if (serverVersion > this.board.version) void this.refetch();
  }

  /** One refetch at a time; a request for another during it runs once more afterwards. */
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
      for (const delta of buffered) this.handleDelta(delta);
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
      // A snapshot older than what deltas already gave us is no news.
      if (snapshot.version < this.board.version) return;
      const changed = this.board.replace(snapshot);
      if (changed === null) this.options.onChange("rebuild", snapshot);
      else if (changed.length > 0) this.options.onChange(changed);
    } catch (error) {
      this.options.onError?.(error);
    }
  }
}
