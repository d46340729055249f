// The commands and effects of the waiting list (waitlist.ts) and of a cancellation (cancel.ts), and
// the entries as the actor keeps and persists them. Types only: decision.ts unions them in.

/** An entry as persisted (waitlist_entries): the actor writes its final row in each commit. */
export interface WaitlistRow {
  userId: string;
  seq: number;
  quantity: number;
  status: "waiting" | "offered" | "expired" | "booked";
  /** The offer (a hold in the user's name): its hold id, seats and expiry; null while waiting. */
  holdId: string | null;
  offer: number[] | null;
  offerExpiresAt: number | null;
}

/** An entry the actor loads at activation (waiting or offered), and the highest seq ever used. */
export interface LoadedWaitlist {
  entries: WaitlistRow[];
  maxSeq: number;
}

export type WaitlistCommand =
  | { type: "waitlistJoin"; userId: string; quantity: number }
  /** Leaves the list; an offer still held is given back (to the next entry). */
  | { type: "waitlistLeave"; userId: string }
  /**
   * An organiser cancels a booking (its seats, user and payment read from Postgres by the caller):
   * the seats come back to sale or to the waiting list. The commit refuses it alone when the booking
   * is no longer confirmed (BOOKING_NOT_CANCELLABLE).
   */
  | {
      type: "cancelBooking";
      bookingId: string;
      userId: string;
      paymentId: string;
      ordinals: number[];
      reason: string;
    };

export type WaitlistEffect =
  | { type: "waitlistPut"; entry: WaitlistRow }
  | { type: "waitlistDeleted"; userId: string }
  /** Seats offered to an entry (also in a waitlistPut): pushed to the user and sent as a webhook. */
  | { type: "waitlistOffered"; entry: WaitlistRow }
  | {
      type: "bookingCancelled";
      bookingId: string;
      userId: string;
      paymentId: string;
      ordinals: number[];
      reason: string;
    };
