// The waiting-room actors this node runs: one per event whose calls the broker's Shard strategy routes
// here (calls carry `eventId`), started on a join or a poll, or found by discovery (the set of events
// with a waiting room in use, read every few seconds: after a restart, or when nodes come and go).
// A Redis lease still decides which node admits; this only decides which nodes try.
import { randomBytes } from "node:crypto";
import type { RedisClient } from "../../platform/redis.ts";
import type { ServiceBroker } from "moleculer";
import type { Clock } from "../../domain/clock.ts";
import { toUsersEvent, type ToUser } from "../../domain/messages.ts";
import {
  userPushesPerBroadcastMax,
  waitingRoomActorsPerNodeMax,
  waitingRoomDiscoveryIntervalMs,
} from "../../domain/limits.ts";
import { idPattern } from "../../catalog/schemas.ts";
import type { AdmissionTokens } from "./admission-token.ts";
import type { EventSettingsCache } from "./event-settings.ts";
import { waitingRoomEventsKey } from "./keys.ts";
import type { WaitingRoomMetrics } from "./metrics.ts";
import { WaitingRoomActor } from "./waiting-room-actor.ts";

/** SSCAN page size and how many members one discovery pass looks at, at most. */
const discoveryPageSize = 500;
const discoveryMembersMax = 10 * waitingRoomActorsPerNodeMax;

export interface LocalActorsOptions {
  broker: ServiceBroker;
  redis: RedisClient;
  clock: Clock;
  tokens: AdmissionTokens;
  settings: EventSettingsCache;
  metrics: WaitingRoomMetrics;
  logger: { warn(...args: unknown[]): void; info(...args: unknown[]): void };
}

export class LocalActors {
  readonly actors = new Map<string, WaitingRoomActor>();
  /** Unique per process: `<nodeId>.<random>`. */
  private readonly ownerId: string;
  private discoveryTimer: NodeJS.Timeout | null = null;
  private discovering = false;
  /** Pushes to users made in this turn, broadcast together (`push`). */
  private pendingPushes: ToUser[] = [];

  constructor(private readonly options: LocalActorsOptions) {
    this.ownerId = `${options.broker.nodeID}.${randomBytes(4).toString("hex")}`;
  }

  /** Whether the Shard strategy routes this event's calls to this node. */
  isPreferredOwner(eventId: string): boolean {
    const { broker } = this.options;
    const endpoints = (broker.registry as any).getActionEndpoints("waiting-room.join");
    if (!endpoints) return true;
    const endpoint = endpoints.next({ params: { eventId }, meta: {} });
    return !endpoint || endpoint.id === broker.nodeID;
  }

  /** Wakes the event's actor if this node runs one (a shopper left: a place is free). */
  wake(eventId: string): void {
    this.actors.get(eventId)?.wake();
  }

  /** Runs (or wakes) the event's actor here when this node is its preferred owner. */
  ensure(eventId: string): void {
    const existing = this.actors.get(eventId);
    if (existing) return existing.wake();
    if (!this.isPreferredOwner(eventId)) {
      // Not ours: make sure the owner's discovery finds it.
      this.options.redis.sadd(waitingRoomEventsKey, eventId).catch(() => {});
      return;
    }
    if (this.actors.size >= waitingRoomActorsPerNodeMax) {
      this.options.logger.warn(
        { eventId, actors: this.actors.size },
        "waiting-room actor limit reached on this node",
      );
      return;
    }
    const actor = this.createActor(eventId);
    this.actors.set(eventId, actor);
    actor.start();
  }

  /**
   * A push to a user, broadcast (every gateway node delivers to the sockets of that user it holds)
   * with the others of this turn: an actor's tick tells many users at once, and one broadcast per
   * `userPushesPerBroadcastMax` of them costs the broker far less than one per user.
   */
  private push(message: ToUser): void {
    if (this.pendingPushes.push(message) === 1) queueMicrotask(() => this.flushPushes());
    else if (this.pendingPushes.length >= userPushesPerBroadcastMax) this.flushPushes();
  }

  private flushPushes(): void {
    const pushes = this.pendingPushes;
    if (pushes.length === 0) return;
    this.pendingPushes = [];
    // A push lost with the transporter is not retried: clients also poll their place in the line.
    Promise.resolve(this.options.broker.broadcast(toUsersEvent, { pushes })).catch((error: unknown) =>
      this.options.logger.warn({ err: error, pushes: pushes.length }, "waiting-room pushes not sent"),
    );
  }

  private createActor(eventId: string): WaitingRoomActor {
    const { redis, clock, tokens, settings, metrics, logger } = this.options;
    const actor: WaitingRoomActor = new WaitingRoomActor({
      eventId,
      redis,
      clock,
      ownerId: this.ownerId,
      settings,
      tokens,
      logger,
      notify: (userId, data) => this.push({ userId, event: "queue", data }),
      isPreferredOwner: () => this.isPreferredOwner(eventId),
      onTick: (result) => metrics.recordTick(eventId, result),
      onRetire: (id) => {
        if (this.actors.get(id) === actor) this.actors.delete(id);
      },
    });
    return actor;
  }

  /** Finds waiting rooms this node should run (after a restart, or when nodes come and go). */
  async discover(): Promise<void> {
    let cursor = "0";
    let seen = 0;
    do {
      const [next, members] = await this.options.redis.sscan(
        waitingRoomEventsKey,
        cursor,
        "COUNT",
        discoveryPageSize,
      );
      cursor = next;
      seen += members.length;
      for (const eventId of members) if (!this.actors.has(eventId)) this.ensureIfOwned(eventId);
    } while (cursor !== "0" && seen < discoveryMembersMax);
  }

  private ensureIfOwned(eventId: string): void {
    if (typeof eventId === "string" && idPattern.test(eventId) && this.isPreferredOwner(eventId))
      this.ensure(eventId);
  }

  /** Discovers now, then every few seconds until `stop`. */
  startDiscovery(): void {
    this.discovering = true;
    const loop = async () => {
      try {
        await this.discover();
      } catch {
        // Redis unreachable: the next pass tries again.
      }
      if (this.discovering)
        this.discoveryTimer = setTimeout(() => void loop(), waitingRoomDiscoveryIntervalMs);
    };
    this.discoveryTimer = setTimeout(() => void loop(), 0);
  }

  /** Stops discovery and every actor (each gives its lease back). */
  async stop(): Promise<void> {
    this.discovering = false;
    if (this.discoveryTimer) clearTimeout(this.discoveryTimer);
    this.discoveryTimer = null;
    await Promise.all([...this.actors.values()].map((actor) => actor.stop()));
    this.actors.clear();
  }
}
