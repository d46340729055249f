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

/**
 * A single command the commit refused (its event's writes were left out of the commit): a confirm
 * whose Idempotency-Key was taken, a booking whose payment was settled outside the actor.
 */
export interface Refusal {
  eventId: string;
  paymentId: string;
  /** BOOKING_NOT_CANCELLABLE names the cancelled booking's payment. */
  code: "IDEMPOTENCY_KEY_TAKEN" | "PAYMENT_SETTLED" | "BOOKING_NOT_CANCELLABLE";
}

export interface CommitResult {
  /** Events whose fence failed: their actors are stale, nothing of theirs was written. */
  stale: string[];
  /** Commands refused; nothing of their events was written (their actors reload). */
  refusals?: Refusal[];
  rows: number;
  statements: number;
}
