// Reserve+release pairs for the seat-map benchmark: each booker holds one seat of its own range and
// gives it back at once, again and again, so bookers never contend and every pair is two committed
// seat changes (two versions, two deltas).
import type http from "node:http";
import { PhaseRecorder, request, sleep } from "./http-load.ts";

export interface PairsOptions {
  agent: http.Agent;
  baseUrl: string;
  eventId: string;
  /** `Bearer <token>` of each booker (one user each). */
  bookers: string[];
  /** Bookers use ordinals booker, booker + bookers.length, ... below this. */
  seats: number;
  until: number;
  /** A booker waits this long after each pair (a slow, steady writer); none by default. */
  pauseMs?: number;
}

export interface PairsSummary {
  pairs: number;
  pairsPerSecond: number;
  /** Of one pair (reserve and release, the client's receipt included). */
  p50Ms: number;
  p99Ms: number;
  errors: number;
}

export async function runPairs(options: PairsOptions, startedAt: number): Promise<PairsSummary> {
  const recorder = new PhaseRecorder();
  const booker = async (index: number) => {
    let ordinal = index;
    const authorization = options.bookers[index];
    while (Date.now() < options.until) {
      const ticketId = `${options.eventId}.${ordinal}`;
      ordinal = (ordinal + options.bookers.length) % options.seats;
      const pairStartedAt = performance.now();
      const call = (path: string, body: unknown) =>
        request(options.agent, options.baseUrl + path, {
          method: "POST",
          headers: { authorization },
          body,
        }).catch(() => null);
      const reserved = await call("/booking/reserve", { ticketId });
      if (reserved?.status !== 200) {
        recorder.record(pairStartedAt, null);
        continue;
      }
      recorder.record(pairStartedAt, await call("/booking/release", { ticketIds: [ticketId] }));
      if (options.pauseMs) await sleep(options.pauseMs);
    }
  };
  await Promise.all(options.bookers.map((_, index) => booker(index)));
  const summary = recorder.summary(Date.now() - startedAt);
  return {
    pairs: summary.requests,
    pairsPerSecond: summary.perSecond,
    p50Ms: summary.p50Ms,
    p99Ms: summary.p99Ms,
    errors: summary.errors,
  };
}
