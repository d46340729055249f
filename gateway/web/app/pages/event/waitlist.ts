// The waiting list on the event page: on a sold-out event, "Join the waiting list" for a number of
// seats; the caller's entry (GET /events/:id/waitlist) with its place; an offer (pushed live as the
// Socket.IO `waitlist` event) shown with its countdown and a button to pay, which takes the offered
// seats to checkout like a reserve's; leaving the list.
import { api, serverNow, toApiError } from "../../api.ts";
import { h, replaceChildren } from "../../dom.ts";
import { formatCountdown, seatLabel } from "../../format.ts";
import { onUserPush } from "../../realtime.ts";
import { checkoutPath, eventPath, navigate, signInPath } from "../../router.ts";
import { currentUser } from "../../session.ts";
import { addToHold } from "../../store.ts";
import type { EventPageContext } from "./context.ts";

interface WaitlistEntry {
  eventId?: string;
  status: "waiting" | "offered" | "expired" | "booked";
  position?: number;
  offer?: { ticketIds: string[]; expiresAt: string };
}

const quantities = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

/** The panel (empty until the event is sold out or the caller is on its list) and its cleanup. */
export function waitlistPanel(page: EventPageContext): { element: HTMLElement; stop: () => void } {
  const panel = new WaitlistPanel(page);
  return { element: panel.element, stop: () => panel.stop() };
}

class WaitlistPanel {
  readonly element = h("section", { class: "waitlist", id: "waitlist", "aria-live": "polite", hidden: true });
  private entry: WaitlistEntry | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;
  private readonly path: string;
  private readonly stopPush: () => void;

  constructor(private readonly page: EventPageContext) {
    this.path = `/events/${encodeURIComponent(page.eventId)}/waitlist`;
    this.stopPush = onUserPush("waitlist", (data) => {
      const pushed = data as WaitlistEntry;
      if (pushed?.eventId !== page.eventId) return;
      this.entry = pushed;
      this.render();
    });
    void this.refresh();
  }

  stop(): void {
    this.stopPush();
    if (this.timer) clearInterval(this.timer);
  }

  private soldOut(): boolean {
    const board = this.page.seats.board;
    return board.tickets.every((_, index) => board.status[index] !== 0);
  }

  private render(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    const entry = this.entry;
    if (!entry && !this.soldOut()) return void (this.element.hidden = true);
    this.element.hidden = false;
    if (!entry || entry.status === "expired" || entry.status === "booked")
      return replaceChildren(this.element, ...this.joinParts());
    if (entry.status === "waiting")
      return replaceChildren(
        this.element,
        h("h2", {}, "Waiting list"),
        h("p", { id: "waitlist-status" }, `You are number ${entry.position} on the waiting list.`),
        h(
          "button",
          { type: "button", id: "waitlist-leave", onclick: () => this.leave() },
          "Leave the waiting list",
        ),
      );
    this.renderOffer(entry.offer!);
  }

  private renderOffer(offer: { ticketIds: string[]; expiresAt: string }): void {
    const countdown = h("span", { id: "waitlist-countdown" });
    const tick = () => {
      const left = (Date.parse(offer.expiresAt) - serverNow()) / 1000;
      countdown.textContent = formatCountdown(left);
      if (left <= 0) void this.refresh();
    };
    tick();
    this.timer = setInterval(tick, 1000);
    const count = offer.ticketIds.length;
    replaceChildren(
      this.element,
      h("h2", {}, "Seats for you"),
      h(
        "p",
        { id: "waitlist-status" },
        `${count} seat${count === 1 ? " is" : "s are"} held for you for `,
        countdown,
        ".",
      ),
      h(
        "button",
        { type: "button", id: "waitlist-pay", onclick: () => this.pay(offer) },
        "Pay for these seats",
      ),
      h("button", { type: "button", id: "waitlist-leave", onclick: () => this.leave() }, "No thanks"),
    );
  }

  private joinParts(): HTMLElement[] {
    const select = h(
      "select",
      { id: "waitlist-quantity", "aria-label": "Seats wanted" },
      ...quantities.map((quantity) => h("option", { value: String(quantity) }, String(quantity))),
    );
    const note = this.entry?.status === "expired" ? "Your last offer lapsed. " : "";
    const join = () => this.join(Number(select.value));
    return [
      h("h2", {}, "Sold out"),
      h("p", {}, `${note}Join the waiting list: seats that come back are offered in turn.`),
      h("label", {}, "Seats ", select),
      h("button", { type: "button", id: "waitlist-join", onclick: join }, "Join the waiting list"),
    ];
  }

  private async refresh(): Promise<void> {
    if (currentUser()) {
      try {
        this.entry = (await api<WaitlistEntry>("GET", this.path, { auth: true })).data;
      } catch {
        this.entry = null; // not on the list (404)
      }
    }
    this.render();
  }

  private async join(quantity: number): Promise<void> {
    if (!currentUser()) return navigate(signInPath(eventPath(this.page.eventId)));
    try {
      this.entry = (await api<WaitlistEntry>("POST", this.path, { auth: true, body: { quantity } })).data;
      this.render();
    } catch (error) {
      this.page.message.error(toApiError(error));
    }
  }

  private async leave(): Promise<void> {
    try {
      await api("DELETE", this.path, { auth: true });
      this.entry = null;
      this.render();
    } catch (error) {
      this.page.message.error(toApiError(error));
    }
  }

  /** The offered seats go to checkout as the caller's hold (a reserve's answer would do the same). */
  private pay(offer: { ticketIds: string[]; expiresAt: string }): void {
    const board = this.page.seats.board;
    const held = offer.ticketIds.flatMap((id) => {
      const index = board.indexById.get(id);
      if (index === undefined) return [];
      const ticket = board.tickets[index];
      return [{ id, label: seatLabel(ticket), priceCents: ticket.priceCents, expiresAt: offer.expiresAt }];
    });
    addToHold(this.page.eventId, this.page.eventName, held);
    navigate(checkoutPath(this.page.eventId));
  }
}
