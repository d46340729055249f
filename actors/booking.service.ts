// The Moleculer `booking` service: owns the actor worker pool of this node and exposes the booking
// actions. Gateway-facing actions (reserve, release, confirm...) run on any node; they derive the
// event from the tickets and call the internal `booking.execute` / `booking.seatMap`, which carry
// `eventId` in their params so the Shard strategy routes them to the node that owns the event.
import type { Context, ServiceSchema } from "moleculer";
import type { Runtime } from "../platform/runtime.ts";
import { MarqueeError } from "../domain/errors.ts";
import { holdsEndedEvent, seatsChangedEvent } from "../domain/events.ts";
import type { User } from "../gateway/auth.ts";
import { staleRetriesMax, ticketsPerRequestMax } from "../domain/limits.ts";
import { ticketsFromStatuses } from "../domain/seat-layout.ts";
import type { Command, EventSettings } from "../domain/seat-state.ts";
import { ActorPool, isStaleOwner } from "./actor-pool.ts";
import { createBookingMetrics, type BookingMetrics } from "./metrics.ts";
import { selectTickets } from "./ticket-selection.ts";

const ticketIdSchema = { type: "string", min: 1, max: 120 };
const ticketSelectionSchema = {
  ticketId: { ...ticketIdSchema, optional: true },
  ticketIds: { type: "array", min: 1, max: ticketsPerRequestMax, items: ticketIdSchema, optional: true },
};
const eventIdSchema = { type: "string", pattern: /^[A-Za-z0-9_.-]{1,100}$/ };
/** Internal actions are bounded by the actors' mailboxes, not by the default bulkhead. */
const internalBulkhead = { enabled: true, concurrency: 50_000, maxQueueSize: 0 };

export function requireUser(ctx: Context<unknown, { user?: User }>): User {
  const user = ctx.meta.user;
  if (!user) throw new MarqueeError("UNAUTHENTICATED", "A bearer token is required");
  return user;
}

/**
 * Sends a command to the event's actor, wherever it lives. A fenced-out (stale) actor wrote nothing,
 * so the command is simply sent again: re-routed to the current owner, or re-activated here.
 */
export async function callActor(ctx: Context, eventId: string, command: Command): Promise<any> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await ctx.call("booking.execute", { eventId, command });
    } catch (error) {
      if (!isStaleOwner(error)) throw error;
      if (attempt >= staleRetriesMax)
        throw new MarqueeError(
          "UNAVAILABLE",
          "The event is moving between nodes; retry shortly",
          undefined,
          1,
        );
    }
  }
}

export function createBookingService(runtime: Runtime): ServiceSchema {
  const { config, clock } = runtime;
  let pool: ActorPool | null = null;
  let metrics: BookingMetrics | null = null;

  const requirePool = (): ActorPool => {
    if (!pool) throw new MarqueeError("UNAVAILABLE", "The booking engine is starting", undefined, 1);
    return pool;
  };

  return {
    name: "booking",
    actions: {
      reserve: {
        params: { ...ticketSelectionSchema, $$strict: true },
        async handler(ctx: Context<{ ticketId?: string; ticketIds?: string[] }, { user?: User }>) {
          const user = requireUser(ctx);
          const { eventId, ordinals } = selectTickets(ctx.params);
          return callActor(ctx, eventId, { type: "reserve", userId: user.id, ordinals, holdId: "" });
        },
      },

      release: {
        params: { ...ticketSelectionSchema, $$strict: true },
        async handler(ctx: Context<{ ticketId?: string; ticketIds?: string[] }, { user?: User }>) {
          const user = requireUser(ctx);
          const { eventId, ordinals } = selectTickets(ctx.params);
          return callActor(ctx, eventId, { type: "release", userId: user.id, ordinals });
        },
      },

      /** The live seat map from the owning actor's memory (holds show as reserved). */
      seatMap: {
        visibility: "public",
        params: { eventId: eventIdSchema, $$strict: true },
        bulkhead: internalBulkhead,
        async handler(ctx: Context<{ eventId: string }>) {
          for (let attempt = 1; ; attempt++) {
            try {
              const snapshot = await requirePool().seatMap(ctx.params.eventId);
              return {
                eventId: snapshot.eventId,
                version: snapshot.version,
                tickets: ticketsFromStatuses(snapshot.eventId, snapshot.layout, snapshot.statuses),
              };
            } catch (error) {
              if (!isStaleOwner(error) || attempt >= staleRetriesMax) throw error;
            }
          }
        },
      },

      /** Runs one command on the event's actor on this node (routed here by the Shard strategy). */
      execute: {
        visibility: "public",
        params: {
          eventId: eventIdSchema,
          command: { type: "object" },
          ifActive: { type: "boolean", optional: true },
        },
        bulkhead: internalBulkhead,
        handler(ctx: Context<{ eventId: string; command: Command; ifActive?: boolean }>) {
          return requirePool().command(ctx.params.eventId, ctx.params.command, ctx.params.ifActive);
        },
      },
    },

    events: {
      /** An admin changed an event: the owning actor (if active) takes the new sale window and cap. */
      "catalog.eventChanged": {
        handler(this: any, ctx: Context<{ eventId: string; event: any }>) {
          const { eventId, event } = ctx.params;
          const settings: Partial<EventSettings> = event
            ? {
                active: true,
                onSaleAt: Date.parse(event.onSaleAt),
                startsAt: Date.parse(event.startsAt),
                ticketsPerUserMax: event.ticketsPerUserMax,
              }
            : { active: false };
          return ctx
            .call("booking.execute", {
              eventId,
              command: { type: "updateSettings", settings },
              ifActive: true,
            })
            .catch((error: Error) =>
              this.logger.warn({ eventId, error: error.message }, "settings not applied"),
            );
        },
      },
    },

    created(this: any) {
      metrics = createBookingMetrics(this.broker);
    },

    async started(this: any) {
      const logger = this.logger;
      const broker = this.broker;
      pool = new ActorPool({
        size: config.workerPoolSize,
        clock,
        worker: {
          databaseUrl: config.databaseUrl,
          owner: broker.nodeID,
          holdTtlMs: config.holdTtlSeconds * 1_000,
          paranoid: config.actorParanoidChecks,
        },
        onSeatsChanged: (payload) => void broker.broadcast(seatsChangedEvent, payload),
        onHoldsEnded: (payload) => void broker.broadcast(holdsEndedEvent, payload),
        onCommit: (stats) => metrics?.recordCommit(stats),
        log: (level, message) => logger[level](message),
      });
      await pool.start();
    },

    async stopped() {
      const stopping = pool;
      pool = null;
      metrics?.stop();
      await stopping?.stop();
    },
  } as ServiceSchema;
}
