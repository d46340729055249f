// Writer of `idempotency_keys`: a confirm's key claimed with its payment (ON CONFLICT DO NOTHING: a
// key taken, on this event or another, refuses that confirm alone, never the group commit), the
// payment recorded on a key claimed before (commands without a request hash), and the final answer
// of a booking or a decline stored on the key of its payment.
import type { PaymentIntent } from "../netting.ts";
import type { Query, Run } from "../statements.ts";

/**
 * The claim of keys, one row each in $1..$6 (event_id, user_id, key, request_hash, payment_id,
 * claim_id); RETURNING the claim_id of each key claimed. A user's key is theirs across events: the
 * unpartitioned idempotency_user_keys (user_id, key) is the arbiter (migration 0360; a unique index
 * without event_id cannot exist on the partitioned idempotency_keys), written by this same statement.
 * A key is claimed when its user-wide row is new, or was already this event's; a key taken on
 * another event, also by a racing node (its INSERT waits for that one's commit, then does nothing),
 * claims nothing.
 */
export const claimKeysSql = `WITH x AS (
    SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])
      AS x(event_id, user_id, key, request_hash, payment_id, claim_id)
  ), user_claims AS (
    INSERT INTO idempotency_user_keys (user_id, key, event_id)
    SELECT user_id, key, event_id FROM x
    ON CONFLICT DO NOTHING
    RETURNING user_id, key, event_id
  )
  INSERT INTO idempotency_keys (event_id, user_id, key, request_hash, payment_id, claim_id)
  SELECT x.event_id, x.user_id, x.key, x.request_hash, x.payment_id, x.claim_id FROM x
  WHERE (EXISTS (SELECT 1 FROM user_claims c WHERE c.user_id = x.user_id AND c.key = x.key AND c.event_id = x.event_id)
         OR EXISTS (SELECT 1 FROM idempotency_user_keys u
                    WHERE u.user_id = x.user_id AND u.key = x.key AND u.event_id = x.event_id))
  ON CONFLICT DO NOTHING
  RETURNING claim_id`;

export interface KeyClaim {
  eventId: string;
  userId: string;
  key: string;
  requestHash: string;
  paymentId: string | null;
  claimId: string;
}

/** Claims keys (claimKeysSql); returns the claim ids of the keys claimed. */
export async function claimKeyRows(query: Query, claims: KeyClaim[]): Promise<Set<string>> {
  const rows = await query(claimKeysSql, [
    claims.map((item) => item.eventId),
    claims.map((item) => item.userId),
    claims.map((item) => item.key),
    claims.map((item) => item.requestHash),
    claims.map((item) => item.paymentId),
    claims.map((item) => item.claimId),
  ]);
  return new Set(rows.map((row) => row.claim_id as string));
}

/** Claims the keys of `intents` (each with a requestHash); returns the payment ids whose key was taken. */
export async function claimKeys(query: Query, intents: PaymentIntent[]): Promise<string[]> {
  const claimed = await claimKeyRows(
    query,
    intents.map((item) => ({
      eventId: item.eventId,
      userId: item.effect.userId,
      key: item.effect.idempotencyKey,
      requestHash: item.effect.requestHash!,
      paymentId: item.effect.paymentId,
      claimId: item.effect.paymentId,
    })),
  );
  return intents.map((item) => item.effect.paymentId).filter((paymentId) => !claimed.has(paymentId));
}

/** The payment of a confirm whose key was claimed before its confirmStart (no request hash). */
export async function recordKeyPayments(run: Run, intents: PaymentIntent[]): Promise<void> {
  await run(
    `UPDATE idempotency_keys k SET payment_id = x.payment_id
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS x(event_id, payment_id, user_id, key)
     WHERE k.event_id = x.event_id AND k.user_id = x.user_id AND k.key = x.key
       AND k.event_id = ANY ($1::text[]) AND k.user_id = ANY ($3::text[])`,
    [
      intents.map((item) => item.eventId),
      intents.map((item) => item.effect.paymentId),
      intents.map((item) => item.effect.userId),
      intents.map((item) => item.effect.idempotencyKey),
    ],
  );
}

export interface StoredAnswer {
  eventId: string;
  paymentId: string;
  statusCode: number;
  response: unknown;
}

/**
 * Stores each answer on the key of its payment, unless one is there (first writer wins): a booking's
 * 201 once its payment is captured, a decline's 402 once it is declined.
 */
export async function storeAnswers(run: Run, answers: StoredAnswer[]): Promise<void> {
  await run(
    `UPDATE idempotency_keys k SET status_code = x.status_code, response = x.response::jsonb
     FROM unnest($1::text[], $2::text[], $3::int[], $4::text[]) AS x(event_id, payment_id, status_code, response),
          payments p
     WHERE p.event_id = x.event_id AND p.id = x.payment_id AND p.event_id = ANY ($1::text[]) AND p.id = ANY ($2::text[])
       AND k.event_id = p.event_id AND k.user_id = p.user_id AND k.key = p.idempotency_key
       AND k.payment_id = p.id AND k.response IS NULL AND k.event_id = ANY ($1::text[])
       AND p.status = CASE WHEN x.status_code = 201 THEN 'captured' ELSE 'declined' END`,
    [
      answers.map((item) => item.eventId),
      answers.map((item) => item.paymentId),
      answers.map((item) => item.statusCode),
      answers.map((item) => JSON.stringify(item.response)),
    ],
  );
}
