// The line: joining it and asking for one's place, answered in the contract's shape
// {status, position, estimatedWaitSeconds, admissionToken?}. One Redis script per batch: joins (and
// polls) of one event that arrive in the same turn of the event loop, or while the event's previous
// script call is in flight, share a round trip (batcher.ts).
import type { RedisClient } from "../../platform/redis.ts";
import type { WaitingRoomSettings } from "../../domain/event.ts";
import { MarqueeError, invariant } from "../../domain/errors.ts";
import {
  lineBatchMax,
  lineLengthMax,
  lineQueuedMax,
  waitingRoomRetryAfterSeconds,
} from "../../domain/limits.ts";
import type { AdmissionTokens } from "./admission-token.ts";
import { estimateWaitSeconds } from "./estimate.ts";
import { waitingRoomKeys } from "./keys.ts";
import { KeyedBatcher } from "./batcher.ts";
import { lotteryScore } from "./lottery.ts";
import { waitingRoomScripts, type JoinRequest, type Place, type WaitingRoomScripts } from "./scripts.ts";

/** The answer of a join or a poll (and of a push): the contract's shape. */
export interface WaitingRoomAnswer {
  status: "waiting" | "admitted";
  /** 1 = next in line; null for early joiners before the sale opens (the lottery has not run); 0 once admitted. */
  position: number | null;
  estimatedWaitSeconds: number;
  admissionToken?: string;
}

/** What the line needs to know about an event. */
export interface LineEvent {
  eventId: string;
  onSaleAtMs: number;
  settings: WaitingRoomSettings;
}

export interface Line {
  /** Joins (or re-reads the place of) a user; joining twice keeps the first place. */
  join(event: LineEvent, userId: string, nowMs: number): Promise<WaitingRoomAnswer>;
  /** The user's current place, or null when they are neither waiting nor admitted. */
  status(event: LineEvent, userId: string, nowMs: number): Promise<WaitingRoomAnswer | null>;
}

interface PlaceWithRate {
  place: Place;
  ratePerSecond: number;
}

export const redisUnavailable = (): MarqueeError =>
  new MarqueeError(
    "OVERLOADED",
    "The waiting room is unavailable, retry shortly",
    undefined,
    waitingRoomRetryAfterSeconds,
  );

const lineFull = (): MarqueeError =>
  new MarqueeError(
    "OVERLOADED",
    "The waiting room is full, retry later",
    undefined,
    waitingRoomRetryAfterSeconds,
  );

async function orUnavailable<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch {
    // Connection refused, timeout, no offline queue: the line is unreachable, not broken.
    throw redisUnavailable();
  }
}

export function createLine(
  redis: RedisClient,
  tokens: AdmissionTokens,
  options: { waitingMax?: number; batchMax?: number } = {},
): Line {
  const { joins, polls } = lineBatchers(
    waitingRoomScripts(redis),
    options.waitingMax ?? lineLengthMax,
    options.batchMax ?? lineBatchMax,
  );
  return {
    async join(event, userId, nowMs) {
      const result = await orUnavailable(() =>
        joins.submit(`${event.eventId}@${event.onSaleAtMs}`, {
          event,
          // Only early joiners draw; the script ignores the score of everyone else.
          request: { userId, nowMs, lotteryScore: nowMs < event.onSaleAtMs ? lotteryScore() : "0" },
        }),
      );
      if (result.place.kind === "full") throw lineFull();
      return answerFor(tokens, event, userId, nowMs, result);
    },

    async status(event, userId, nowMs) {
      const result = await orUnavailable(() =>
        polls.submit(event.eventId, { eventId: event.eventId, userId, nowMs }),
      );
      if (result.place.kind === "none") return null;
      return answerFor(tokens, event, userId, nowMs, result);
    },
  };
}

/** The batchers of joins (per event and sale time, so one script sees one onSaleAt) and of polls. */
function lineBatchers(scripts: WaitingRoomScripts, waitingMax: number, batchMax: number) {
  const joins = new KeyedBatcher<{ event: LineEvent; request: JoinRequest }, PlaceWithRate>(
    async (_, items) => {
      const { eventId, onSaleAtMs } = items[0].event;
      const reply = await scripts.join(
        waitingRoomKeys(eventId),
        onSaleAtMs,
        waitingMax,
        items.map((item) => item.request),
      );
      return reply.places.map((place) => ({ place, ratePerSecond: reply.ratePerSecond }));
    },
    batchMax,
    lineQueuedMax,
  );
  const polls = new KeyedBatcher<{ eventId: string; userId: string; nowMs: number }, PlaceWithRate>(
    async (eventId, items) => {
      const reply = await scripts.status(waitingRoomKeys(eventId), items);
      return reply.places.map((place) => ({ place, ratePerSecond: reply.ratePerSecond }));
    },
    batchMax,
    lineQueuedMax,
  );
  return { joins, polls };
}

/** The contract's answer for an admitted or waiting place. */
function answerFor(
  tokens: AdmissionTokens,
  event: LineEvent,
  userId: string,
  nowMs: number,
  { place, ratePerSecond }: PlaceWithRate,
): WaitingRoomAnswer {
  if (place.kind === "admitted") {
    return {
      status: "admitted",
      position: 0,
      estimatedWaitSeconds: 0,
      admissionToken: tokens.sign({ eventId: event.eventId, userId, expiresAtMs: place.expiresAtMs }),
    };
  }
  invariant(place.kind === "waiting", `no answer for a ${place.kind} place`);
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
