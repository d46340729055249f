// The waiting-room actor of one event: while it holds the event's lease, it ticks, and each tick admits a
// bounded batch from the front of the line (capacity: maxActiveShoppers; rate: a token bucket of
// admitPerMinute), hands the admitted their signed tokens and pushes positions to a bounded slice of
// the waiting. All state lives in Redis, so another node (or this one after a Redis outage) carries on
// where it stopped. One owner at a time: the lease value is unique (fence number) and every admission
// script checks it atomically, so an owner that lost its lease (paused, partitioned) cannot admit.
import type { RedisClient } from "../../platform/redis.ts";
import type { Clock } from "../../domain/clock.ts";
import { invariant } from "../../domain/errors.ts";
import {
  admissionBatchMax,
  admissionRateWindowSeconds,
  waitingRoomIdleTickMs,
  waitingRoomLeaseTtlMs,
  waitingRoomNotificationsPerTickMax,
  waitingRoomPositionPushIntervalMs,
  waitingRoomTickMs,
} from "../../domain/limits.ts";
import type { AdmissionTokens } from "./admission-token.ts";
import { admissionBurst, estimateWaitSeconds } from "./estimate.ts";
import type { EventSettings, EventSettingsCache } from "./event-settings.ts";
import { waitingRoomEventsKey, waitingRoomKeys } from "./keys.ts";
import { waitingRoomScripts } from "./scripts.ts";
import type { WaitingRoomAnswer } from "./line.ts";

export interface WaitingRoomActorOptions {
  eventId: string;
  redis: RedisClient;
  clock: Clock;
  /** Unique per process: `<nodeId>.<random>`; the lease value adds a fence number to it. */
  ownerId: string;
  settings: EventSettingsCache;
  tokens: AdmissionTokens;
  /** Pushes a `queue` message to one user (fire and forget). */
  notify(userId: string, data: WaitingRoomAnswer): void;
  /** Whether this node should run the event (shard routing); a lease still decides who does. */
  isPreferredOwner(): boolean;
  /** Called once when the actor stops for good (event gone, sale over, waiting room off, not ours). */
  onRetire(eventId: string): void;
  logger: { warn(...args: unknown[]): void; info(...args: unknown[]): void };
  /** Called after every tick that ran (metrics). */
  onTick?(result: TickResult): void;
  tickMs?: number;
  idleTickMs?: number;
  leaseTtlMs?: number;
  batchMax?: number;
  notificationsMax?: number;
  positionPushIntervalMs?: number;
}

export type TickOutcome = "admitting" | "idle" | "lease-busy" | "fenced" | "retired";

export interface TickResult {
  outcome: TickOutcome;
  admitted: string[];
  activeCount: number;
  waitingCount: number;
  ratePerSecond: number;
  /** Waiting shoppers there is room for now (on sale, below maxActiveShoppers), the rate cap aside. */
  admissible: number;
  /** Waiting users told their position in this tick. */
  positionsPushed: number;
}

const errorLogIntervalMs = 10_000;
const nothingDone = (): Omit<TickResult, "outcome"> => ({
  admitted: [],
  activeCount: 0,
  waitingCount: 0,
  ratePerSecond: 0,
  admissible: 0,
  positionsPushed: 0,
});

export class WaitingRoomActor {
  readonly eventId: string;
  private readonly options: WaitingRoomActorOptions;
  private readonly keys;
  private readonly scripts;
  private leaseValue: string | null = null;
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private wakeRequested = false;
  private stopped = false;
  private idle = true;
  private positionCursor = 0;
  private lastPositionPushMs = Number.NEGATIVE_INFINITY;
  private lastErrorLogMs = Number.NEGATIVE_INFINITY;

  constructor(options: WaitingRoomActorOptions) {
    this.options = options;
    this.eventId = options.eventId;
    this.keys = waitingRoomKeys(options.eventId);
    this.scripts = waitingRoomScripts(options.redis);
  }

  get holdsLease(): boolean {
    return this.leaseValue !== null;
  }
  get isStopped(): boolean {
    return this.stopped;
  }

