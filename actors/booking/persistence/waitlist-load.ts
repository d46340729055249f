// The waiting list an activating actor loads (after taking the epoch, like the seats): the open
// entries (waiting or offered) and the highest seq ever used for the event.
import type { Database } from "../../../platform/database.ts";
import type { LoadedWaitlist } from "../../../domain/seat-state/waitlist-types.ts";

export async function loadWaitlist(db: Database, eventId: string): Promise<LoadedWaitlist> {
  const { rows } = await db.query(
    `SELECT user_id, seq::float8 AS seq, quantity, status, hold_id, offer_ordinals,
            (extract(epoch FROM offer_expires_at) * 1000)::float8 AS offer_expires_ms, NULL::float8 AS max_seq
     FROM waitlist_entries WHERE event_id = $1 AND status IN ('waiting', 'offered')
     UNION ALL
     SELECT NULL, NULL, NULL, NULL, NULL, NULL, NULL,
            (SELECT coalesce(max(seq), 0)::float8 FROM waitlist_entries WHERE event_id = $1)`,
    [eventId],
  );
  // The last row (UNION ALL keeps the branches' order here: no ORDER BY, no sort) carries max(seq).
  const maxSeq = Number(rows.find((row) => row.user_id === null)?.max_seq ?? 0);
  return {
    maxSeq,
    entries: rows
      .filter((row) => row.user_id !== null)
      .map((row) => ({
        userId: row.user_id,
        seq: Number(row.seq),
        quantity: row.quantity,
        status: row.status,
        holdId: row.hold_id,
        offer: row.offer_ordinals,
        offerExpiresAt: row.offer_expires_ms === null ? null : Math.round(row.offer_expires_ms),
      })),
  };
}
