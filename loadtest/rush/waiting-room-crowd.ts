// The crowd in the waiting room. Every virtual user joins (POST /events/:id/queue); then, like a
// browser tab, it either holds a socket and hears the `queue` push the moment it is admitted, or polls
// GET /events/:id/queue. Sockets are bounded (one gateway node holds 20,000), so they go to those who
// could be admitted soon: the lottery entrants (whose place nobody knows until the sale opens) and
// those whose last known position is within the first `socketsMax` places. Everyone else polls under
// one global budget, nearest the front first, at intervals that follow their estimated wait. Socket
// holders poll rarely too, as the waiting room's README asks of clients. Admitted users are handed
// to the shoppers.
import type { HttpClient } from "./http-client.ts";
import { retryAfterMs } from "./http-client.ts";
import type { RunRecorder } from "./recorder.ts";
import { connectWaitingRoomSocket, type WaitingRoomSocket } from "./waiting-room-socket.ts";
import { ExpiryHeap } from "../../domain/expiry-heap.ts";

export interface WaitingUser {
  userId: string;
  token: string;
  joinAttempts: number;
  state?: "joining" | "waiting" | "admitted" | "gone";
  /** Last position heard; null until the lottery is drawn. */
  position?: number | null;
  /** When its current poll is due (older entries in the due heap are stale); -1 while in the ready heap. */
  pollDueAt?: number;
  socket?: WaitingRoomSocket | null;
  connecting?: boolean;
}

export interface WaitingRoomCrowdOptions {
  http: HttpClient;
  baseUrl: string;
  eventId: string;
  recorder: RunRecorder;
  /** Polls per second across the whole crowd. */
  pollsPerSecondMax: number;
  /** Requests in flight at once (joins + polls). */
  inFlightMax: number;
  /** Waiting users holding a socket at once (0: everybody polls). */
  socketsMax: number;
  onAdmitted(user: WaitingUser, admissionToken: string): void;
  /** Stop admitting new shoppers (sold out or time is up). */
  isOver(): boolean;
}

const socketFallbackPollMs = 60_000;
const socketConnectsInFlightMax = 64;
const socketConnectTimeoutMs = 10_000;

/**
 * When a polling user polls next: half its estimated wait, between 1 s and 30 s (5 s while the
 * lottery is not drawn), with jitter so a crowd does not poll in step.
 */
const pollDelayMs = (body: any, random: () => number): number => {
  const wait: number | null = body?.estimatedWaitSeconds ?? null;
  const base =
    body?.position === null || wait === null ? 5_000 : Math.min(30_000, Math.max(1_000, wait * 500));
  return base * (0.8 + 0.4 * random());
};

export class WaitingRoomCrowd {
  /** Users whose next poll is not due yet, by due time (lazy removal: see `pollDueAt`). */
  private readonly due = new ExpiryHeap<WaitingUser>();
  /** Users whose poll is due, nearest the front first (the budget goes to those it matters most to). */
  private readonly ready = new ExpiryHeap<WaitingUser>();
  joined = 0;
  admitted = 0;
  /** Admissions first heard over a socket (the rest from a poll or the join answer). */
  admittedByPush = 0;
  waiting = 0;
  private inFlight = 0;
  private socketsPeak = 0;
  private connectsInFlight = 0;
  private readonly holders = new Set<WaitingUser>();
  private readonly headersOf = (user: WaitingUser) => ({ authorization: `Bearer ${user.token}` });

  constructor(
    private readonly options: WaitingRoomCrowdOptions,
    private readonly random: () => number,
  ) {}

  get socketsOpen(): number {
    return this.holders.size;
  }

  get socketsMaxSeen(): number {
    return this.socketsPeak;
  }

  /** Joins one user; resolves when the join was answered (the user then waits in the line). */
  async join(user: WaitingUser): Promise<void> {
    const { http, eventId, recorder } = this.options;
    while (this.inFlight >= this.options.inFlightMax) await new Promise((resolve) => setTimeout(resolve, 5));
    this.inFlight++;
    if (user.state !== "waiting") this.waiting++; // a rejoin (after a 404) is counted already
    user.state = "joining";
    try {
      for (; user.joinAttempts < 10 && !this.options.isOver(); user.joinAttempts++) {
        const answer = await http.request(
          "POST",
          `/events/${eventId}/queue`,
          undefined,
          this.headersOf(user),
        );
        recorder.record("join", answer.status, answer.latencyMs);
        if (answer.status === 200) {
          this.joined++;
          user.state = "waiting";
          this.handle(user, answer.body);
          return;
        }
        if (answer.status !== 503 && answer.status !== 429 && answer.status !== 0) break;
        await new Promise((resolve) => setTimeout(resolve, retryAfterMs(answer)));
      }
      user.state = "gone";
      this.waiting--;
    } finally {
      this.inFlight--;
    }
  }

