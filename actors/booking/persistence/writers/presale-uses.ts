// Writer of `presale_uses`: one row per booking made with a presale code (domain/seat-state/presale.ts),
// in the same transaction as the booking itself, so a use is exactly as durable as its booking. And the
// reader activation uses: the event's codes that have a booking or a live hold, with their uses.
import type { Database } from "../../../../platform/database.ts";
import type { LoadedPresaleCode } from "../../../../domain/seat-state.ts";
import type { PresaleUses } from "../netting.ts";
import type { Run } from "../statements.ts";

export async function insertPresaleUses(run: Run, uses: PresaleUses): Promise<void> {
  if (uses.eventIds.length === 0) return;
  await run(
    `INSERT INTO presale_uses (event_id, booking_id, code_id)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[])`,
    [uses.eventIds, uses.bookingIds, uses.codeIds],
    uses.eventIds.length,
  );
}

/**
 * The codes the actor must know at activation: those with a booking, and those a live hold was taken
 * with (named in its hold id, `<holdId>~<codeId>`). Codes of other presales reach the actor with the
 * reserve that sends them (their definition never changes).
 */
export async function loadPresaleCodes(db: Database, eventId: string): Promise<LoadedPresaleCode[]> {
  const { rows } = await db.query(
    `WITH wanted AS (
       SELECT code_id FROM presale_uses WHERE event_id = $1
       UNION SELECT split_part(hold_id, '~', 2) FROM holds WHERE event_id = $1 AND hold_id LIKE '%~%')
     SELECT c.id, p.uses_per_code,
            (SELECT count(*) FROM presale_uses u WHERE u.event_id = $1 AND u.code_id = c.id)::int AS uses
     FROM presale_codes c JOIN presales p ON p.id = c.presale_id
     WHERE c.id IN (SELECT code_id FROM wanted) AND c.event_id = $1`,
    [eventId],
  );
  return rows.map((row) => ({ codeId: row.id, usesPerCode: row.uses_per_code, uses: row.uses }));
}
