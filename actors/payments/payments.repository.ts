// Payments, idempotency keys and bookings as the confirm saga, recovery and the read endpoints see
// them. The confirm's own writes (key claimed, payment intent, capture, booking, the stored answer of
// a booking or a decline) are made by the event actor's group commit (actors/booking/persistence/);
// these are the reads, and the writes outside the actor off the happy path (recovery, refunds, races).
import type { Database } from "../../platform/database.ts";
import { notFound } from "../../domain/errors.ts";
import { eventOfScopedId, ticketId } from "../../domain/ids.ts";
import { bookingsPageMax, idempotencyClaimLeaseMs } from "../../domain/limits.ts";
import { claimKeyRows } from "../booking/persistence/writers/idempotency-keys.ts";

/** PostgreSQL's foreign_key_violation. */
const foreignKeyViolation = "23503";

export interface BookingView {
  id: string;
  eventId: string;
  ticketIds: string[];
  amountCents: number;
  status: "confirmed" | "cancelled";
  paymentId: string;
  createdAt: string;
}

export interface PaymentRecord {
  eventId: string;
  id: string;
  userId: string;
  idempotencyKey: string;
  status: "pending" | "captured" | "declined" | "refunded";
  amountCents: number;
  providerRef: string | null;
  bookingId: string | null;
  refundRequested: boolean;
  failureReason: string | null;
  updatedAt: string;
}

export interface IdempotencyRecord {
  requestHash: string;
  paymentId: string | null;
  statusCode: number | null;
  response: any;
  /** Claimed longer ago than the lease: a holder without a payment by now is presumed dead. */
  claimLapsed: boolean;
}

interface KeyRef {
  eventId: string;
  userId: string;
  key: string;
}

const paymentRecord = (row: any): PaymentRecord => ({
  eventId: row.event_id,
  id: row.id,
  userId: row.user_id,
  idempotencyKey: row.idempotency_key,
  status: row.status,
  amountCents: row.amount_cents,
  providerRef: row.provider_ref,
  bookingId: row.booking_id,
  refundRequested: row.refund_requested_at !== null,
  failureReason: row.failure_reason,
  updatedAt: new Date(row.updated_at).toISOString(),
});

/**
 * The claim of the older two-step confirm (a transaction of its own; the confirm now claims its key in
 * the actor's commit, actors/booking/persistence/writers/idempotency-keys.ts, whose statement this
 * sends too), kept for the migration tests. Claims an Idempotency-Key for a request, as `claimId`: a
 * new key, or one whose earlier claim by the same request lapsed without a payment (see migration
 * 0202). `claimed: false` returns the record that is there, possibly on another event: the user's key
 * is taken on any event (idempotency_user_keys, migration 0360), also by a racing node.
 */
export async function claimIdempotencyKey(
  db: Database,
  key: KeyRef & { requestHash: string; claimId: string },
): Promise<{ claimed: true } | { claimed: false; record: IdempotencyRecord | null }> {
  const query = async (text: string, values: unknown[]) => (await db.query(text, values)).rows;
  const claimed = await claimKeyRows(query, [{ ...key, paymentId: null }]).catch(
    (error: { code?: unknown }) => {
      // The key's event does not exist (its foreign key): the tickets named are unknown, a 404.
      throw error?.code === foreignKeyViolation ? notFound("Event") : error;
    },
  );
  if (claimed.has(key.claimId)) return { claimed: true };
  const takenOver = await db.query(
    `UPDATE idempotency_keys SET claim_id = $5, claimed_at = now()
     WHERE event_id = $1 AND user_id = $2 AND key = $3 AND request_hash = $4
       AND payment_id IS NULL AND response IS NULL
       AND claimed_at < now() - make_interval(secs => $6)
     RETURNING key`,
    [key.eventId, key.userId, key.key, key.requestHash, key.claimId, idempotencyClaimLeaseMs / 1000],
  );
  if (takenOver.rowCount === 1) return { claimed: true };
  return { claimed: false, record: await findIdempotencyKey(db, key) };
}

/** A key's record on one event: one partition of idempotency_keys. */
export const idempotencyKeyOfEventSql = `SELECT request_hash, payment_id, status_code, response,
    claimed_at < now() - make_interval(secs => $4) AS claim_lapsed
  FROM idempotency_keys WHERE event_id = $1 AND user_id = $2 AND key = $3`;

