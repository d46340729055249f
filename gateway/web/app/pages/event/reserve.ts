// Reserving on the event page (the chosen seats or the best available): POST /booking/reserve with
// the admission token when the sale has a waiting room (and the tab's presale code, presale.ts), then
// on to checkout. A failure is explained;
// seats someone else took leave the selection; a 429/503 holds its button off for its Retry-After.
import { announce } from "../../announce.ts";
import { api, toApiError, type ApiError } from "../../api.ts";
import { h } from "../../dom.ts";
import { plural } from "../../format.ts";
import { checkoutPath, eventPath, navigate, queuePath, signInPath } from "../../router.ts";
import { addToHold, getAdmissionToken, setAdmissionToken } from "../../store.ts";
import { holdOffButton, isTryLater, type Cleanup } from "../common.ts";
import { reserveGate, type EventPageContext } from "./context.ts";
import { presaleHeaders } from "./presale.ts";

interface ReserveAnswer {
  ticketIds: string[];
  expiresAt: string;
  eventId: string;
}

export interface ReserveHooks {
  /** Shows the selection (and the reserve button) as they now are. */
  renderSelection(): void;
  /** Catches the seat map up unless live updates will. */
  refetchSeats(): void;
}

export class ReserveActions {
  /** A reservation is in flight. */
  busy = false;
  /** Buttons waiting out a Retry-After, until when. */
  private readonly holdOffUntilMs = new Map<HTMLButtonElement, number>();
  private readonly holdOffs: Cleanup[] = [];

  constructor(
    private readonly page: EventPageContext,
    private readonly hooks: ReserveHooks,
  ) {}

  isHeldOff(button: HTMLButtonElement): boolean {
    return (this.holdOffUntilMs.get(button) ?? 0) > Date.now();
  }

  /** Reserves what `body` asks for; `button` (labelled `label`) is off while it runs. */
  async reserve(body: Record<string, unknown>, button: HTMLButtonElement, label: string): Promise<void> {
    const { eventId, message } = this.page;
    const gate = reserveGate(this.page);
    if (gate === "signin") return navigate(signInPath(eventPath(eventId)));
    if (gate === "queue") return navigate(queuePath(eventId));
    const admissionToken = getAdmissionToken(eventId);
    message.clear();
    button.disabled = true;
    this.busy = true;
    try {
      const answer = await api<ReserveAnswer>("POST", "/booking/reserve", {
        auth: true,
        body,
        headers: {
          ...(admissionToken ? { "X-Admission-Token": admissionToken } : {}),
          ...presaleHeaders(eventId),
        },
      });
      this.reserved(answer.data);
    } catch (error) {
      this.failed(toApiError(error), button, label);
    } finally {
      this.busy = false;
      if (!this.isHeldOff(button)) button.disabled = false;
      this.hooks.renderSelection();
    }
  }

  /** Stops the Retry-After countdowns. */
  stop(): void {
    for (const cleanup of this.holdOffs) cleanup();
  }

  private reserved(answer: ReserveAnswer): void {
    const { eventId, eventName, seats, view } = this.page;
    const held = seats.takeReserved(answer.ticketIds, answer.expiresAt);
    addToHold(eventId, eventName, held);
    view.invalidate(seats.markMine(answer.ticketIds));
    announce(`Reserved ${plural(held.length, "seat")}. Continue to checkout.`);
    navigate(checkoutPath(eventId));
  }

  private failed(error: ApiError, button: HTMLButtonElement, label: string): void {
    const { eventId, message, seats } = this.page;
    if (error.code === "UNAUTHENTICATED") {
      navigate(signInPath(eventPath(eventId)));
      return;
    }
    if (error.code === "ADMISSION_REQUIRED") {
      setAdmissionToken(eventId, null);
      message.error(
        error,
        {},
        h("a", { href: `#${queuePath(eventId)}`, class: "button primary" }, "Join the waiting room"),
      );
      this.hooks.renderSelection();
      return;
    }
    message.error(error, { seatLabel: (id) => seats.labelOfId(id) });
    if (error.code === "TICKET_UNAVAILABLE") {
      const taken = Array.isArray(error.details?.ticketIds) ? (error.details.ticketIds as string[]) : [];
      this.page.view.invalidate(seats.unselect(taken));
      this.hooks.renderSelection();
      this.hooks.refetchSeats();
    }
    if (isTryLater(error) && error.retryAfterSeconds !== undefined) {
      this.holdOffUntilMs.set(button, Date.now() + error.retryAfterSeconds * 1000);
      this.holdOffs.push(holdOffButton(button, error.retryAfterSeconds, label));
    }
  }
}