  /** One step; exposed for tests, which drive the actor with a manual clock instead of timers. */
  async tick(): Promise<TickResult> {
    const event = await this.options.settings.get(this.eventId);
    const nowMs = this.options.clock.now();
    // Deleted, or the event has started (reserving is over): the waiting room has no more use.
    if (!event || nowMs >= event.startsAtMs) return this.retired("drop");
    // Switched off: the line stays (switching it on again resumes it) but no node looks after it
    // until someone joins or polls again.
    if (!event.waitingRoom.enabled) return this.retired("unlist");
    if (!this.options.isPreferredOwner()) return this.retired("hand-over");
    const leaseValue = await this.holdLease();
    if (leaseValue === null) return { outcome: "lease-busy", ...nothingDone() };

    const room = event.waitingRoom;
    const expiresAtMs = nowMs + room.tokenTtlSeconds * 1000;
    const reply = await this.scripts.admit(this.keys, {
      leaseValue,
      leaseTtlMs: this.leaseTtl,
      nowMs,
      onSaleAtMs: event.onSaleAtMs,
      maxActiveShoppers: room.maxActiveShoppers,
      admitPerMinute: room.admitPerMinute,
      burst: admissionBurst(room),
      batchMax: this.options.batchMax ?? admissionBatchMax,
      expiresAtMs,
      windowSeconds: admissionRateWindowSeconds,
    });
    if (reply.fenced) {
      this.options.logger.warn({ eventId: this.eventId }, "waiting-room actor lost its lease");
      this.leaseValue = null;
      return { outcome: "fenced", ...nothingDone() };
    }
    invariant(
      reply.activeCount <= room.maxActiveShoppers || reply.admitted.length === 0,
      `admitted past capacity: ${reply.activeCount} > ${room.maxActiveShoppers}`,
    );
    this.handOutTokens(reply.admitted, expiresAtMs);
    const positionsPushed = await this.maybePushPositions(event, nowMs, reply);
    this.idle = reply.waitingCount === 0;
    return {
      outcome: reply.admitted.length > 0 ? "admitting" : "idle",
      admitted: reply.admitted,
      activeCount: reply.activeCount,
      waitingCount: reply.waitingCount,
      ratePerSecond: reply.ratePerSecond,
      admissible:
        nowMs >= event.onSaleAtMs
          ? Math.min(reply.waitingCount, Math.max(0, room.maxActiveShoppers - reply.activeCount))
          : 0,
      positionsPushed,
    };
  }

  private async retired(mode: "drop" | "unlist" | "hand-over"): Promise<TickResult> {
    await this.retire(mode);
    return { outcome: "retired", ...nothingDone() };
  }

  /** The lease value, taking the lease when this actor has none; null while another owner holds it. */
  private async holdLease(): Promise<string | null> {
    if (this.leaseValue !== null) return this.leaseValue;
    const lease = await this.scripts.acquire(this.keys, this.options.ownerId, this.leaseTtl);
    if (!lease.acquired) return null;
    this.leaseValue = lease.value;
    this.options.logger.info(
      { eventId: this.eventId, lease: lease.value },
      "waiting-room actor took the lease",
    );
    // Registered again by every new owner, so nodes that restart find the waiting room.
    await this.options.redis.sadd(waitingRoomEventsKey, this.eventId);
    return lease.value;
  }

  /** Pushes each admitted user their signed admission token. */
  private handOutTokens(admitted: string[], expiresAtMs: number): void {
    for (const userId of admitted) {
      const admissionToken = this.options.tokens.sign({ eventId: this.eventId, userId, expiresAtMs });
      this.options.notify(userId, {
        status: "admitted",
        position: 0,
        estimatedWaitSeconds: 0,
        admissionToken,
      });
    }
  }

  /** Pushes positions once the sale is open, at most every push interval, within the tick's budget. */
  private async maybePushPositions(
    event: EventSettings,
    nowMs: number,
    reply: { admitted: string[]; waitingCount: number; ratePerSecond: number },
  ): Promise<number> {
    const budget =
      (this.options.notificationsMax ?? waitingRoomNotificationsPerTickMax) - reply.admitted.length;
    const pushInterval = this.options.positionPushIntervalMs ?? waitingRoomPositionPushIntervalMs;
    if (
      nowMs < event.onSaleAtMs ||
      reply.waitingCount === 0 ||
      budget <= 0 ||
      nowMs - this.lastPositionPushMs < pushInterval
    )
      return 0;
    const pushed = await this.pushPositions(
      budget,
      reply.waitingCount,
      reply.ratePerSecond,
      event.waitingRoom,
    );
    this.lastPositionPushMs = nowMs;
    return pushed;
  }