/** The event on which a user's key was claimed (the unpartitioned idempotency_user_keys). */
export const userKeyEventSql = "SELECT event_id FROM idempotency_user_keys WHERE user_id = $1 AND key = $2";

/**
 * The record of a user's key, whichever event it was claimed on (keys are the user's across events:
 * migration 0203); a key reused on several events before then answers for its own event first. Two
 * lookups that each name one partition (the key's own event, then the event idempotency_user_keys
 * names), never a scan of every partition by user and key.
 */
export async function findIdempotencyKey(db: Database, key: KeyRef): Promise<IdempotencyRecord | null> {
  const ofEvent = async (eventId: string) =>
    (await db.query(idempotencyKeyOfEventSql, [eventId, key.userId, key.key, idempotencyClaimLeaseMs / 1000]))
      .rows[0];
  let row = await ofEvent(key.eventId);
  if (!row) {
    const owner = (await db.query(userKeyEventSql, [key.userId, key.key])).rows[0];
    if (owner && owner.event_id !== key.eventId) row = await ofEvent(owner.event_id);
  }
  if (!row) return null;
  return {
    requestHash: row.request_hash,
    paymentId: row.payment_id,
    statusCode: row.status_code,
    response: row.response,
    claimLapsed: row.claim_lapsed,
  };
}

/**
 * Takes over a claim of the old two-step confirm (claimed in a transaction of its own) whose holder
 * died before recording a payment, once its lease lapsed: the row goes, with its user-wide row, so the
 * next confirmStart's commit claims the key afresh. Only for the same request; a no-op if anything was
 * recorded meanwhile.
 */
export async function takeOverLapsedClaim(
  db: Database,
  key: KeyRef & { requestHash: string },
): Promise<void> {
  await db.query(
    `WITH gone AS (
       DELETE FROM idempotency_keys WHERE event_id = $1 AND user_id = $2 AND key = $3 AND request_hash = $4
         AND payment_id IS NULL AND response IS NULL AND claimed_at < now() - make_interval(secs => $5)
       RETURNING event_id, user_id, key
     )
     DELETE FROM idempotency_user_keys u USING gone
     WHERE u.user_id = gone.user_id AND u.key = gone.key AND u.event_id = gone.event_id`,
    [key.eventId, key.userId, key.key, key.requestHash, idempotencyClaimLeaseMs / 1000],
  );
}

/** Stores the final answer of a key (first writer wins: a replay returns exactly this). */
export async function storeIdempotentResponse(
  db: Database,
  key: KeyRef,
  statusCode: number,
  response: unknown,
): Promise<void> {
  await db.query(
    `UPDATE idempotency_keys SET status_code = $4, response = $5
     WHERE event_id = $1 AND user_id = $2 AND key = $3 AND response IS NULL`,
    [key.eventId, key.userId, key.key, statusCode, JSON.stringify(response)],
  );
}

export async function findPayment(
  db: Database,
  eventId: string,
  paymentId: string,
): Promise<PaymentRecord | null> {
  const { rows } = await db.query("SELECT * FROM payments WHERE event_id = $1 AND id = $2", [
    eventId,
    paymentId,
  ]);
  return rows[0] ? paymentRecord(rows[0]) : null;
}

/** false when the payment is no longer pending (recovery declared it lost meanwhile). */
export async function markCaptured(
  db: Database,
  eventId: string,
  paymentId: string,
  providerRef: string,
): Promise<boolean> {
  const result = await db.query(
    `UPDATE payments SET status = 'captured', provider_ref = $3, updated_at = now()
     WHERE event_id = $1 AND id = $2 AND status = 'pending'`,
    [eventId, paymentId, providerRef],
  );
  return result.rowCount === 1;
}

export async function markDeclined(db: Database, eventId: string, paymentId: string, reason: string) {
  await db.query(
    `UPDATE payments SET status = 'declined', failure_reason = $3, updated_at = now()
     WHERE event_id = $1 AND id = $2 AND status = 'pending'`,
    [eventId, paymentId, reason],
  );
}

/**
 * Marks a captured payment for refund when no booking exists for it. Only called once the actor has
 * no confirming hold for the payment (so nothing can book it any more). True when it is (now) marked.
 */
