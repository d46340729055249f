// Marquee's booking engine: the actor pool of this node (one actor per event, group commits) behind
// the BookingEngine interface. Commands must reach the event's owning node (routedByEvent).
import type { Runtime } from "../../platform/runtime.ts";
import { MarqueeError } from "../../domain/errors.ts";
import { ActorPool } from "./actor-pool.ts";
import { createBookingMetrics, type BookingMetrics } from "./metrics.ts";
import type { BookingEngine } from "./booking-engine.ts";

/** Local (this node only) event with each actor turn's CommitStats. */
export const bookingTurnLocalEvent = "$booking.turn";

export function createActorEngine(runtime: Runtime): BookingEngine {
  const { config, clock } = runtime;
  let pool: ActorPool | null = null;
  let metrics: BookingMetrics | null = null;

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
    },

    async stop() {
      const stopping = pool;
      pool = null;
      await stopping?.stop();
    },

    execute: (eventId, command, ifActive) => requirePool().command(eventId, command, ifActive),
    seatMap: (eventId) => requirePool().seatMap(eventId),
  };
}
