// Joining the line and asking for one's place: one Redis script each, answered in the contract's
// shape {status, position, estimatedWaitSeconds, admissionToken?}.
import { randomBytes } from "node:crypto";
import type { Redis } from "ioredis";
import type { WaitingRoomSettings } from "../../domain/event.ts";
import { MarqueeError } from "../../domain/errors.ts";
import { queueRetryAfterSeconds, queueWaitingMax } from "../../domain/limits.ts";
import type { AdmissionTokens } from "./admission-token.ts";
import { estimateWaitSeconds } from "./estimate.ts";
import { queueKeys } from "./keys.ts";
import { queueScripts, type JoinReply, type StatusReply } from "./scripts.ts";

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

/** A uniformly random score in [0, 1) with 48 bits: the lottery ticket of an early joiner. */
export function lotteryScore(): string {
  return String(randomBytes(6).readUIntBE(0, 6) / 2 ** 48);
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
  waitingMax = queueWaitingMax,
): WaitingLine {
  const scripts = queueScripts(redis);

  function answer(
    event: QueueEvent,
    userId: string,
    nowMs: number,
    reply: JoinReply | StatusReply,
  ): QueueAnswer {
    if (reply[0] === "admitted") {
      const expiresAtMs = Number(reply[1]);
      return {
        status: "admitted",
        position: 0,
        estimatedWaitSeconds: 0,
        admissionToken: tokens.sign({ eventId: event.eventId, userId, expiresAtMs }),
      };
    }
    if (reply[0] !== "waiting") throw new Error(`unexpected queue reply ${reply[0]}`);
    if (nowMs < event.onSaleAtMs) {
      // Everyone waiting now is an early joiner: their order is drawn, not yet known to them.
      return {
        status: "waiting",
        position: null,
        estimatedWaitSeconds: Math.ceil((event.onSaleAtMs - nowMs) / 1000),
      };
    }
    const position = Number(reply[1]) + 1;
    return {
      status: "waiting",
      position,
      estimatedWaitSeconds: estimateWaitSeconds(position, Number(reply[2]), event.settings),
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
      const reply = await run(() =>
        scripts.join(queueKeys(event.eventId), userId, nowMs, event.onSaleAtMs, lotteryScore(), waitingMax),
      );
      if (reply[0] === "full")
        throw new MarqueeError(
          "OVERLOADED",
          "The waiting room is full, retry later",
          undefined,
          queueRetryAfterSeconds,
        );
      return answer(event, userId, nowMs, reply);
    },

    async status(event, userId, nowMs) {
      const reply = await run(() => scripts.status(queueKeys(event.eventId), userId, nowMs));
      if (reply[0] === "none") return null;
      return answer(event, userId, nowMs, reply);
    },
  };
}