export async function requestRefund(db: Database, eventId: string, paymentId: string): Promise<boolean> {
  const { rows } = await db.query(
    `UPDATE payments SET refund_requested_at = coalesce(refund_requested_at, now()), updated_at = now()
     WHERE event_id = $1 AND id = $2 AND status = 'captured' AND booking_id IS NULL
     RETURNING id`,
    [eventId, paymentId],
  );
  return rows.length === 1;
}

export async function markRefunded(db: Database, eventId: string, paymentId: string, reason: string) {
  await db.query(
    `UPDATE payments SET status = 'refunded', failure_reason = coalesce(failure_reason, $3), updated_at = now()
     WHERE event_id = $1 AND id = $2 AND status = 'captured' AND booking_id IS NULL AND refund_requested_at IS NOT NULL`,
    [eventId, paymentId, reason],
  );
}

/**
 * The partition filter of a read by booking or payment id: `event_id = $n` when the id carries its
 * event (eventOfScopedId, passed as $n), nothing for an older id ($n null: the id index of every
 * partition). With the value bound, the planner folds the null test away and prunes to one partition.
 */
export const eventOfIdFilter = (alias: string, parameter: number): string =>
  `($${parameter}::text IS NULL OR ${alias}.event_id = $${parameter})`;

const bookingSelect = `SELECT b.event_id, b.id, b.amount_cents, b.status, b.payment_id, b.created_at,
    array_agg(bt.ordinal ORDER BY bt.ordinal) AS ordinals
  FROM bookings b JOIN booking_seats bt ON bt.event_id = b.event_id AND bt.booking_id = b.id`;

const bookingView = (row: any): BookingView => ({
  id: row.id,
  eventId: row.event_id,
  ticketIds: (row.ordinals as number[]).map((ordinal) => ticketId(row.event_id, ordinal)),
  amountCents: row.amount_cents,
  status: row.status,
  paymentId: row.payment_id,
  createdAt: new Date(row.created_at).toISOString(),
});

export async function findBooking(
  db: Database,
  eventId: string,
  bookingId: string,
): Promise<BookingView | null> {
  const { rows } = await db.query(
    `${bookingSelect} WHERE b.event_id = $1 AND b.id = $2 GROUP BY b.event_id, b.id`,
    [eventId, bookingId],
  );
  return rows[0] ? bookingView(rows[0]) : null;
}

export async function findUserBooking(
  db: Database,
  userId: string,
  bookingId: string,
): Promise<BookingView | null> {
  const { rows } = await db.query(
    `${bookingSelect} WHERE b.id = $1 AND b.user_id = $2 AND ${eventOfIdFilter("b", 3)} GROUP BY b.event_id, b.id`,
    [bookingId, userId, eventOfScopedId(bookingId)],
  );
  return rows[0] ? bookingView(rows[0]) : null;
}

export async function listUserBookings(db: Database, userId: string): Promise<BookingView[]> {
  const { rows } = await db.query(
    `${bookingSelect} WHERE b.user_id = $1 GROUP BY b.event_id, b.id ORDER BY b.created_at DESC, b.id LIMIT $2`,
    [userId, bookingsPageMax],
  );
  return rows.map(bookingView);
}

export async function findUserPayment(
  db: Database,
  userId: string,
  paymentId: string,
): Promise<PaymentRecord | null> {
  const { rows } = await db.query(
    `SELECT * FROM payments p WHERE p.id = $1 AND p.user_id = $2 AND ${eventOfIdFilter("p", 3)}`,
    [paymentId, userId, eventOfScopedId(paymentId)],
  );
  return rows[0] ? paymentRecord(rows[0]) : null;
}

/** Money taken that ended neither as a booking nor as a refund, and payments whose saga was lost. */
export async function findUnsettledPayments(db: Database, pendingOlderThanMs: number, limit: number) {
  const { rows } = await db.query(
    `(SELECT * FROM payments WHERE booking_id IS NULL
        AND (status = 'captured' OR (status = 'pending' AND updated_at < now() - make_interval(secs => $1 / 1000.0)))
      ORDER BY updated_at LIMIT $2)
     UNION ALL
     (SELECT DISTINCT ON (p.event_id, p.id) p.* FROM holds h
      JOIN payments p ON p.event_id = h.event_id AND p.id = h.payment_id
      WHERE h.payment_id IS NOT NULL AND p.status = 'declined'
      LIMIT $2)`,
    [pendingOlderThanMs, limit],
  );
  return rows.map(paymentRecord);
}
