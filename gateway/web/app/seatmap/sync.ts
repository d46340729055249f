// Keeps a SeatBoard in step with the server: the typed client's SeatSync (client/src/seat-sync.ts)
// on this page's board. It applies `seats` deltas in version order and refetches the snapshot
// (GET /events/:id/tickets, compact or full) on a gap, on a subscription that is ahead of the board,
// or when the server asks for a resync; deltas that arrive during a refetch are buffered (bounded)
// and applied on top of the new snapshot. DOM-free: the fetch and the change callback are injected.
import {
  SeatSync as ClientSeatSync,
  bufferedFramesMax,
  type SeatSyncOptions as ClientSeatSyncOptions,
} from "../../../../client/src/index.ts";
import type { CompactSnapshot, SeatBoard, SeatDelta, SeatSnapshot } from "./board.ts";

/** Deltas kept while a refetch is in flight; past this the buffer is dropped and one more refetch follows. */
export const bufferedDeltasMax = bufferedFramesMax;

export interface SeatSyncOptions extends ClientSeatSyncOptions<SeatSnapshot | CompactSnapshot, SeatDelta> {
  board: SeatBoard;
}

export class SeatSync extends ClientSeatSync<SeatSnapshot | CompactSnapshot, SeatDelta> {
  private readonly seatBoard: SeatBoard;

  constructor(options: SeatSyncOptions) {
    super(options);
    this.seatBoard = options.board;
  }

  override get board(): SeatBoard {
    return this.seatBoard;
  }
}