  /** An answer of the waiting room (join or poll) for a waiting user. */
  private handle(user: WaitingUser, body: any): void {
    if (body?.status === "admitted" && body.admissionToken) return this.admit(user, body.admissionToken);
    user.position = body?.position ?? null;
    this.schedule(user, user.socket ? socketFallbackPollMs : pollDelayMs(body, this.random));
    this.maybeConnect(user);
  }

  private schedule(user: WaitingUser, delayMs: number): void {
    user.pollDueAt = Date.now() + delayMs;
    this.due.push(user.pollDueAt, user);
  }

  private admit(user: WaitingUser, admissionToken: string): void {
    if (user.state !== "waiting") return;
    user.state = "admitted";
    this.waiting--;
    this.admitted++;
    this.dropSocket(user);
    this.options.onAdmitted(user, admissionToken);
  }

  /** Gives the user a socket when one is free and it could be admitted soon. */
  private maybeConnect(user: WaitingUser): void {
    const { socketsMax } = this.options;
    if (user.socket || user.connecting || user.state !== "waiting" || this.options.isOver()) return;
    if (this.holders.size + this.connectsInFlight >= socketsMax) return;
    if (this.connectsInFlight >= socketConnectsInFlightMax) return;
    if (user.position != null && user.position > socketsMax) return;
    user.connecting = true;
    this.connectsInFlight++;
    void connectWaitingRoomSocket(
      this.options.baseUrl,
      user.token,
      {
        onPush: (data) => {
          if (data?.status === "admitted" && data.admissionToken) {
            if (user.state === "waiting") this.admittedByPush++;
            this.admit(user, data.admissionToken);
          } else if (data?.status === "waiting") user.position = data.position ?? null;
        },
        onClose: () => {
          if (!user.socket) return;
          user.socket = null;
          this.holders.delete(user);
          if (user.state === "waiting") this.schedule(user, 1_000); // back to polling
        },
      },
      socketConnectTimeoutMs,
    ).then((socket) => {
      user.connecting = false;
      this.connectsInFlight--;
      if (!socket) return;
      if (user.state !== "waiting" || this.options.isOver()) return socket.close();
      user.socket = socket;
      this.holders.add(user);
      this.socketsPeak = Math.max(this.socketsPeak, this.holders.size);
      // The push now tells this user; a rare poll stays as the fallback a real client keeps.
      this.schedule(user, socketFallbackPollMs);
    });
  }

  private dropSocket(user: WaitingUser): void {
    const socket = user.socket;
    if (!socket) return;
    user.socket = null;
    this.holders.delete(user);
    socket.close();
  }

  /** Runs the poll loop until the sale is over, then closes every waiting user's socket. */
  async run(): Promise<void> {
    const tickMs = 100;
    const perTick = Math.max(1, Math.round((this.options.pollsPerSecondMax * tickMs) / 1_000));
    while (!this.options.isOver()) {
      const now = Date.now();
      for (let next = this.due.peek(); next && next.at <= now; next = this.due.peek()) {
        const { at, item: user } = this.due.pop()!;
        if (user.state !== "waiting" || user.pollDueAt !== at) continue; // stale entry
        user.pollDueAt = -1;
        this.ready.push(user.position ?? 0, user);
      }
      for (let sent = 0; sent < perTick && this.inFlight < this.options.inFlightMax;) {
        const next = this.ready.pop();
        if (!next) break;
        if (next.item.state !== "waiting" || next.item.pollDueAt !== -1) continue;
        void this.poll(next.item);
        sent++;
      }
      await new Promise((resolve) => setTimeout(resolve, tickMs));
    }
    this.close();
  }

  close(): void {
    for (const user of [...this.holders]) this.dropSocket(user);
  }

  private async poll(user: WaitingUser): Promise<void> {
    const { http, eventId, recorder } = this.options;
    this.inFlight++;
    try {
      const answer = await http.request("GET", `/events/${eventId}/queue`, undefined, this.headersOf(user));
      recorder.record("poll", answer.status, answer.latencyMs);
      if (user.state !== "waiting") return; // admitted by a push meanwhile
      if (answer.status === 200) this.handle(user, answer.body);
      else if (answer.status === 404) {
        // Out of the line (an admission that lapsed unused): join again, at the back.
        this.dropSocket(user);
        user.joinAttempts = 0;
        void this.join(user);
      } else {
        this.schedule(user, retryAfterMs(answer, 2_000));
      }
    } finally {
      this.inFlight--;
    }
  }
}
