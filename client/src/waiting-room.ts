// Getting through an event's waiting room: join once, then poll the place until admitted, never
// sooner than the server's Retry-After after a 429 or 503 (a poll sooner would only be refused again),
// and joining again should the place be lost (a 404: the admission lapsed). Pushes over Socket.IO
// (`queue`) may come sooner; polling is what works without them.
import { ApiError } from "./errors.ts";
import type { MarqueeClient } from "./http.ts";
import type { QueueStatus } from "./types.ts";

export interface AdmissionOptions {
  /** Between two polls while waiting (default 2 s). */
  pollIntervalMs?: number;
  /** Waits after a 429/503 without Retry-After (default 1 s). */
  retryDelayMs?: number;
  /** Each place the server reports. */
  onStatus?(status: QueueStatus): void;
  /** Stops waiting (the promise rejects with the signal's reason). */
  signal?: AbortSignal;
}

/** The admission token once admitted; undefined when the event has no waiting room on. */
export async function waitForAdmission(
  client: MarqueeClient,
  eventId: string,
  options: AdmissionOptions = {},
): Promise<string | undefined> {
  const pollIntervalMs = options.pollIntervalMs ?? 2_000;
  let joined = false;
  for (;;) {
    options.signal?.throwIfAborted();
    let waitMs = pollIntervalMs;
    try {
      const status = joined ? await client.queueStatus(eventId) : await client.joinQueue(eventId);
      joined = true;
      options.onStatus?.(status);
      if (status.status === "admitted") return status.admissionToken;
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      if (error.status === 404 && joined) joined = false;
      else if (error.retryable)
        waitMs = Math.max(
          pollIntervalMs,
          (error.retryAfterSeconds ?? 0) * 1000,
          options.retryDelayMs ?? 1_000,
        );
      else throw error;
    }
    await client.clock.sleep(waitMs, options.signal);
  }
}
