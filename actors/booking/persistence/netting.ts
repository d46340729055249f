// Netting: a turn's effects reduced to the final row of every hold touched (a hold put then deleted
// in the same turn is one DELETE) and the inserts to make, as columns for unnest().
import type { Effect, HoldRow } from "../../../domain/seat-state.ts";
import type { EventBatch } from "./batch.ts";
import { netWaitlist, nothingForWaitlist, type WaitlistWrites } from "./writers/waitlist.ts";

export interface HoldDeletes {
  eventIds: string[];
  ordinals: number[];
}

export interface HoldPuts {
  eventIds: string[];
  ordinals: number[];
  holdIds: string[];
  userIds: string[];
  statuses: string[];
  expiresMs: number[];
  paymentIds: (string | null)[];
}

/** Waiting-room admissions used (inserted) and expired (deleted up to a time), per event. */
export interface AdmissionWrites {
  used: { eventIds: string[]; userIds: string[]; expiresAtMs: number[] };
  expired: { eventIds: string[]; upToMs: number[] };
}

/** Bookings made with a presale code (writers/presale-uses.ts). */
export interface PresaleUses {
  eventIds: string[];
  bookingIds: string[];
  codeIds: string[];
}

export type PaymentIntent = { eventId: string; effect: Extract<Effect, { type: "paymentIntent" }> };
export type Booked = { eventId: string; effect: Extract<Effect, { type: "booked" }> };
export type Abandoned = { eventId: string; paymentId: string; declined?: string };

export interface Netted {
  deletes: HoldDeletes;
  puts: HoldPuts;
  intents: PaymentIntent[];
  bookings: Booked[];
  abandoned: Abandoned[];
  admissions: AdmissionWrites;
  /** Waiting-list entries, offers and cancellations (writers/waitlist.ts). */
  waitlist: WaitlistWrites;
  presaleUses: PresaleUses;
}

/** Reduces a turn's effects to the final row of every hold touched, and the inserts to make. */
export function net(batches: EventBatch[]): Netted {
  const result: Netted = {
    deletes: { eventIds: [], ordinals: [] },
    puts: {
      eventIds: [],
      ordinals: [],
      holdIds: [],
      userIds: [],
      statuses: [],
      expiresMs: [],
      paymentIds: [],
    },
    intents: [],
    bookings: [],
    abandoned: [],
    admissions: {
      used: { eventIds: [], userIds: [], expiresAtMs: [] },
      expired: { eventIds: [], upToMs: [] },
    },
    waitlist: netWaitlist(batches),
    presaleUses: { eventIds: [], bookingIds: [], codeIds: [] },
  };
  for (const batch of batches) {
    const finalHolds = new Map<number, HoldRow | null>();
    let expiredUpTo: number | null = null;
    for (const effect of batch.effects) {
      switch (effect.type) {
        case "holdsPut":
          for (const ordinal of effect.ordinals) finalHolds.set(ordinal, effect.hold);
          break;
        case "holdsDeleted":
          for (const ordinal of effect.ordinals) finalHolds.set(ordinal, null);
          break;
        case "paymentIntent":
          result.intents.push({ eventId: batch.eventId, effect });
          break;
        case "booked":
          result.bookings.push({ eventId: batch.eventId, effect });
          break;
        case "paymentAbandoned":
          result.abandoned.push({
            eventId: batch.eventId,
            paymentId: effect.paymentId,
            ...(effect.declined === undefined ? {} : { declined: effect.declined }),
          });
          break;
        case "admissionUsed":
          result.admissions.used.eventIds.push(batch.eventId);
          result.admissions.used.userIds.push(effect.userId);
          result.admissions.used.expiresAtMs.push(effect.expiresAtMs);
          break;
        case "admissionsExpired":
          expiredUpTo = Math.max(expiredUpTo ?? effect.upToMs, effect.upToMs);
          break;
        case "presaleUsed":
          result.presaleUses.eventIds.push(batch.eventId);
          result.presaleUses.bookingIds.push(effect.bookingId);
          result.presaleUses.codeIds.push(effect.codeId);
          break;
      }
    }
    addHoldRows(result, batch.eventId, finalHolds);
    if (expiredUpTo !== null) {
      result.admissions.expired.eventIds.push(batch.eventId);
      result.admissions.expired.upToMs.push(expiredUpTo);
    }
  }
  return result;
}

function addHoldRows(result: Netted, eventId: string, finalHolds: Map<number, HoldRow | null>): void {
  const { deletes, puts } = result;
  for (const [ordinal, hold] of finalHolds) {
    if (hold === null) {
      deletes.eventIds.push(eventId);
      deletes.ordinals.push(ordinal);
    } else {
      puts.eventIds.push(eventId);
      puts.ordinals.push(ordinal);
      puts.holdIds.push(hold.holdId);
      puts.userIds.push(hold.userId);
      puts.statuses.push(hold.status);
      puts.expiresMs.push(hold.expiresAt);
      puts.paymentIds.push(hold.paymentId);
    }
  }
}

/**
 * True when the turn only puts and deletes holds and admissions (reserve, release, expire): the
 * one-statement path.
 */
export const holdsOnly = (netted: Netted): boolean =>
  netted.intents.length === 0 &&
  netted.bookings.length === 0 &&
  netted.abandoned.length === 0 &&
  nothingForWaitlist(netted.waitlist);

/** The seats of a turn's bookings, one entry per seat (booking_tickets and tickets rows). */
export interface BookedSeats {
  eventIds: string[];
  ordinals: number[];
  bookingIds: string[];
}

export function bookedSeats(bookings: Booked[]): BookedSeats {
  const seats: BookedSeats = { eventIds: [], ordinals: [], bookingIds: [] };
  for (const item of bookings) {
    for (const ordinal of item.effect.ordinals) {
      seats.eventIds.push(item.eventId);
      seats.ordinals.push(ordinal);
      seats.bookingIds.push(item.effect.bookingId);
    }
  }
  return seats;
}