  /**
   * Tells people their position: half the budget goes to the front of the line (about to get in,
   * their position changes fastest), the other half to a slice of the rest that moves along the line
   * push after push and wraps, so everyone hears from us now and then.
   */
  private async pushPositions(
    budget: number,
    waitingCount: number,
    ratePerSecond: number,
    room: Parameters<typeof estimateWaitSeconds>[2],
  ): Promise<number> {
    const front = Math.min(waitingCount, Math.ceil(budget / 2));
    const rolling = Math.min(budget - front, waitingCount - front);
    if (this.positionCursor < front || this.positionCursor >= waitingCount) this.positionCursor = front;
    const start = this.positionCursor;
    const [frontUsers, rollingUsers] = await Promise.all([
      this.options.redis.zrange(this.keys.waiting, 0, front - 1),
      rolling > 0 ? this.options.redis.zrange(this.keys.waiting, start, start + rolling - 1) : [],
    ]);
    const tell = (userId: string, position: number) =>
      this.options.notify(userId, {
        status: "waiting",
        position,
        estimatedWaitSeconds: estimateWaitSeconds(position, ratePerSecond, room),
      });
    frontUsers.forEach((userId, index) => tell(userId, index + 1));
    rollingUsers.forEach((userId, index) => tell(userId, start + index + 1));
    this.positionCursor =
      rollingUsers.length < rolling || rolling === 0 ? front : start + rollingUsers.length;
    return frontUsers.length + rollingUsers.length;
  }

  private get leaseTtl(): number {
    return this.options.leaseTtlMs ?? waitingRoomLeaseTtlMs;
  }

  /**
   * Stops for good. `drop` deletes the event's waiting room (only a lease holder may) and `unlist` takes
   * it off the list nodes discover waiting rooms from; `hand-over` leaves both for the node that now owns it.
   */
  private async retire(mode: "drop" | "unlist" | "hand-over"): Promise<void> {
    if (mode === "drop") {
      if (this.leaseValue === null) {
        const lease = await this.scripts.acquire(this.keys, this.options.ownerId, this.leaseTtl);
        if (lease.acquired) this.leaseValue = lease.value;
      }
      if (this.leaseValue !== null) {
        await this.scripts.drop(this.keys, this.leaseValue);
        this.leaseValue = null;
      }
    }
    if (mode !== "hand-over") await this.options.redis.srem(waitingRoomEventsKey, this.eventId);
    await this.stop();
    this.options.onRetire(this.eventId);
  }

  /** Starts ticking on timers. */
  start(): void {
    if (this.stopped || this.timer || this.running) return;
    this.schedule(0);
  }

  /** Ticks soon when idle (a join arrived or a shopper left); cheap to call often. */
  wake(): void {
    if (this.stopped || !this.idle) return;
    this.idle = false;
    if (this.running) {
      this.wakeRequested = true;
    } else if (this.timer) {
      clearTimeout(this.timer);
      this.schedule(0);
    }
  }

  /** Stops ticking and gives the lease back (best effort: it lapses by itself otherwise). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const value = this.leaseValue;
    this.leaseValue = null;
    if (value !== null) await this.scripts.release(this.keys, value).catch(() => false);
  }

  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => void this.loop(), delayMs);
  }

  private async loop(): Promise<void> {
    this.timer = null;
    this.running = true;
    let delayMs = this.options.idleTickMs ?? waitingRoomIdleTickMs;
    try {
      const result = await this.tick();
      this.options.onTick?.(result);
      const busy = result.waitingCount > 0 || result.outcome === "admitting";
      if (busy) delayMs = this.options.tickMs ?? waitingRoomTickMs;
    } catch (error) {
      // Redis or the catalog unreachable: keep the state where it is and try again shortly.
      const nowMs = Date.now();
      if (nowMs - this.lastErrorLogMs >= errorLogIntervalMs) {
        this.lastErrorLogMs = nowMs;
        this.options.logger.warn(
          { eventId: this.eventId, error: (error as Error).message },
          "waiting-room actor tick failed; retrying",
        );
      }
    } finally {
      this.running = false;
    }
    if (this.stopped) return;
    if (this.wakeRequested) {
      this.wakeRequested = false;
      delayMs = 0;
    }
    this.schedule(delayMs);
  }
}
