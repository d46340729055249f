// After the ring of booking nodes changed, an actor may no longer hold its event's epoch: another
// node may have activated the event while the ring routed it there, and changed its seats, and the
// ring may have given it back since. Commands are safe anyway (every turn passes a fence, refusals
// too: turn-commit.ts), but a read answered from memory (the seat map) would show the old seats for
// as long as the actor lives. So after a ring change every actor proves its epoch and seat version
// again, one statement per ownershipCheckEventsMax actors, before it answers anything more; an actor
// another node took is dropped (the host answers what waits in its mailbox STALE_OWNER: re-routed by
// the current ring, or activated here again with a new epoch). In the steady state this costs nothing.
import type { Database } from "../../platform/database.ts";
import { ownershipCheckEventsMax } from "../../domain/limits.ts";
import type { Actor } from "./actor.ts";
import { checkFences } from "./persistence/fences.ts";

/** Whether the actor proved its epoch since the ring last changed. */
export const proven = (actor: Actor, generation: number): boolean => actor.provenAt >= generation;

/**
 * The ready actors not proven at `generation`, those with requests waiting first, at most
 * ownershipCheckEventsMax; `more` when others are left for another check.
 */
export function unprovenActors(
  actors: Iterable<Actor>,
  generation: number,
): { actors: Actor[]; more: boolean } {
  const waiting: Actor[] = [];
  const idle: Actor[] = [];
  for (const actor of actors)
    if (actor.phase === "ready" && !proven(actor, generation))
      (actor.mailbox.length > 0 ? waiting : idle).push(actor);
  const all = [...waiting, ...idle];
  return { actors: all.slice(0, ownershipCheckEventsMax), more: all.length > ownershipCheckEventsMax };
}

/** The events among `actors` whose epoch or seat version the database no longer has (one statement). */
export async function staleOwners(db: Database, actors: Actor[]): Promise<Set<string>> {
  const { stale } = await checkFences(
    db,
    actors.map((actor) => ({
      eventId: actor.eventId,
      epoch: actor.epoch,
      fromVersion: actor.state!.version,
      toVersion: actor.state!.version,
      effects: [],
    })),
  );
  return new Set(stale);
}
