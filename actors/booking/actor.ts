// An event actor as its host keeps it: the seat state once activated, the fencing epoch it holds,
// its mailbox. Also the answers the host gives for it when it cannot decide.
import type { ErrorFacts } from "../../domain/errors.ts";
import type { SeatState } from "../../domain/seat-state.ts";
import type { ActorRequest, Reply } from "./protocol.ts";

export interface Envelope {
  request: ActorRequest;
  /** The main thread's clock when it sent the request. */
  now: number;
}

export interface Actor {
  eventId: string;
  phase: "activating" | "ready";
  state: SeatState | null;
  epoch: number;
  mailbox: Envelope[];
  /**
   * The host's ring generation when this actor last proved it holds the event's epoch (activation
   * proves it; -1 forces a re-check): an actor older than the ring answers nothing before its epoch
   * is checked again (ownership-check.ts).
   */
  provenAt: number;
  /** Wall-clock ms of the last request (passivation). */
  lastActiveAt: number;
  expireQueued: boolean;
}

/** The id of the expire commands the host queues itself: nobody waits for their answer. */
export const expireRequestId = -1;

export const staleOwnerError: ErrorFacts = {
  code: "STALE_OWNER",
  message: "Another node or worker owns this event now",
};

export const unavailableError: ErrorFacts = {
  code: "UNAVAILABLE",
  message: "The booking engine could not store this change; retry shortly",
  retryAfterSeconds: 1,
};

/**
 * The answer to a command that made its worker fail (a throw in decide, or the thread's end while
 * deciding it): quarantined, answered once with a 500, never retried into the same crash.
 */
export const quarantinedError: ErrorFacts = {
  code: "INTERNAL_ERROR",
  message: "The booking engine failed on this request; it was set aside and not retried",
};

/** Adds a failure reply to `replies` for each of these requests that has a caller. */
export function refuse(ids: Iterable<number>, error: ErrorFacts, replies: Reply[]): void {
  for (const id of ids) if (id !== expireRequestId) replies.push({ id, ok: false, error });
}

/** The ids of the requests waiting in a mailbox. */
export const mailboxIds = (mailbox: Envelope[]): number[] => mailbox.map((envelope) => envelope.request.id);
