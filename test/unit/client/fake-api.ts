// A scripted fetch and a clock that records sleeps, for the client's helpers.
import type { Clock } from "../../../client/src/index.ts";

export interface SentRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: unknown;
}

/** An answer to script: a status with a JSON body and headers, or a failure without an answer. */
export type Scripted = { status: number; body?: unknown; headers?: Record<string, string> } | "network-error";

export function scriptedFetch(answers: Scripted[]): { fetch: typeof fetch; sent: SentRequest[] } {
  const sent: SentRequest[] = [];
  const fake = async (url: string | URL | Request, init?: RequestInit): Promise<Response> => {
    sent.push({
      method: init?.method ?? "GET",
      url: String(url),
      headers: { ...(init?.headers as Record<string, string>) },
      body: typeof init?.body === "string" ? JSON.parse(init.body) : undefined,
    });
    const next = answers.shift();
    if (next === undefined) throw new Error(`unscripted request ${init?.method} ${String(url)}`);
    if (next === "network-error") throw new TypeError("fetch failed");
    const headers = { "content-type": "application/json", ...next.headers };
    return new Response(next.body === undefined ? null : JSON.stringify(next.body), {
      status: next.status,
      headers,
    });
  };
  return { fetch: fake as typeof fetch, sent };
}

/** A clock whose sleeps return at once and move its time. */
export function recordingClock(startMs = 1_000_000): Clock & { sleeps: number[] } {
  let now = startMs;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    sleep: async (ms, signal) => {
      signal?.throwIfAborted();
      sleeps.push(ms);
      now += ms;
    },
  };
}

export const errorBody = (code: string, message = code) => ({ error: { code, message } });
