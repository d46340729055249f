// Hold lapses nobody else would publish. A hold lapses in the actor that holds its event's epoch:
// decide() lapses due holds before any command and the expiry timer publishes them on time. When that
// actor is gone (its node left or died, its node restarted under the same id, its worker restarted)
// nothing lapses the event's holds until some request activates the event again, and every live seat
// map keeps showing as taken seats the record says are free. So each booking node looks for events
// with held holds whose epoch holder is gone: at once after each ring change (its node left the ring),
// and every holdLapseSweep.everyMs (5 s) for a hold overdue by holdLapseSweep.overdueMs (2 s; a live
// actor lapses a due hold within milliseconds), at most holdLapseSweep.eventsMax events a pass (one
// statement over the live holds; a full page runs another pass at once). It sends an `expire` command
// to those the ring routes to it: the command activates the event here (a new epoch, fenced like any
// command), lapses what is due and publishes it, and the actor's timer publishes the others on time
// (an actor with live holds is never passivated).
// A node trusts its ring to tell a gone owner only once it has been in it for holdLapseSweep.everyMs:
// a starting node may not know every live node yet (heartbeats every second bring them), and would
// take their events. Should a node whose ring has not heard of a just-joined node take an event that
// node activated, the newcomer's next turn is fenced and its command re-sent (STALE_OWNER), as on
// any ring change.
import type { ServiceBroker } from "moleculer";
import type { Clock } from "../../domain/clock.ts";
import type { Database } from "../../platform/database.ts";
import { holdLapseSweep } from "../../domain/limits.ts";
import type { ActorPool } from "./actor-pool.ts";
import { ownedHere } from "./command-routing.ts";
import { bookingNodes } from "./ring-watch.ts";

/**
 * Events with held holds whose epoch holder is gone: its node (the owner without its `/w<n>` worker)
 * is not in `ringNodes` (null: not asked), or one of its held holds was due before `overdueBeforeMs`.
 * Scans the live holds of every partition (not the hot path: a ring change, and one statement per sweep).
 */
export async function orphanedHoldEvents(
  db: Database,
  ringNodes: string[] | null,
  overdueBeforeMs: number,
  limit: number,
): Promise<string[]> {
  const { rows } = await db.query(
    `SELECT h.event_id
     FROM holds h JOIN event_actors a ON a.event_id = h.event_id
     WHERE h.status = 'held'
     GROUP BY h.event_id, a.owner
     HAVING min(h.expires_at) < to_timestamp($2::float8 / 1000)
         OR ($1::text[] IS NOT NULL
             AND (a.owner IS NULL OR NOT (regexp_replace(a.owner, '/w[0-9]+$', '') = ANY ($1::text[]))))
     LIMIT $3`,
    [ringNodes, overdueBeforeMs, limit],
  );
  return rows.map((row: { event_id: string }) => row.event_id);
}

export interface LapseSweepOptions {
  db: Database;
  /** The main thread's clock: the one hold expiries are reckoned by. */
  clock: Clock;
  /** This node's id, and the ids of the booking nodes in its ring now. */
  self: string;
  ringNodes(): string[];
  /** Whether this node's ring routes the event here. */
  ownedHere(eventId: string): boolean;
  /** Sends an `expire` command to the event's actor on this node (activating it if needed). */
  expire(eventId: string): Promise<unknown>;
  log(level: "info" | "warn" | "error", message: string): void;
  /** How long this node is in its ring before an owner missing from it counts as gone (see the top). */
  ringSettleMs?: number;
}

export interface LapseSweep {
  /** Runs a pass soon (after the one running, if any): the ring changed. */
  runSoon(): void;
  /** No pass starts after this; resolves when the running one ended. */
  stop(): Promise<void>;
}

/** The sweep of a node's actor pool: the node's ring and Shard strategy, `expire` sent to the pool. */
export function startPoolLapseSweep(
  db: Database,
  clock: Clock,
  broker: ServiceBroker,
  pool: Pick<ActorPool, "command">,
  log: LapseSweepOptions["log"],
): LapseSweep {
  return startLapseSweep({
    db,
    clock,
    self: broker.nodeID,
    ringNodes: () => bookingNodes(broker),
    ownedHere: (eventId) => ownedHere(broker, eventId),
    expire: (eventId) => pool.command(eventId, { type: "expire" }),
    log,
  });
}

export function startLapseSweep(options: LapseSweepOptions): LapseSweep {
  let running: Promise<void> | null = null;
  let again = false;
  let stopped = false;
  /** When this node first found itself in its ring (performance.now()). */
  let inRingAt: number | null = null;
  const settleMs = options.ringSettleMs ?? holdLapseSweep.everyMs;

  /** One pass; true when it found a full page and adopted some (another pass may find more). */
  const pass = async (): Promise<boolean> => {
    const ring = options.ringNodes();
    if (!ring.includes(options.self)) return false;
    inRingAt ??= performance.now();
    const found = await orphanedHoldEvents(
      options.db,
      performance.now() - inRingAt >= settleMs ? ring : null,
      options.clock.now() - holdLapseSweep.overdueMs,
      holdLapseSweep.eventsMax,
    );
    const mine = stopped ? [] : found.filter((eventId) => options.ownedHere(eventId));
    if (mine.length === 0) return false;
    const answers = await Promise.allSettled(mine.map((eventId) => options.expire(eventId)));
    const failed = answers.filter((answer) => answer.status === "rejected").length;
    options.log(
      failed > 0 ? "warn" : "info",
      `hold lapse sweep: ${mine.length} events with holds no live actor lapsed, taken up here` +
        (failed > 0 ? ` (${failed} failed; the next sweep tries again)` : ""),
    );
    return found.length === holdLapseSweep.eventsMax && failed < mine.length;
  };

  const run = (): void => {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = (async () => {
      try {
        while ((await pass()) && !stopped);
      } catch (error) {
        options.log("error", `hold lapse sweep failed: ${(error as Error).message}`);
      }
    })().finally(() => {
      running = null;
      if (again) {
        again = false;
        run();
      }
    });
  };

  const timer = setInterval(run, holdLapseSweep.everyMs);
  timer.unref();
  return {
    runSoon: run,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
