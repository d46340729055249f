// The buy path's operations as a shopper sends them through HTTP, each by a buyer of its own (a fresh
// user and token per operation, as in a rush): reserve one seat by id and confirm it (`tok_ok`, an
// Idempotency-Key of its own), reserve one seat and release it, and best available (quantity 1) and
// confirm what the engine picked. Seats come from a pool: confirmed seats are used up, released ones
// go back, so no two operations in flight want the same seat.
import type http from "node:http";
import { request, type Answer } from "../seat-map/http-load.ts";
import type { Operation, Outcome, Steps } from "./driver.ts";
import type { Signer } from "./tokens.ts";

export interface BuyContext {
  agent: http.Agent;
  baseUrl: string;
  sign: Signer;
  eventId: string;
  /** Distinguishes this phase's buyers and keys from every other phase's. */
  tag: string;
}

export const buyPhases = ["reserve+confirm", "reserve+release", "bestAvailable+confirm"] as const;
export type BuyPhase = (typeof buyPhases)[number];

/** Ordinals to take seats from: taken from the end, given back (released) at the end. */
export class SeatPool {
  private readonly free: number[];
  constructor(count: number) {
    this.free = Array.from({ length: count }, (_, index) => count - 1 - index);
  }
  take(): number | undefined {
    return this.free.pop();
  }
  giveBack(ordinal: number): void {
    this.free.push(ordinal);
  }
}

const post = (context: BuyContext, path: string, authorization: string, body: unknown, key?: string) =>
  request(context.agent, context.baseUrl + path, {
    method: "POST",
    headers: key ? { authorization, "idempotency-key": key } : { authorization },
    body,
  });

const failed = (step: string, answer: Answer): Outcome => {
  let code = "";
  try {
    code = JSON.parse(answer.body.toString()).error?.code ?? "";
  } catch {
    /* not JSON */
  }
  return { failed: `${step} ${answer.status} ${code}`.trim() };
};

async function timed(steps: Steps, name: string, send: () => Promise<Answer>): Promise<Answer> {
  const startedAt = performance.now();
  const answer = await send();
  steps.step(name, startedAt);
  return answer;
}

async function confirm(
  context: BuyContext,
  steps: Steps,
  authorization: string,
  ticketIds: string[],
  index: number,
): Promise<Outcome> {
  const body = { ticketIds, paymentDetails: { token: "tok_ok" } };
  const key = `bench-${context.tag}-${index}`;
  const answer = await timed(steps, "confirm", () =>
    post(context, "/booking/confirm", authorization, body, key),
  );
  return answer.status === 201 ? "ok" : failed("confirm", answer);
}

/** A seat of the pool reserved by id for this operation's buyer, or why not. */
async function reservePooled(
  context: BuyContext,
  pool: SeatPool,
  index: number,
  steps: Steps,
): Promise<{ ordinal: number; authorization: string; ticketIds: string[] } | Outcome> {
  const ordinal = pool.take();
  if (ordinal === undefined) return "exhausted";
  const authorization = context.sign(`buyer-${context.tag}-${index}`);
  const ticketIds = [`${context.eventId}.${ordinal}`];
  const reserved = await timed(steps, "reserve", () =>
    post(context, "/booking/reserve", authorization, { ticketIds }),
  );
  return reserved.status === 200 ? { ordinal, authorization, ticketIds } : failed("reserve", reserved);
}

const isOutcome = (value: object | Outcome): value is Outcome =>
  typeof value === "string" || "failed" in value;

/** Reserve a seat by id from the pool, then confirm it; the pool empty = sold out. */
export function reserveConfirm(context: BuyContext, pool: SeatPool): Operation {
  return async (index, steps) => {
    const held = await reservePooled(context, pool, index, steps);
    if (isOutcome(held)) return held;
    return confirm(context, steps, held.authorization, held.ticketIds, index);
  };
}

/** Reserve a seat by id and release it at once; the seat goes back to the pool when released. */
export function reserveRelease(context: BuyContext, pool: SeatPool): Operation {
  return async (index, steps) => {
    const held = await reservePooled(context, pool, index, steps);
    if (isOutcome(held)) return held;
    const released = await timed(steps, "release", () =>
      post(context, "/booking/release", held.authorization, { ticketIds: held.ticketIds }),
    );
    if (released.status !== 200) return failed("release", released);
    pool.giveBack(held.ordinal);
    return "ok";
  };
}

/** Best available, one seat, then confirm the seat the engine held; nothing left (409) = sold out. */
export function bestAvailableConfirm(context: BuyContext): Operation {
  return async (index, steps) => {
    const authorization = context.sign(`buyer-${context.tag}-${index}`);
    const reserved = await timed(steps, "reserve", () =>
      post(context, "/booking/reserve", authorization, { eventId: context.eventId, quantity: 1 }),
    );
    if (reserved.status === 409) return "exhausted";
    if (reserved.status !== 200) return failed("reserve", reserved);
    const { ticketIds } = JSON.parse(reserved.body.toString()) as { ticketIds: string[] };
    return confirm(context, steps, authorization, ticketIds, index);
  };
}
