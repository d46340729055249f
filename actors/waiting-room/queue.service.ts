// The `queue` service: `queue.join` / `queue.status` (POST / GET /events/:eventId/queue), the
// accounting of shoppers who leave (`booking.holdsEnded`), and the queue actors this node runs.
// Calls carry `eventId`, so the broker's Shard strategy sends every call for one event to the same
// node, which runs that event's actor; a Redis lease makes sure only one node admits at a time.
import { randomBytes } from "node:crypto";
import type { Context, ServiceSchema } from "moleculer";
import type { Runtime } from "../../platform/runtime.ts";
import type { GatewayMeta } from "../../domain/request.ts";
import { MarqueeError, notFound } from "../../domain/errors.ts";
import {
  eventChangedEvent,
  holdsEndedEvent,
  toUserEvent,
  type HoldsEnded,
  type ToUser,
} from "../../domain/messages.ts";
import { queueActorsPerNodeMax, queueDiscoveryIntervalMs } from "../../domain/limits.ts";
import { idPattern } from "../../catalog/schemas.ts";
import { createAdmissionTokens } from "./admission-token.ts";
import { admissionSecret } from "./admission-guard.ts";
import { catalogEventFetcher, createEventSettingsCache, type EventSettings } from "./event-settings.ts";
import { queueEventsKey, queueKeys } from "./keys.ts";
import { createQueueMetrics } from "./metrics.ts";
import { QueueActor } from "./queue-actor.ts";
import { createWaitingLine, type QueueAnswer } from "./waiting-line.ts";

const eventIdParams = { eventId: { type: "string", pattern: idPattern }, $$strict: true };
/** SSCAN page size and how many members one discovery pass looks at, at most. */
const discoveryPageSize = 500;
const discoveryMembersMax = 10 * queueActorsPerNodeMax;

/** Answer for an event without a waiting room: nothing to wait for, no token needed. */
const noWaitingRoom: QueueAnswer = { status: "admitted", position: 0, estimatedWaitSeconds: 0 };

