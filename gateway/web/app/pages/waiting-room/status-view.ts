// What the waiting room shows: the status line, the place in line (or, before the sale opens, how
// places are drawn) and the estimated wait. The place is announced now and then, not on every update.
import { announce } from "../../announce.ts";
import { h } from "../../dom.ts";
import { formatDateTime, formatWait, plural } from "../../format.ts";
import type { QueueState } from "../../realtime.ts";

export class QueueStatusView {
  readonly statusLine = h("p", { id: "queue-status", class: "queue-status" }, "Joining the queue…");
  readonly position = h("p", { id: "queue-position", class: "queue-position" });
  readonly eta = h("p", { id: "queue-eta", class: "queue-eta" });
  readonly element = h(
    "section",
    { class: "card queue", "aria-labelledby": "queue-status", "aria-live": "off" },
    this.statusLine,
    this.position,
    this.eta,
  );
  private lastAnnouncedPosition: number | null = null;

  /** `onSaleAt`: when the sale opens, if this tab knows; shown in the venue's `timeZone` when known. */
  constructor(
    private readonly onSaleAt?: string,
    private readonly timeZone?: string,
  ) {}

  showAdmitted(): void {
    this.statusLine.textContent = "It's your turn! Taking you to seat selection…";
    this.statusLine.dataset.status = "admitted";
    this.position.textContent = "";
    this.eta.textContent = "";
    announce("It's your turn. Taking you to seat selection.");
  }

  /** Waiting: in line with a place, or before the sale opens without one. */
  showWaiting(state: QueueState): void {
    this.statusLine.dataset.status = state.status;
    if (state.position === null || state.position === undefined) {
      this.statusLine.textContent = "You are in the waiting room.";
      this.position.textContent =
        "The sale has not opened yet. Everyone who joins before it opens gets a random place in line when it does" +
        (this.onSaleAt ? ` (${formatDateTime(this.onSaleAt, this.timeZone)}).` : ".");
      this.eta.textContent = "";
      return;
    }
    this.statusLine.textContent = "You are in line.";
    this.position.textContent = `Your place in line: ${state.position.toLocaleString("en-US")} (${
      state.position <= 1 ? "you are next" : `${plural(state.position - 1, "person", "people")} ahead of you`
    }).`;
    this.eta.textContent = `Estimated wait: ${formatWait(state.estimatedWaitSeconds)}. Keep this page open; you will go straight in.`;
    this.announcePosition(state.position);
  }

  private announcePosition(position: number): void {
    if (
      this.lastAnnouncedPosition === null ||
      Math.abs(this.lastAnnouncedPosition - position) >= 10 ||
      position <= 3
    ) {
      if (this.lastAnnouncedPosition !== position) announce(this.position.textContent);
      this.lastAnnouncedPosition = position;
    }
  }
}
