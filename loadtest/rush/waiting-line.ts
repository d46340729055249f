// The crowd in the waiting room: every virtual user joins (POST /events/:id/queue), then polls
// GET /events/:id/queue like a polite client - soon when near the front (small ETA), rarely when far
// back - under one global poll budget, until admitted. Admitted users are handed to the shoppers.
import type { HttpClient } from "./http-client.ts";
import { retryAfterMs } from "./http-client.ts";
import type { RunRecorder } from "./recorder.ts";
import { ExpiryHeap } from "../../domain/expiry-heap.ts";

export interface WaitingUser {
  userId: string;
  token: string;
  nextPollAt: number;
  joinAttempts: number;
}

export interface WaitingLineOptions {
  http: HttpClient;
  eventId: string;
  recorder: RunRecorder;
  /** Polls per second across the whole crowd. */
  pollsPerSecondMax: number;
  /** Requests in flight at once (joins + polls). */
  inFlightMax: number;
  /** Users within this many places of the front poll every second. */
  frontWindow: number;
  onAdmitted(user: WaitingUser, admissionToken: string): void;
  /** Stop admitting new shoppers (sold out or time is up). */
  isOver(): boolean;
}

/**
 * When to poll next. Near the front (a browser there would hold a socket for the admission push) every
 * second; further back half the estimated wait, between 1 s and 30 s; with jitter so a crowd does not
 * poll in step.
 */
const pollDelayMs = (body: any, frontWindow: number, random: () => number): number => {
  const position: number | null = body?.position ?? null;
  const wait: number | null = body?.estimatedWaitSeconds ?? null;
  const base =
    position !== null && position <= frontWindow
      ? 1_000
      : wait === null
        ? 5_000
        : Math.min(30_000, Math.max(1_000, wait * 500));
  return base * (0.8 + 0.4 * random());
};

export class WaitingLine {
  /** Waiting users by the time of their next poll. */
  readonly heap = new ExpiryHeap<WaitingUser>();
  joined = 0;
  admitted = 0;
  private inFlight = 0;
  private readonly headersOf = (user: WaitingUser) => ({ authorization: `Bearer ${user.token}` });

  constructor(
    private readonly options: WaitingLineOptions,
    private readonly random: () => number,
  ) {}

  get waiting(): number {
    return this.heap.size + this.inFlight;
  }

  /** Joins one user; resolves when the join was answered (the user then waits in the heap). */
  async join(user: WaitingUser): Promise<void> {
    const { http, eventId, recorder } = this.options;
    while (this.inFlight >= this.options.inFlightMax) await new Promise((resolve) => setTimeout(resolve, 5));
    this.inFlight++;
    try {
      for (; user.joinAttempts < 10; user.joinAttempts++) {
        const answer = await http.request(
          "POST",
          `/events/${eventId}/queue`,
          undefined,
          this.headersOf(user),
        );
        recorder.record("join", answer.status, answer.latencyMs);
        if (answer.status === 200) {
          this.joined++;
          this.handle(user, answer.body);
          return;
        }
        if (answer.status !== 503 && answer.status !== 429 && answer.status !== 0) return;
        await new Promise((resolve) => setTimeout(resolve, retryAfterMs(answer)));
      }
    } finally {
      this.inFlight--;
    }
  }

  private handle(user: WaitingUser, body: any): void {
    if (body?.status === "admitted" && body.admissionToken) {
      this.admitted++;
      this.options.onAdmitted(user, body.admissionToken);
      return;
    }
    user.nextPollAt = Date.now() + pollDelayMs(body, this.options.frontWindow, this.random);
    this.heap.push(user.nextPollAt, user);
  }

  /** Runs the poll loop until the sale is over. */
  async run(): Promise<void> {
    const tickMs = 100;
    const perTick = Math.max(1, Math.round((this.options.pollsPerSecondMax * tickMs) / 1_000));
    while (!this.options.isOver()) {
      const now = Date.now();
      for (let sent = 0; sent < perTick && this.inFlight < this.options.inFlightMax; sent++) {
        const next = this.heap.peek();
        if (!next || next.at > now) break;
        void this.poll(this.heap.pop()!.item);
      }
      await new Promise((resolve) => setTimeout(resolve, tickMs));
    }
  }

  private async poll(user: WaitingUser): Promise<void> {
    const { http, eventId, recorder } = this.options;
    this.inFlight++;
    try {
      const answer = await http.request("GET", `/events/${eventId}/queue`, undefined, this.headersOf(user));
      recorder.record("poll", answer.status, answer.latencyMs);
      if (answer.status === 200) this.handle(user, answer.body);
      else if (answer.status === 404) {
        // Out of the line (an admission that lapsed unused): join again, at the back.
        user.joinAttempts = 0;
        void this.join(user);
      } else {
        user.nextPollAt = Date.now() + retryAfterMs(answer, 2_000);
        this.heap.push(user.nextPollAt, user);
      }
    } finally {
      this.inFlight--;
    }
  }
}
