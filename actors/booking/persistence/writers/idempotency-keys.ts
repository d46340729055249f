// Writer of `idempotency_keys`: a confirm's payment recorded on the key it claimed.
import type { PaymentIntent } from "../netting.ts";
import type { Run } from "../statements.ts";

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
