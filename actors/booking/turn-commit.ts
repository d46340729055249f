// Phase 2 of a turn: ONE group commit of the effects of every actor that decided something. Every
// such actor is fenced, also when it wrote nothing: a "no" (not booked, not yours, unavailable) from
// a stale actor's memory must not reach anyone either.
import type { Database } from "../../platform/database.ts";
import { hasErrorCode } from "../../domain/errors.ts";
import { commitBatches } from "./persistence/group-commit.ts";
import type { EventBatch, Refusal } from "./persistence/batch.ts";
import type { CommitStats } from "./protocol.ts";
import type { ActorWork, DecidedTurn } from "./turn-decide.ts";

export interface Committed {
  /** Events fenced out: nothing of theirs was written. */
  stale: Set<string>;
  /** Commands the commit refused, by event: nothing of those events was written. */
  refusals: Map<string, Refusal[]>;
  /** The commit failed: nothing was written. */
  failure: Error | null;
  stats: CommitStats | null;
}

export const nothingCommitted = (): Committed => ({
  stale: new Set(),
  refusals: new Map(),
  failure: null,
  stats: null,
});

/** One batch per actor, in the order of `work`. */
export function toBatches(work: ActorWork[]): EventBatch[] {
  return work.map(({ actor, effects }) => {
    const changed = effects.some((effect) => effect.type === "seatsChanged");
    const version = actor.state!.version;
    return {
      eventId: actor.eventId,
      epoch: actor.epoch,
      fromVersion: version,
      toVersion: changed ? version + 1 : version,
      effects,
    };
  });
}

/** Commits the batches; never throws (a failure is part of the answer). */
export async function commitTurn(db: Database, batches: EventBatch[], turn: DecidedTurn): Promise<Committed> {
  const started = performance.now();
  const stats = (counts: Partial<CommitStats>): CommitStats => ({
    commands: turn.commands,
    events: 0,
    rows: 0,
    statements: 0,
    seatChanges: 0,
    durationMs: performance.now() - started,
    stale: 0,
    failed: false,
    bestAvailableDecideMs: turn.bestAvailableDecideMs,
    ...counts,
  });
  try {
    const result = await commitBatches(db, batches);
    const refusals = new Map<string, Refusal[]>();
    for (const refusal of result.refusals ?? [])
      refusals.set(refusal.eventId, [...(refusals.get(refusal.eventId) ?? []), refusal]);
    return {
      stale: new Set(result.stale),
      refusals,
      failure: null,
      stats: stats({
        events: batches.length - result.stale.length - refusals.size,
        rows: result.rows,
        statements: result.statements,
        stale: result.stale.length,
      }),
    };
  } catch (error) {
    return { ...nothingCommitted(), failure: error as Error, stats: stats({ failed: true }) };
  }
}

/** Errors that mean the database refused what memory believed: never retried blindly. */
export function isDivergence(error: Error): boolean {
  return hasErrorCode(error, "COMMIT_MISMATCH") || (error as { code?: string }).code === "23505";
}
