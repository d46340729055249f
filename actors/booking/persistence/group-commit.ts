// The group commit: the effects of one worker turn, every event's writes fenced by its epoch and
// version in the same transaction, multi-row statements only. Three shapes: nothing written (a read
// of the fences), holds only (one statement, holds-commit.ts), anything else (a transaction with the
// fence first, then one writer per table).
import { inTransaction, withConnection, type Database } from "../../../platform/database.ts";
import type { CommitResult, EventBatch, Refusal } from "./batch.ts";
import { checkFences, fenceSql, fenceValues, staleEvents } from "./fences.ts";
import { commitHolds } from "./holds-commit.ts";
import { holdsOnly, net, type Netted } from "./netting.ts";
import { writeEffects } from "./write-effects.ts";

/** Commits the batches of several events in one transaction (or one statement). */
export async function commitBatches(db: Database, batches: EventBatch[]): Promise<CommitResult> {
  if (batches.every((batch) => batch.effects.length === 0)) return checkFences(db, batches);
  const netted = net(batches);
  if (holdsOnly(netted)) return commitHolds(db, batches, netted);
  return commitFenced(db, batches, netted);
}

/**
 * One attempt: the events whose fence failed (then nothing was written), or what was written, or the
 * commands a statement refused (then nothing was written either).
 */
type Attempt =
  { refused: string[] } | { refused: null; refusals: Refusal[]; rows: number; statements: number };

/**
 * Fencing first: the UPDATE of event_actors locks each event's row and checks epoch and version; an
 * event that fails it is dropped (its actor is stale) and the transaction is retried without it, on
 * the same connection. Likewise an event with a refused command (a confirm whose Idempotency-Key is
 * taken, say): a refusal never fails the other events' commands sharing the commit.
 */
function commitFenced(db: Database, batches: EventBatch[], netted: Netted): Promise<CommitResult> {
  return withConnection(db, async (client) => {
    const stale: string[] = [];
    const refusals: Refusal[] = [];
    let pending = batches;
    while (pending.length > 0) {
      const effects = pending.length === batches.length ? netted : net(pending);
      const attempt = await inTransaction(
        client,
        async (): Promise<Attempt> => {
          const fenced = await client.query(fenceSql, fenceValues(pending));
          if (fenced.rowCount !== pending.length) {
            return { refused: staleEvents(pending, new Set(fenced.rows.map((row) => row.event_id))) };
          }
          return { refused: null, ...(await writeEffects(client, effects)) };
        },
        { commitIf: (result) => result.refused === null && result.refusals.length === 0 },
      );
      let dropped: Set<string>;
      if (attempt.refused !== null) {
        stale.push(...attempt.refused);
        dropped = new Set(attempt.refused);
      } else if (attempt.refusals.length > 0) {
        refusals.push(...attempt.refusals);
        dropped = new Set(attempt.refusals.map((refusal) => refusal.eventId));
      } else
        return {
          stale,
          refusals,
          rows: attempt.rows + pending.length,
          statements: attempt.statements + 1,
        };
      pending = pending.filter((batch) => !dropped.has(batch.eventId));
    }
    return { stale, refusals, rows: 0, statements: 0 };
  });
}
