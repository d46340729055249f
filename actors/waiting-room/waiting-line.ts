// Joining the line and asking for one's place, answered in the contract's shape
// {status, position, estimatedWaitSeconds, admissionToken?}. One Redis script per batch: joins (and
// polls) of one event that arrive in the same turn of the event loop share a round trip.
import { randomFillSync } from "node:crypto";
import type { Redis } from "ioredis";
import type { WaitingRoomSettings } from "../../domain/event.ts";
import { MarqueeError } from "../../domain/errors.ts";
import { queueJoinBatchMax, queueRetryAfterSeconds, queueWaitingMax } from "../../domain/limits.ts";
import type { AdmissionTokens } from "./admission-token.ts";
import { estimateWaitSeconds } from "./estimate.ts";
import { queueKeys } from "./keys.ts";
import { KeyedBatcher } from "./batcher.ts";
import { queueScripts, type JoinRequest, type Place } from "./scripts.ts";

export interface QueueAnswer {
  status: "waiting" | "admitted";
  /** 1 = next in line; null for early joiners before the sale opens (the lottery has not run); 0 once admitted. */
  position: number | null;
  estimatedWaitSeconds: number;
  admissionToken?: string;
}

/** What the line needs to know about an event. */
export interface QueueEvent {
  eventId: string;
  onSaleAtMs: number;
  settings: WaitingRoomSettings;
}

export interface WaitingLine {
  /** Joins (or re-reads the place of) a user; joining twice keeps the first place. */
  join(event: QueueEvent, userId: string, nowMs: number): Promise<QueueAnswer>;
  /** The user's current place, or null when they are neither waiting nor admitted. */
  status(event: QueueEvent, userId: string, nowMs: number): Promise<QueueAnswer | null>;
}

// Lottery draws come from a pool of cryptographic randomness refilled 4,096 draws at a time: one
// randomBytes call per join cost more than the rest of the join (measured).
const drawBytes = 6;
const randomPool = Buffer.alloc(drawBytes * 4_096);
let randomOffset = randomPool.length;

/** A uniformly random score in [0, 1) with 48 bits: the lottery ticket of an early joiner. */
export function lotteryScore(): string {
  if (randomOffset + drawBytes > randomPool.length) {
    randomFillSync(randomPool);
    randomOffset = 0;
  }
  const value = randomPool.readUIntBE(randomOffset, drawBytes);
  randomOffset += drawBytes;
  return String(value / 2 ** 48);
}

export const redisUnavailable = (): MarqueeError =>
  new MarqueeError(
    "OVERLOADED",
    "The waiting room is unavailable, retry shortly",
    undefined,
    queueRetryAfterSeconds,
  );

export function createWaitingLine(
  redis: Redis,
  tokens: AdmissionTokens,
  options: { waitingMax?: number; batchMax?: number } = {},
): WaitingLine {
  const scripts = queueScripts(redis);
  const waitingMax = options.waitingMax ?? queueWaitingMax;
  const batchMax = options.batchMax ?? queueJoinBatchMax;
  // Batched per event (and sale time, so one script sees one onSaleAt).
  const joins = new KeyedBatcher<{ event: QueueEvent; request: JoinRequest }, PlaceWithRate>(
    async (_, items) => {
      const { eventId, onSaleAtMs } = items[0].event;
      const reply = await scripts.join(
        queueKeys(eventId),
        onSaleAtMs,
        waitingMax,
        items.map((item) => item.request),
      );
      return reply.places.map((place) => ({ place, ratePerSecond: reply.ratePerSecond }));
    },
    batchMax,
  );
  const polls = new KeyedBatcher<{ eventId: string; userId: string; nowMs: number }, PlaceWithRate>(
    async (eventId, items) => {
      const reply = await scripts.status(queueKeys(eventId), items);
      return reply.places.map((place) => ({ place, ratePerSecond: reply.ratePerSecond }));
    },
    batchMax,
  );

  function answer(
    event: QueueEvent,
    userId: string,
    nowMs: number,
    { place, ratePerSecond }: PlaceWithRate,
  ): QueueAnswer {
    if (place.kind === "admitted") {
      return {
        status: "admitted",
        position: 0,
        estimatedWaitSeconds: 0,
        admissionToken: tokens.sign({ eventId: event.eventId, userId, expiresAtMs: place.expiresAtMs }),
      };
    }
    if (place.kind !== "waiting") throw new Error(`no answer for a ${place.kind} place`);
    if (nowMs < event.onSaleAtMs) {
      // Everyone waiting now is an early joiner: their order is drawn, not yet known to them.
      return {
        status: "waiting",
        position: null,
        estimatedWaitSeconds: Math.ceil((event.onSaleAtMs - nowMs) / 1000),
      };
    }
    const position = place.rank + 1;
    return {
      status: "waiting",
      position,
      estimatedWaitSeconds: estimateWaitSeconds(position, ratePerSecond, event.settings),
    };
  }

  async function run<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch {
      // Connection refused, timeout, no offline queue: the line is unreachable, not broken.
      throw redisUnavailable();
    }
  }

  return {
    async join(event, userId, nowMs) {
      const result = await run(() =>
        joins.submit(`${event.eventId}@${event.onSaleAtMs}`, {
          event,
          // Only early joiners draw; the script ignores the score of everyone else.
          request: { userId, nowMs, lotteryScore: nowMs < event.onSaleAtMs ? lotteryScore() : "0" },
        }),
      );
      if (result.place.kind === "full")
        throw new MarqueeError(
          "OVERLOADED",
          "The waiting room is full, retry later",
          undefined,
          queueRetryAfterSeconds,
        );
      return answer(event, userId, nowMs, result);
    },

    async status(event, userId, nowMs) {
      const result = await run(() => polls.submit(event.eventId, { eventId: event.eventId, userId, nowMs }));
      if (result.place.kind === "none") return null;
      return answer(event, userId, nowMs, result);
    },
  };
}

interface PlaceWithRate {
  place: Place;
  ratePerSecond: number;
}
