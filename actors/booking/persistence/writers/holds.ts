// Writer of `holds`: the final row of every hold a turn touched (netting.ts), deleted or upserted.
// The same statements serve the transaction and, as CTEs limited to the events whose fence passed,
// the one-statement hot path (holds-commit.ts).
import type { HoldDeletes, HoldPuts } from "../netting.ts";
import type { Run } from "../statements.ts";

/** Only the rows of events that passed the fence CTE named `fence`. */
const passed = (fence: string) => `x.event_id IN (SELECT event_id FROM ${fence})`;

/** DELETE of (event, ordinal) pairs from parameters $first, $first+1 (holdDeleteValues). */
export const deleteHoldsSql = (first: number, fence?: string): string =>
  `DELETE FROM holds h USING unnest($${first}::text[], $${first + 1}::int[]) AS x(event_id, ordinal)
   WHERE h.event_id = x.event_id AND h.ordinal = x.ordinal AND h.event_id = ANY ($${first}::text[])
     AND h.ordinal = ANY ($${first + 1}::int[])${fence ? ` AND ${passed(fence)}` : ""}
   RETURNING 1`;

/** Upsert of whole hold rows from parameters $first .. $first+6 (holdPutValues). */
export const upsertHoldsSql = (first: number, fence?: string): string => {
  const p = (offset: number) => `$${first + offset}`;
  return `INSERT INTO holds (event_id, ordinal, hold_id, user_id, status, expires_at, payment_id)
   SELECT x.event_id, x.ordinal, x.hold_id, x.user_id, x.status, to_timestamp(x.expires_ms / 1000.0), x.payment_id
   FROM unnest(${p(0)}::text[], ${p(1)}::int[], ${p(2)}::text[], ${p(3)}::text[], ${p(4)}::text[], ${p(5)}::float8[], ${p(6)}::text[])
     AS x(event_id, ordinal, hold_id, user_id, status, expires_ms, payment_id)
   ${fence ? `WHERE ${passed(fence)}` : ""}
   ON CONFLICT (event_id, ordinal) DO UPDATE SET hold_id = excluded.hold_id, user_id = excluded.user_id,
     status = excluded.status, expires_at = excluded.expires_at, payment_id = excluded.payment_id
   RETURNING event_id`;
};

export const holdDeleteValues = (deletes: HoldDeletes): unknown[] => [deletes.eventIds, deletes.ordinals];

export const holdPutValues = (puts: HoldPuts): unknown[] => [
  puts.eventIds,
  puts.ordinals,
  puts.holdIds,
  puts.userIds,
  puts.statuses,
  puts.expiresMs,
  puts.paymentIds,
];

export async function writeHolds(run: Run, deletes: HoldDeletes, puts: HoldPuts): Promise<void> {
  if (deletes.ordinals.length > 0) await run(deleteHoldsSql(1), holdDeleteValues(deletes));
  if (puts.ordinals.length > 0) await run(upsertHoldsSql(1), holdPutValues(puts), puts.ordinals.length);
}
