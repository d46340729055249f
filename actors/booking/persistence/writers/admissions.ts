// Writer of `used_admissions`: the waiting-room admissions a turn's holds used (inserted; the same
// fact twice is one row) and those expired (deleted by range). The same statements serve the
// transaction and, as CTEs limited to the events whose fence passed, the one-statement hot path
// (holds-commit.ts).
import type { AdmissionWrites } from "../netting.ts";
import type { Run } from "../statements.ts";

/** Only the rows of events that passed the fence CTE named `fence`. */
const passed = (fence: string) => `x.event_id IN (SELECT event_id FROM ${fence})`;

/** INSERT of (event, user, expiry) from parameters $first .. $first+2 (admissionUsedValues). */
export const insertUsedAdmissionsSql = (first: number, fence?: string): string =>
  `INSERT INTO used_admissions (event_id, user_id, expires_at_ms)
   SELECT x.event_id, x.user_id, x.expires_at_ms
   FROM unnest($${first}::text[], $${first + 1}::text[], $${first + 2}::bigint[]) AS x(event_id, user_id, expires_at_ms)
   ${fence ? `WHERE ${passed(fence)}` : ""}
   ON CONFLICT DO NOTHING`;

/** DELETE of every admission of an event expired by a time, from parameters $first, $first+1. */
export const deleteExpiredAdmissionsSql = (first: number, fence?: string): string =>
  `DELETE FROM used_admissions a USING unnest($${first}::text[], $${first + 1}::bigint[]) AS x(event_id, up_to_ms)
   WHERE a.event_id = x.event_id AND a.expires_at_ms <= x.up_to_ms${fence ? ` AND ${passed(fence)}` : ""}`;

export const admissionUsedValues = (writes: AdmissionWrites): unknown[] => [
  writes.used.eventIds,
  writes.used.userIds,
  writes.used.expiresAtMs,
];

export const admissionExpiredValues = (writes: AdmissionWrites): unknown[] => [
  writes.expired.eventIds,
  writes.expired.upToMs,
];

export async function writeAdmissions(run: Run, writes: AdmissionWrites): Promise<void> {
  if (writes.used.eventIds.length > 0) await run(insertUsedAdmissionsSql(1), admissionUsedValues(writes));
  if (writes.expired.eventIds.length > 0)
    await run(deleteExpiredAdmissionsSql(1), admissionExpiredValues(writes));
}
