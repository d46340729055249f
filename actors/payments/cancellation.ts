// Cancellation of a booking by its organiser, a saga like confirm:
//   1. one commit of the event's actor (cancelBooking): the booking `cancelled`, its seats back to
//      sale (or offered to the waiting list in the same commit), its payment's refund requested;
//   2. the refund through the provider (idempotent by payment id), then the payment `refunded`.
// A crash between the two leaves a cancelled booking whose payment is captured with a refund
// requested: recovery (finishCancelledRefunds) refunds it. Money taken ends booked or refunded.
import { MarqueeError, hasErrorCode, notFound } from "../../domain/errors.ts";
import { paymentProviderTimeoutMs } from "../../domain/limits.ts";
import { cancelRefundsPerPassMax } from "../../domain/waitlist-limits.ts";
import { actorStep, type SagaContext } from "./confirm-saga.ts";
import { eventOfScopedId } from "../../domain/ids.ts";
import { eventOfIdFilter, findBooking, type BookingView } from "./payments.repository.ts";
import { withTimeout } from "./provider.ts";

interface BookingFacts {
  eventId: string;
  userId: string;
  status: "confirmed" | "cancelled";
  paymentId: string;
  ordinals: number[];
}

/** Cancels the booking (a second cancel changes nothing) and answers it as it stands. */
export async function cancelBooking(
  saga: SagaContext,
  bookingId: string,
  reason: string,
): Promise<BookingView> {
  const booking = await bookingFacts(saga, bookingId);
  if (!booking) throw notFound("Booking");
  if (booking.status === "confirmed") {
    try {
      await actorStep(saga, booking.eventId, {
        type: "cancelBooking",
        bookingId,
        userId: booking.userId,
        paymentId: booking.paymentId,
        ordinals: booking.ordinals,
        reason,
      });
    } catch (error) {
      // Cancelled by a racing request meanwhile: answered from the record below.
      if (!hasErrorCode(error, "BOOKING_NOT_CANCELLABLE")) throw error;
    }
  }
  await refundCancelled(saga, booking.eventId, booking.paymentId);
  const view = await findBooking(saga.db, booking.eventId, bookingId);
  if (!view || view.status !== "cancelled")
    throw new MarqueeError("UNAVAILABLE", "The cancellation did not complete; retry", undefined, 1);
  return view;
}

async function bookingFacts(saga: SagaContext, bookingId: string): Promise<BookingFacts | null> {
  const { rows } = await saga.db.query(
    `SELECT b.event_id, b.user_id, b.status, b.payment_id,
       -- coalesce: the id's event when it carries one (one partition), else the row's (older ids)
       array(SELECT s.ordinal FROM booking_seats s WHERE s.event_id = coalesce($2, b.event_id) AND s.booking_id = b.id
             ORDER BY s.ordinal) AS ordinals
     FROM bookings b WHERE b.id = $1 AND ${eventOfIdFilter("b", 2)} ORDER BY b.created_at LIMIT 1`,
    [bookingId, eventOfScopedId(bookingId)],
  );
  const row = rows[0];
  if (!row) return null;
  return {
    eventId: row.event_id,
    userId: row.user_id,
    status: row.status,
    paymentId: row.payment_id,
    ordinals: row.ordinals,
  };
}

/** Step 2: refunds a cancelled booking's payment still captured (nothing when already refunded). */
export async function refundCancelled(
  saga: SagaContext,
  eventId: string,
  paymentId: string,
): Promise<boolean> {
  const { rows } = await saga.db.query(
    `SELECT p.provider_ref FROM payments p
     JOIN bookings b ON b.event_id = p.event_id AND b.payment_id = p.id
     WHERE p.event_id = $1 AND p.id = $2 AND p.status = 'captured' AND b.status = 'cancelled'`,
    [eventId, paymentId],
  );
  if (rows.length === 0) return false;
  await withTimeout(
    saga.provider.refund(paymentId, rows[0].provider_ref),
    paymentProviderTimeoutMs,
    "refund",
  );
  await saga.db.query(
    `UPDATE payments p SET status = 'refunded', failure_reason = coalesce(p.failure_reason, 'cancelled'),
       updated_at = now()
     FROM bookings b
     WHERE p.event_id = $1 AND p.id = $2 AND p.status = 'captured'
       AND b.event_id = p.event_id AND b.payment_id = p.id AND b.status = 'cancelled'`,
    [eventId, paymentId],
  );
  return true;
}

/** Recovery: cancellations cut short between their commit and their refund are finished. */
export async function finishCancelledRefunds(
  saga: SagaContext,
): Promise<{ examined: number; failed: number }> {
  const { rows } = await saga.db.query(
    `SELECT p.event_id, p.id FROM payments p
     JOIN bookings b ON b.event_id = p.event_id AND b.payment_id = p.id
     WHERE p.status = 'captured' AND b.status = 'cancelled'
     ORDER BY p.updated_at LIMIT $1`,
    [cancelRefundsPerPassMax],
  );
  let failed = 0;
  for (const row of rows) {
    try {
      await refundCancelled(saga, row.event_id, row.id);
    } catch (error) {
      failed++;
      saga.log("warn", `refund of cancelled booking's payment ${row.id}: ${(error as Error).message}`);
    }
  }
  return { examined: rows.length, failed };
}
