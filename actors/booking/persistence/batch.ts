// What the group commit takes (one batch per event of a worker turn) and what it answers.
import type { Effect } from "../../../domain/seat-state.ts";

/** The effects of one event in one turn, with the fence they must pass. */
export interface EventBatch {
  eventId: string;
  epoch: number;
  /** The version the database must still have (the actor's committed one) ... */
  fromVersion: number;
  /** ... and the one it gets (fromVersion + 1 when seats changed, else equal). */
  toVersion: number;
  effects: Effect[];
}

export interface CommitResult {
  /** Events whose fence failed: their actors are stale, nothing of theirs was written. */
  stale: string[];
  rows: number;
  statements: number;
}
