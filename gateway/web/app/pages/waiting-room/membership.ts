// Being in the waiting room: join (POST /events/:id/queue), then follow the place in line, pushed by
// Socket.IO `queue` events and polled (GET /events/:id/queue) as a safety net. When admitted, the
// admission token is kept for this tab and the user is taken straight back to the seat map.
import { api, toApiError, type ApiError } from "../../api.ts";
import { h } from "../../dom.ts";
import { isRealtimeConnected, onQueueUpdate, type QueueState } from "../../realtime.ts";
import { eventPath, navigate, queuePath, signInPath } from "../../router.ts";
import { setAdmissionToken } from "../../store.ts";
import { isTryLater, type MessageBox } from "../common.ts";
import type { QueueStatusView } from "./status-view.ts";

/** Polling while the socket is down, and a slower safety net while it is up. */
const pollWithoutSocketMs = 3_000;
const pollWithSocketMs = 15_000;
/** Joining again after 503/429 waits Retry-After, at least this long. */
const rejoinDelayMinMs = 1_000;
/** Time to read "it's your turn" before the page moves on. */
const admittedPauseMs = 800;

export class QueueMembership {
  private readonly path: string;
  private stopped = false;
  private admitted = false;
  private joined = false;
  private pollTimer = 0;
  private retryTimer = 0;
  private stopUpdates: () => void = () => {};

  constructor(
    private readonly eventId: string,
    private readonly view: QueueStatusView,
    private readonly message: MessageBox,
  ) {
    this.path = `/events/${encodeURIComponent(eventId)}/queue`;
  }

  /** Listens for pushes, then joins (joining again keeps the place already held). */
  start(): void {
    // A push that does not name its event could be for another queue this user is in: an admission
    // is then confirmed by asking for this event's state (which carries its token) before it is used.
    const onPush = (state: QueueState) => {
      if (!state.eventId && state.status === "admitted") void this.poll();
      else this.apply(state);
    };
    this.stopUpdates = onQueueUpdate(onPush, () => void this.poll());
    void this.join();
  }

  stop(): void {
    this.stopped = true;
    window.clearTimeout(this.pollTimer);
    window.clearTimeout(this.retryTimer);
    this.stopUpdates();
  }

  private apply(state: QueueState): void {
    if (this.stopped || this.admitted) return;
    if (state.eventId && state.eventId !== this.eventId) return;
    if (state.status === "admitted" && state.admissionToken) {
      this.admitted = true;
      setAdmissionToken(this.eventId, state.admissionToken);
      this.view.showAdmitted();
      window.setTimeout(() => {
        if (!this.stopped) navigate(eventPath(this.eventId));
      }, admittedPauseMs);
      return;
    }
    this.view.showWaiting(state);
  }

  private async join(): Promise<void> {
    if (this.stopped) return;
    try {
      const answer = await api<QueueState>("POST", this.path, { auth: true });
      this.joined = true;
      this.message.clear();
      this.apply(answer.data);
      this.schedulePoll();
    } catch (error) {
      if (!this.stopped) this.handleError(toApiError(error), () => void this.join());
    }
  }

  private async poll(): Promise<void> {
    if (this.stopped || this.admitted || !this.joined) return;
    let delayMs: number | undefined;
    try {
      const answer = await api<QueueState>("GET", this.path, { auth: true });
      this.message.clear();
      this.apply(answer.data);
    } catch (raw) {
      if (this.stopped) return;
      const error = toApiError(raw);
      this.handleError(error);
      // Polling again sooner than Retry-After would only be refused again.
      if (error.retryAfterSeconds !== undefined) delayMs = error.retryAfterSeconds * 1000;
    } finally {
      this.schedulePoll(delayMs);
    }
  }

  private schedulePoll(atLeastMs = 0): void {
    if (this.stopped || this.admitted) return;
    window.clearTimeout(this.pollTimer);
    const intervalMs = isRealtimeConnected() ? pollWithSocketMs : pollWithoutSocketMs;
    this.pollTimer = window.setTimeout(() => void this.poll(), Math.max(intervalMs, atLeastMs));
  }

  /** Shows the error; `retry` (for join) runs again after Retry-After when a retry may help. */
  private handleError(error: ApiError, retry?: () => void): void {
    if (error.code === "UNAUTHENTICATED") {
      navigate(signInPath(queuePath(this.eventId)));
      return;
    }
    this.message.error(
      error,
      {},
      h("a", { href: `#${eventPath(this.eventId)}`, class: "button" }, "Back to the event"),
    );
    if (retry && (isTryLater(error) || error.outcomeUnknown)) {
      const delayMs = Math.max(rejoinDelayMinMs, (error.retryAfterSeconds ?? 2) * 1000);
      window.clearTimeout(this.retryTimer);
      this.retryTimer = window.setTimeout(retry, delayMs);
    }
  }
}
