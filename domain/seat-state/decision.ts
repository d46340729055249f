// What `decide` takes and gives: the commands of an event's actor, the effects a decision asks the
// shell to commit and publish, and the outcome answered to the caller; with the helpers that build them.
import type { BestAvailableRequest } from "../best-available.ts";
import type { ErrorCode, ErrorFacts } from "../errors.ts";
import { ticketId } from "../ids.ts";
import type { WaitlistCommand, WaitlistEffect } from "./waitlist-types.ts";
import type { Hold, HoldRow, PublicSeatStatus, SaleSettings, SeatState } from "./state.ts";

/**
 * The waiting-room admission a reserve comes with, once the booking service has checked the token's
 * signature, user and event: its expiry names it (tokens are deterministic). See admission.ts.
 */
export interface Admission {
  expiresAtMs: number;
}

/**
 * The presale code a reserve comes with (X-Presale-Code), as the booking service found it in Postgres:
 * a presale's definition never changes once created, so the actor gets it with the command and decides
 * the window, the uses and the holds itself (presale.ts).
 */
export interface PresaleGrant {
  codeId: string;
  startsAtMs: number;
  endsAtMs: number;
  usesPerCode: number;
}

export type Command =
  | {
      type: "reserve";
      userId: string;
      ordinals: number[];
      holdId: string;
      admission?: Admission;
      presale?: PresaleGrant;
    }
  /** Best available: the actor picks the seats (see domain/best-available.ts) and holds them. */
  | ({
      type: "reserveBest";
      userId: string;
      holdId: string;
      admission?: Admission;
      presale?: PresaleGrant;
    } & BestAvailableRequest)
  | { type: "release"; userId: string; ordinals: number[] }
  | { type: "expire" }
  /**
   * With `requestHash`, the commit also claims the Idempotency-Key (user, key) for this payment; a key
   * already taken refuses this command alone (IDEMPOTENCY_KEY_TAKEN), nothing of it written.
   */
  | {
      type: "confirmStart";
      userId: string;
      ordinals: number[];
      paymentId: string;
      idempotencyKey: string;
      requestHash?: string;
      /**
       * The saga found this key free after the host refused it (a lapsed claim of the older confirm
       * taken over): the host must not answer from its memory of the key, only the commit decides.
       */
      keyFreed?: boolean;
    }
  /**
   * With `providerRef`, the commit also records the capture (a pending payment becomes captured);
   * without, the payment must already be captured. The booking's answer is stored on its key.
   */
  | { type: "confirmComplete"; paymentId: string; bookingId: string; providerRef?: string }
  /** With `declined` (the reason), the commit also marks the pending payment declined and stores the 402. */
  | { type: "confirmAbort"; paymentId: string; declined?: string }
  | { type: "updateSettings"; settings: Partial<SaleSettings> }
  | WaitlistCommand;

/** The command of one type, as its use case receives it. */
export type CommandOf<T extends Command["type"]> = Extract<Command, { type: T }>;

export type Effect =
  | { type: "holdsPut"; ordinals: number[]; hold: HoldRow }
  | { type: "holdsDeleted"; ordinals: number[] }
  | {
      type: "paymentIntent";
      paymentId: string;
      userId: string;
      idempotencyKey: string;
      /** Present: the key is claimed in the same commit (see the confirmStart command). */
      requestHash?: string;
      holdId: string;
      ordinals: number[];
      amountCents: number;
    }
  | {
      type: "booked";
      bookingId: string;
      paymentId: string;
      userId: string;
      ordinals: number[];
      amountCents: number;
      /** The booking's created_at (the command's clock), also in the stored answer. */
      createdAtMs: number;
      /** Present: the capture is recorded in the same commit. */
      providerRef?: string;
    }
  /**
   * A confirming hold was given back: a captured payment of it must now be refunded; with `declined`
   * (the reason), a pending payment is marked declined and its 402 stored.
   */
  | { type: "paymentAbandoned"; paymentId: string; declined?: string }
  | { type: "seatsChanged"; ordinals: number[]; status: PublicSeatStatus }
  /** The user's holds all ended; the latest admission they used (now spent) named by admission.ts. */
  | {
      type: "holdsEnded";
      userId: string;
      reason: "confirmed" | "released" | "expired";
      admissionExpiresAtMs?: number;
    }
  /** An admission took its first hold (admission.ts): remembered until it expires. */
  | { type: "admissionUsed"; userId: string; expiresAtMs: number }
  /** Used admissions that expired at or before `upToMs` are forgotten. */
  | { type: "admissionsExpired"; upToMs: number }
  /** A booking used a presale code (presale.ts): written in the booking's commit. */
  | { type: "presaleUsed"; codeId: string; bookingId: string }
  | WaitlistEffect;

export type Outcome = { ok: true; value: any } | { ok: false; error: ErrorFacts };

export interface Decision {
  state: SeatState;
  effects: Effect[];
  outcome: Outcome;
}

export const ok = (value: unknown): Outcome => ({ ok: true, value });

export const fail = (code: ErrorCode, message: string, details?: Record<string, unknown>): Outcome => ({
  ok: false,
  error: details ? { code, message, details } : { code, message },
});

/** The public ticket ids of seats of the state's event. */
export const ids = (state: SeatState, ordinals: number[]): string[] =>
  ordinals.map((ordinal) => ticketId(state.eventId, ordinal));

/** A hold as the `holdsPut` effect persists it. */
export const holdRow = (hold: Hold): HoldRow => ({
  holdId: hold.holdId,
  userId: hold.userId,
  status: hold.status,
  expiresAt: hold.expiresAt,
  paymentId: hold.paymentId,
});
