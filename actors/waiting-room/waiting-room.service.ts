// The `waiting-room` service: `waiting-room.join` / `waiting-room.status` (POST / GET
// /events/:eventId/queue), the accounting of shoppers who leave (`booking.holdsEnded`), and the
// waiting-room actors this node runs. Calls carry `eventId`, so the broker's Shard strategy sends every
// call for one event to the same node, which runs that event's actor; a Redis lease makes sure only
// one node admits at a time.
import type { RedisClient } from "../../platform/redis.ts";
import type { Context, ServiceActionsSchema, ServiceEvents, ServiceSchema } from "moleculer";
import type { Clock } from "../../domain/clock.ts";
import type { Runtime } from "../../platform/runtime.ts";
import { requireUser, type GatewayMeta } from "../../domain/request.ts";
import { MarqueeError, notFound } from "../../domain/errors.ts";
import { eventChangedEvent, holdsEndedEvent, type HoldsEnded } from "../../domain/messages.ts";
import { idPattern } from "../../catalog/schemas.ts";
import { createAdmissionTokens } from "./admission-token.ts";
import { admissionSecret } from "./admission-guard.ts";
import { catalogEventFetcher, createEventSettingsCache, type EventSettings } from "./event-settings.ts";
import { waitingRoomKeys } from "./keys.ts";
import { waitingRoomScripts } from "./scripts.ts";
import { createLine, type Line, type LineEvent, type WaitingRoomAnswer } from "./line.ts";
import { LocalActors } from "./local-actors.ts";
import { createWaitingRoomMetrics } from "./metrics.ts";

const eventIdParams = { eventId: { type: "string", pattern: idPattern }, $$strict: true };

/** Answer for an event without a waiting room: nothing to wait for, no token needed. */
const noWaitingRoom: WaitingRoomAnswer = { status: "admitted", position: 0, estimatedWaitSeconds: 0 };

export function createWaitingRoomService(runtime: Runtime): ServiceSchema {
  const { redis, clock, config } = runtime;
  const tokens = createAdmissionTokens(admissionSecret(config));
  const line = createLine(redis, tokens);

  return {
    name: "waiting-room",

    created(this: any) {
      this.eventSettings = createEventSettingsCache(
        catalogEventFetcher((action, params) => this.broker.call(action, params)),
      );
      this.metrics = createWaitingRoomMetrics(this.broker);
      this.localActors = new LocalActors({
        broker: this.broker,
        redis,
        clock,
        tokens,
        settings: this.eventSettings,
        metrics: this.metrics,
        logger: this.logger,
      });
      this.actors = this.localActors.actors;
    },

    actions: waitingRoomActions(line, clock),

    events: waitingRoomEvents(redis),

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

      lineEvent(event: EventSettings): LineEvent {
        return { eventId: event.eventId, onSaleAtMs: event.onSaleAtMs, settings: event.waitingRoom };
      },
    },

    started(this: any) {
      this.localActors.startDiscovery();
    },

    async stopped(this: any) {
      await this.localActors.stop();
    },
  } as ServiceSchema;
}

/** `join` and `status`: the line's answer, and the event's actor started (or woken) on this node. */
function waitingRoomActions(line: Line, clock: Clock): ServiceActionsSchema {
  return {
    join: {
      params: eventIdParams,
      openapi: {
        summary: "Join the event's waiting room (joining again keeps the first place)",
        description:
          "{status: waiting|admitted, position (null for early joiners before the sale, 0 once admitted), " +
          "estimatedWaitSeconds, admissionToken?}. No waiting room: admitted at once, no token needed. " +
          "503 OVERLOADED with Retry-After while the waiting room is unavailable.",
      },
      async handler(this: any, ctx: Context<{ eventId: string }, GatewayMeta>): Promise<WaitingRoomAnswer> {
        const userId = requireUser(ctx.meta).id;
        const event = await this.openEvent(ctx.params.eventId);
        if (!event) return noWaitingRoom;
        let answer: WaitingRoomAnswer;
        try {
          answer = await line.join(this.lineEvent(event), userId, clock.now());
        } catch (error) {
          this.metrics.recordRefusal();
          throw error;
        }
        this.metrics.recordJoin();
        this.localActors.ensure(event.eventId);
        return answer;
      },
    },

    status: {
      params: eventIdParams,
      openapi: {
        summary: "Your place in the event's waiting room (the answer of a join, current)",
        description: "404 when you are not in the line (never joined, or your admission expired).",
      },
      async handler(this: any, ctx: Context<{ eventId: string }, GatewayMeta>): Promise<WaitingRoomAnswer> {
        const userId = requireUser(ctx.meta).id;
        const event = await this.openEvent(ctx.params.eventId);
        if (!event) return noWaitingRoom;
        const answer = await line.status(this.lineEvent(event), userId, clock.now());
        if (!answer) throw new MarqueeError("NOT_FOUND", "You are not in this event's waiting room");
        this.localActors.ensure(event.eventId);
        return answer;
      },
    },
  } as ServiceActionsSchema;
}

/** Shoppers who leave free their place; event changes refresh the cached settings. */
function waitingRoomEvents(redis: RedisClient): ServiceEvents {
  const scripts = waitingRoomScripts(redis);
  return {
    // A shopper who booked, released or let their holds lapse frees their place for the next, and has
    // spent their admission (the booking actor refuses it from now on): they are no longer admitted.
    [holdsEndedEvent]: {
      async handler(this: any, ctx: Context<HoldsEnded>) {
        const { eventId, userId, admissionExpiresAtMs } = ctx.params;
        if (typeof eventId !== "string" || typeof userId !== "string") return;
        const spent = Number.isSafeInteger(admissionExpiresAtMs) ? admissionExpiresAtMs : undefined;
        try {
          await scripts.spend(waitingRoomKeys(eventId), userId, spent);
        } catch (error) {
          // Redis down: the shopper's place and admission lapse by themselves at token expiry instead
          // (until then a join answers the spent token, which the booking actor refuses).
          this.logger.warn({ eventId, error: (error as Error).message }, "could not free a shopper's place");
        }
        this.localActors.wake(eventId);
      },
    },
    [eventChangedEvent]: {
      handler(this: any, ctx: Context<{ eventId?: string }>) {
        if (typeof ctx.params.eventId === "string") this.eventSettings.forget(ctx.params.eventId);
      },
    },
  };
}
