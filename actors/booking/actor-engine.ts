// Marquee's booking engine: the actor pool of this node (one actor per event, group commits) behind
// the BookingEngine interface. Commands must reach the event's owning node (routedByEvent). When the
// ring of booking nodes changes, the actors prove their epochs again before answering (ring-watch.ts,
// ownership-check.ts), and this node takes up the events with live holds whose actor left with its
// node (lapse-sweep.ts, also every few seconds for holds no actor lapsed).
import type { Runtime } from "../../platform/runtime.ts";
import { MarqueeError } from "../../domain/errors.ts";
import { ActorPool } from "./actor-pool.ts";
import { startPoolLapseSweep, type LapseSweep } from "./lapse-sweep.ts";
import { watchBookingRing } from "./ring-watch.ts";
import { createBookingMetrics, type BookingMetrics } from "./metrics.ts";
import type { BookingEngine } from "./booking-engine.ts";

/** Local (this node only) event with each actor turn's CommitStats. */
export const bookingTurnLocalEvent = "$booking.turn";

export function createActorEngine(runtime: Runtime): BookingEngine {
  const { config, clock } = runtime;
  let pool: ActorPool | null = null;
  let metrics: BookingMetrics | null = null;
  let stopWatching: (() => void) | null = null;
  let lapseSweep: LapseSweep | null = null;

  const requirePool = (): ActorPool => {
    if (!pool) throw new MarqueeError("UNAVAILABLE", "The booking engine is starting", undefined, 1);
    return pool;
  };

  return {
    bestAvailable: true,
    routedByEvent: true,

    async start({ broker, onSeatsChanged, onHoldsEnded, onUserPush, log }) {
      metrics = createBookingMetrics(broker);
      pool = new ActorPool({
        size: config.workerPoolSize,
        clock,
        worker: {
          databaseUrl: config.databaseUrl,
          owner: broker.nodeID,
          holdTtlMs: config.holdTtlSeconds * 1_000,
          paranoid: config.actorParanoidChecks,
        },
        onSeatsChanged,
        onHoldsEnded,
        onUserPush,
        onCommit: (stats) => {
          metrics?.recordCommit(stats);
          // For in-process observers (the benchmarks): every turn's figures, unaggregated.
          broker.localBus.emit(bookingTurnLocalEvent, stats);
        },
        log,
        onFault: (fault) => metrics?.recordFault(fault),
        readyTimeoutMs: config.startTimeouts.actorWorkerMs,
      });
      await pool.start();
      lapseSweep = startPoolLapseSweep(runtime.db, clock, broker, pool, log);
      stopWatching = watchBookingRing(broker, () => {
        pool?.ringChanged();
        lapseSweep?.runSoon();
      });
      lapseSweep.runSoon();
    },

    async stop() {
      stopWatching?.();
      stopWatching = null;
      const sweep = lapseSweep;
      lapseSweep = null;
      await sweep?.stop();
      const stopping = pool;
      pool = null;
      await stopping?.stop();
    },

    execute: (eventId, command, ifActive) => requirePool().command(eventId, command, ifActive),
    // Every read proves its actor's epoch first (one fence read, ownership-check.ts): memory that
    // another node's commits made stale is never served, also by a node that has not yet heard of the
    // ring change that sent the event there. Reads are rare (a catalog node's snapshot at a cold
    // start, after a gap, or when Postgres shows its version lagging; an organiser's sales report).
    seatMap: (eventId) => requirePool().seatMap(eventId, true),
  };
}
