// The hot path of the group commit (reserve, release, expire: holds, and the waiting-room admissions
// they use) in ONE statement, so one round trip and one commit: the fence UPDATE's RETURNING feeds
// the writes, so an event whose fence fails writes nothing while the others commit. (Data-modifying CTEs share one snapshot; the
// fence's row lock is held to the end of the statement, so a new owner's activation waits for it.)
import type { Database } from "../../../platform/database.ts";
import type { CommitResult, EventBatch } from "./batch.ts";
import { fenceSql, fenceValues, staleEvents } from "./fences.ts";
import type { Netted } from "./netting.ts";
import { commitMismatch } from "./statements.ts";
import {
  admissionExpiredValues,
  admissionUsedValues,
  deleteExpiredAdmissionsSql,
  insertUsedAdmissionsSql,
} from "./writers/admissions.ts";
import { deleteHoldsSql, holdDeleteValues, holdPutValues, upsertHoldsSql } from "./writers/holds.ts";

const holdsCommitSql = `WITH fence AS (${fenceSql}),
  deleted AS (${deleteHoldsSql(5, "fence")}),
  put AS (${upsertHoldsSql(7, "fence")}),
  admitted AS (${insertUsedAdmissionsSql(14, "fence")}),
  forgotten AS (${deleteExpiredAdmissionsSql(17, "fence")})
  SELECT coalesce((SELECT array_agg(event_id) FROM fence), '{}') AS fenced,
         (SELECT count(*) FROM deleted)::int AS deleted,
         coalesce((SELECT array_agg(event_id) FROM put), '{}') AS put`;

export async function commitHolds(
  db: Database,
  batches: EventBatch[],
  netted: Netted,
): Promise<CommitResult> {
  const { rows } = await db.query(holdsCommitSql, [
    ...fenceValues(batches),
    ...holdDeleteValues(netted.deletes),
    ...holdPutValues(netted.puts),
    ...admissionUsedValues(netted.admissions),
    ...admissionExpiredValues(netted.admissions),
  ]);
  const fenced = new Set<string>(rows[0].fenced);
  const expectedPuts = netted.puts.eventIds.filter((eventId) => fenced.has(eventId)).length;
  // Committed already (one statement): a mismatch means memory and database disagree - stop loudly.
  if (rows[0].put.length !== expectedPuts)
    throw commitMismatch(`expected ${expectedPuts} holds written, wrote ${rows[0].put.length}`);
  return {
    stale: staleEvents(batches, fenced),
    rows: fenced.size + rows[0].deleted + rows[0].put.length,
    statements: 1,
  };
}
