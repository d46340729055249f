// What the parts of the checkout page share: the hold being paid for, its total, the message box,
// the payment form's buttons, whether the checkout is over, and the cleanups of its timers.
import { h } from "../../dom.ts";
import { formatMoney } from "../../format.ts";
import { eventPath } from "../../router.ts";
import { clearHold, recalledEvent, type Hold } from "../../store.ts";
import { MessageBox, type Cleanup } from "../common.ts";
import { paymentForm } from "./payment-form.ts";

export class Checkout {
  readonly message = new MessageBox("checkout-message");
  readonly totalCents: number;
  /** The event's currency, remembered by its page (ISO 4217). */
  readonly currency: string | undefined;
  readonly payLabel: string;
  readonly form: HTMLFormElement;
  readonly payButton: HTMLButtonElement;
  readonly releaseButton: HTMLButtonElement;
  /** Paid, released, expired or left: nothing more to do. */
  finished = false;
  readonly cleanups: Cleanup[] = [];

  constructor(
    readonly eventId: string,
    readonly hold: Hold,
  ) {
    this.totalCents = hold.seats.reduce((sum, seat) => sum + seat.priceCents, 0);
    this.currency = recalledEvent(eventId)?.currency;
    this.payLabel = `Pay ${formatMoney(this.totalCents, this.currency)}`;
    const parts = paymentForm(this.payLabel);
    this.form = parts.form;
    this.payButton = parts.payButton;
    this.releaseButton = parts.releaseButton;
  }

  get ticketIds(): string[] {
    return this.hold.seats.map((seat) => seat.id);
  }

  setButtonsEnabled(enabled: boolean): void {
    this.payButton.disabled = !enabled;
    this.releaseButton.disabled = !enabled;
  }

  /** The hold is no longer there to pay for: the checkout is over and the hold forgotten. */
  end(): void {
    this.finished = true;
    clearHold(this.eventId);
  }

  /** The way back to the seat map, offered when there is nothing left to pay for. */
  backToEvent(): HTMLAnchorElement {
    return h("a", { href: `#${eventPath(this.eventId)}`, class: "button" }, "Choose seats again");
  }

  stop(): void {
    this.finished = true;
    for (const cleanup of this.cleanups) cleanup();
  }
}
