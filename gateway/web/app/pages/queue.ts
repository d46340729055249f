// The waiting room: join (POST /events/:id/queue), then position and ETA, pushed by Socket.IO `queue`
// events and polled (GET /events/:id/queue) as a safety net. When admitted, the admission token is kept
// for this tab and the user is taken straight back to the seat map, where reserve sends it.
import { announce } from "../announce.ts";
import { api, toApiError, type ApiError } from "../api.ts";
import { h } from "../dom.ts";
import { formatDateTime, formatWait, plural } from "../format.ts";
import { isRealtimeConnected, onQueueUpdate, type QueueState } from "../realtime.ts";
import { eventPath, navigate, queuePath, signInPath } from "../router.ts";
import { currentUser } from "../session.ts";
import { recalledEvent, setAdmissionToken } from "../store.ts";
import { MessageBox, focusHeading, link, type Cleanup } from "./common.ts";

/** Polling while the socket is down, and a slower safety net while it is up. */
const pollWithoutSocketMs = 3_000;
const pollWithSocketMs = 15_000;
/** Joining again after 503/429 waits Retry-After, at least this long. */
const rejoinDelayMinMs = 1_000;
/** Time to read "it's your turn" before the page moves on. */
const admittedPauseMs = 800;

export function queuePage(root: HTMLElement, eventId: string): Cleanup {
  if (!currentUser()) {
    navigate(signInPath(queuePath(eventId)));
    return () => {};
  }
  const path = `/events/${encodeURIComponent(eventId)}/queue`;
  const recalled = recalledEvent(eventId);
  const message = new MessageBox("queue-message");
  const statusLine = h("p", { id: "queue-status", class: "queue-status" }, "Joining the queue…");
  const position = h("p", { id: "queue-position", class: "queue-position" });
  const eta = h("p", { id: "queue-eta", class: "queue-eta" });
  let stopped = false;
  let admitted = false;
  let joined = false;
  let pollTimer = 0;
  let retryTimer = 0;
  let lastAnnouncedPosition: number | null = null;

  function apply(state: QueueState): void {
    if (stopped || admitted) return;
    if (state.eventId && state.eventId !== eventId) return;
    if (state.status === "admitted" && state.admissionToken) {
      admitted = true;
      setAdmissionToken(eventId, state.admissionToken);
      statusLine.textContent = "It's your turn! Taking you to seat selection…";
      statusLine.dataset.status = "admitted";
      position.textContent = "";
      eta.textContent = "";
      announce("It's your turn. Taking you to seat selection.");
      window.setTimeout(() => {
        if (!stopped) navigate(eventPath(eventId));
      }, admittedPauseMs);
      return;
    }
    statusLine.dataset.status = state.status;
    if (state.position === null || state.position === undefined) {
      statusLine.textContent = "You are in the waiting room.";
      position.textContent =
        "The sale has not opened yet. Everyone who joins before it opens gets a random place in line when it does" +
        (recalled?.onSaleAt ? ` (${formatDateTime(recalled.onSaleAt)}).` : ".");
      eta.textContent = "";
      return;
    }
    statusLine.textContent = "You are in line.";
    position.textContent = `Your place in line: ${state.position.toLocaleString("en-US")} (${
      state.position <= 1 ? "you are next" : `${plural(state.position - 1, "person", "people")} ahead of you`
    }).`;
    eta.textContent = `Estimated wait: ${formatWait(state.estimatedWaitSeconds)}. Keep this page open; you will go straight in.`;
    // Announce the place now and then, not on every update.
    if (
      lastAnnouncedPosition === null ||
      Math.abs(lastAnnouncedPosition - state.position) >= 10 ||
      state.position <= 3
    ) {
      if (lastAnnouncedPosition !== state.position) announce(position.textContent);
      lastAnnouncedPosition = state.position;
    }
  }

  /** Shows the error; `retry` (for join) runs again after Retry-After when a retry may help. */
  function handleError(error: ApiError, retry?: () => void): void {
    if (error.code === "UNAUTHENTICATED") {
      navigate(signInPath(queuePath(eventId)));
      return;
    }
    message.error(
      error,
      {},
      h("a", { href: `#${eventPath(eventId)}`, class: "button" }, "Back to the event"),
    );
    if (retry && (error.code === "OVERLOADED" || error.code === "RATE_LIMITED" || error.outcomeUnknown)) {
      const delayMs = Math.max(rejoinDelayMinMs, (error.retryAfterSeconds ?? 2) * 1000);
      window.clearTimeout(retryTimer);
      retryTimer = window.setTimeout(retry, delayMs);
    }
  }

  async function join(): Promise<void> {
    if (stopped) return;
    try {
      const answer = await api<QueueState>("POST", path, { auth: true });
      joined = true;
      message.clear();
      apply(answer.data);
      schedulePoll();
    } catch (error) {
      if (!stopped) handleError(toApiError(error), () => void join());
    }
  }

  async function poll(): Promise<void> {
    if (stopped || admitted || !joined) return;
    let delayMs: number | undefined;
    try {
      const answer = await api<QueueState>("GET", path, { auth: true });
      message.clear();
      apply(answer.data);
    } catch (raw) {
      if (stopped) return;
      const error = toApiError(raw);
      handleError(error);
      // Polling again sooner than Retry-After would only be refused again.
      if (error.retryAfterSeconds !== undefined) delayMs = error.retryAfterSeconds * 1000;
    } finally {
      schedulePoll(delayMs);
    }
  }

  function schedulePoll(atLeastMs = 0): void {
    if (stopped || admitted) return;
    window.clearTimeout(pollTimer);
    const intervalMs = isRealtimeConnected() ? pollWithSocketMs : pollWithoutSocketMs;
    pollTimer = window.setTimeout(() => void poll(), Math.max(intervalMs, atLeastMs));
  }

  // A push that does not name its event could be for another queue this user is in: an admission
  // is then confirmed by asking for this event's state (which carries its token) before it is used.
  const onPush = (state: QueueState) => {
    if (!state.eventId && state.status === "admitted") void poll();
    else apply(state);
  };
  const stopUpdates = onQueueUpdate(onPush, () => void poll());

  root.replaceChildren(
    h("h1", {}, "Waiting room"),
    h("p", { class: "event-name" }, link(eventPath(eventId), recalled?.name ?? "Back to the event")),
    h(
      "section",
      { class: "card queue", "aria-labelledby": "queue-status", "aria-live": "off" },
      statusLine,
      position,
      eta,
    ),
    message.element,
    h(
      "p",
      { class: "hint" },
      "Your place is kept if you reload this page. Joining again from another tab keeps your first place.",
    ),
  );
  focusHeading(root);
  void join();
  return () => {
    stopped = true;
    window.clearTimeout(pollTimer);
    window.clearTimeout(retryTimer);
    stopUpdates();
  };
}