export function createQueueService(runtime: Runtime): ServiceSchema {
  const { redis, clock, config } = runtime;
  const tokens = createAdmissionTokens(admissionSecret(config));
  const line = createWaitingLine(redis, tokens);
  const actors = new Map<string, QueueActor>();
  let discoveryTimer: NodeJS.Timeout | null = null;
  let discovering = false;

  return {
    name: "queue",

    created(this: any) {
      this.eventSettings = createEventSettingsCache(
        catalogEventFetcher((action, params) => this.broker.call(action, params)),
      );
      this.ownerId = `${this.broker.nodeID}.${randomBytes(4).toString("hex")}`;
      this.actors = actors;
      this.metrics = createQueueMetrics(this.broker);
    },

    actions: {
      join: {
        params: eventIdParams,
        openapi: {
          summary: "Join the event's waiting room (joining again keeps the first place)",
          description:
            "{status: waiting|admitted, position (null for early joiners before the sale, 0 once admitted), " +
            "estimatedWaitSeconds, admissionToken?}. No waiting room: admitted at once, no token needed. " +
            "503 OVERLOADED with Retry-After while the waiting room is unavailable.",
        },
        async handler(this: any, ctx: Context<{ eventId: string }, GatewayMeta>): Promise<QueueAnswer> {
          const userId = requireUser(ctx);
          const event = await this.openEvent(ctx.params.eventId);
          if (!event) return noWaitingRoom;
          let answer: QueueAnswer;
          try {
            answer = await line.join(this.queueEvent(event), userId, clock.now());
          } catch (error) {
            this.metrics.recordRefusal();
            throw error;
          }
          this.metrics.recordJoin();
          this.ensureActor(event.eventId);
          return answer;
        },
      },

      status: {
        params: eventIdParams,
        openapi: {
          summary: "Your place in the event's waiting room (the answer of a join, current)",
          description: "404 when you are not in the line (never joined, or your admission expired).",
        },
        async handler(this: any, ctx: Context<{ eventId: string }, GatewayMeta>): Promise<QueueAnswer> {
          const userId = requireUser(ctx);
          const event = await this.openEvent(ctx.params.eventId);
          if (!event) return noWaitingRoom;
          const answer = await line.status(this.queueEvent(event), userId, clock.now());
          if (!answer) throw new MarqueeError("NOT_FOUND", "You are not in this event's waiting room");
          this.ensureActor(event.eventId);
          return answer;
        },
      },
    },

    events: {
      // A shopper who booked, released or let their holds lapse frees their place for the next.
      [holdsEndedEvent]: {
        async handler(this: any, ctx: Context<HoldsEnded>) {
          const { eventId, userId } = ctx.params;
          if (typeof eventId !== "string" || typeof userId !== "string") return;
          try {
            await redis.zrem(queueKeys(eventId).active, userId);
          } catch (error) {
            // Redis down: the shopper's admission lapses by itself at token expiry instead.
            this.logger.warn(
              { eventId, error: (error as Error).message },
              "could not free a shopper's place",
            );
          }
          actors.get(eventId)?.wake();
        },
      },
      [eventChangedEvent]: {
        handler(this: any, ctx: Context<{ eventId?: string }>) {
          if (typeof ctx.params.eventId === "string") this.eventSettings.forget(ctx.params.eventId);
        },
      },
    },

    methods: {
      /**
       * The event if joining its waiting room makes sense now; null when it has none (callers answer
       * "admitted"); 404 unknown, 409 NOT_ON_SALE once it has started.
       */
      async openEvent(this: any, eventId: string): Promise<EventSettings | null> {
        const event: EventSettings | null = await this.eventSettings.get(eventId);
        if (!event) throw notFound("Event");
        if (!event.waitingRoom.enabled) return null;
        if (clock.now() >= event.startsAtMs)
          throw new MarqueeError("NOT_ON_SALE", "The event has started: its sale is over");
        return event;
      },

      queueEvent(event: EventSettings) {
        return { eventId: event.eventId, onSaleAtMs: event.onSaleAtMs, settings: event.waitingRoom };
      },

      /** Whether the Shard strategy routes this event's calls to this node. */
      isPreferredOwner(this: any, eventId: string): boolean {
        const endpoints = this.broker.registry.getActionEndpoints("queue.join");
        if (!endpoints) return true;
        const endpoint = endpoints.next({ params: { eventId }, meta: {} });
        return !endpoint || endpoint.id === this.broker.nodeID;
      },

      /** Runs (or wakes) the event's actor here when this node is its preferred owner. */
      ensureActor(this: any, eventId: string): void {
        const existing = actors.get(eventId);
        if (existing) return existing.wake();
        if (!this.isPreferredOwner(eventId)) {
          // Not ours: make sure the owner's discovery finds it.
          redis.sadd(queueEventsKey, eventId).catch(() => {});
          return;
        }
        if (actors.size >= queueActorsPerNodeMax) {
          this.logger.warn({ eventId, actors: actors.size }, "queue actor limit reached on this node");
          return;
        }
        const actor = new QueueActor({
          eventId,
          redis,
          clock,
          ownerId: this.ownerId,
          settings: this.eventSettings,
          tokens,
          logger: this.logger,
          notify: (userId, data) => {
            const message: ToUser = { userId, event: "queue", data };
            // Broadcast: every gateway node delivers to the sockets of that user it holds.
            this.broker.broadcast(toUserEvent, message);
          },
          isPreferredOwner: () => this.isPreferredOwner(eventId),
          onTick: (result) => this.metrics.recordTick(eventId, result),
          onRetire: (id) => {
            if (actors.get(id) === actor) actors.delete(id);
          },
        });
        actors.set(eventId, actor);
        actor.start();
      },

      /** Finds waiting rooms this node should run (after a restart, or when nodes come and go). */
      async discover(this: any): Promise<void> {
        let cursor = "0";
        let seen = 0;
        do {
          const [next, members] = await redis.sscan(queueEventsKey, cursor, "COUNT", discoveryPageSize);
          cursor = next;
          seen += members.length;
          for (const eventId of members) if (!actors.has(eventId)) this.ensureActorIfOwned(eventId);
        } while (cursor !== "0" && seen < discoveryMembersMax);
      },

      ensureActorIfOwned(this: any, eventId: string): void {
        if (typeof eventId === "string" && idPattern.test(eventId) && this.isPreferredOwner(eventId))
          this.ensureActor(eventId);
      },
    },

    started(this: any) {
      discovering = true;
      const loop = async () => {
        try {
          await this.discover();
        } catch {
          // Redis unreachable: the next pass tries again.
        }
        if (discovering) discoveryTimer = setTimeout(() => void loop(), queueDiscoveryIntervalMs);
      };
      discoveryTimer = setTimeout(() => void loop(), 0);
    },

    async stopped() {
      discovering = false;
      if (discoveryTimer) clearTimeout(discoveryTimer);
      discoveryTimer = null;
      await Promise.all([...actors.values()].map((actor) => actor.stop()));
      actors.clear();
    },
  } as ServiceSchema;
}

function requireUser(ctx: Context<unknown, GatewayMeta>): string {
  const userId = ctx.meta.user?.id;
  if (!userId) throw new MarqueeError("UNAUTHENTICATED", "A user token is required");
  return userId;
}
