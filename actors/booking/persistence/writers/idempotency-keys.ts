// Writer of `idempotency_keys`: a confirm's key claimed with its payment (ON CONFLICT DO NOTHING: a
// key taken, on this event or another, refuses that confirm alone, never the group commit), the
// payment recorded on a key claimed before (commands without a request hash), and the final answer
// of a booking or a decline stored on the key of its payment.
import type { PaymentIntent } from "../netting.ts";
import type { Query, Run } from "../statements.ts";

/** Claims the keys of `intents` (each with a requestHash); returns the payment ids whose key was taken. */
export async function claimKeys(query: Query, intents: PaymentIntent[]): Promise<string[]> {
  const rows = await query(
    `INSERT INTO idempotency_keys (event_id, user_id, key, request_hash, payment_id, claim_id)
     SELECT x.event_id, x.user_id, x.key, x.request_hash, x.payment_id, x.payment_id
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[])
       AS x(event_id, user_id, key, request_hash, payment_id)
     ON CONFLICT DO NOTHING
     RETURNING payment_id`,
    [
      intents.map((item) => item.eventId),
      intents.map((item) => item.effect.userId),
      intents.map((item) => item.effect.idempotencyKey),
      intents.map((item) => item.effect.requestHash),
      intents.map((item) => item.effect.paymentId),
    ],
  );
  const claimed = new Set(rows.map((row) => row.payment_id as string));
  return intents.map((item) => item.effect.paymentId).filter((paymentId) => !claimed.has(paymentId));
}

/** The payment of a confirm whose key was claimed before its confirmStart (no request hash). */
export async function recordKeyPayments(run: Run, intents: PaymentIntent[]): Promise<void> {
  await run(
    `UPDATE idempotency_keys k SET payment_id = x.payment_id
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS x(event_id, payment_id, user_id, key)
     WHERE k.event_id = x.event_id AND k.user_id = x.user_id AND k.key = x.key`,
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
     WHERE p.event_id = x.event_id AND p.id = x.payment_id
       AND k.event_id = p.event_id AND k.user_id = p.user_id AND k.key = p.idempotency_key
       AND k.payment_id = p.id AND k.response IS NULL
       AND p.status = CASE WHEN x.status_code = 201 THEN 'captured' ELSE 'declined' END`,
    [
      answers.map((item) => item.eventId),
      answers.map((item) => item.paymentId),
      answers.map((item) => item.statusCode),
      answers.map((item) => JSON.stringify(item.response)),
    ],
  );
}
