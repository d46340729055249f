// The hold's countdown: ticks against the server's clock, warns once when a minute is left and, at
// zero, ends the checkout (also when the server says HOLD_EXPIRED first).
import { announce } from "../../announce.ts";
import { serverNow } from "../../api.ts";
import { h } from "../../dom.ts";
import { formatCountdown } from "../../format.ts";
import { holdExpiresAtMs } from "../../store.ts";
import type { Checkout } from "./checkout-state.ts";

const countdownWarningSeconds = 60;
const tickMs = 250;

export class HoldCountdown {
  readonly element: HTMLElement;
  private readonly clock: HTMLElement;
  private readonly expiresAtMs: number;
  private warned = false;

  constructor(private readonly checkout: Checkout) {
    this.expiresAtMs = holdExpiresAtMs(checkout.hold);
    this.clock = h("strong", { id: "countdown-clock" }, formatCountdown(this.secondsLeft()));
    this.element = h(
      "p",
      { id: "countdown", class: "countdown", role: "timer", "aria-label": "Time left to pay" },
      "Your seats are held for ",
      this.clock,
    );
    const timer = window.setInterval(() => this.tick(), tickMs);
    checkout.cleanups.push(() => window.clearInterval(timer));
  }

  tick(): void {
    if (this.checkout.finished) return;
    const seconds = this.secondsLeft();
    this.clock.textContent = formatCountdown(seconds);
    if (seconds <= 0) {
      this.expire();
    } else if (seconds <= countdownWarningSeconds && !this.warned) {
      this.warned = true;
      this.element.classList.add("countdown-urgent");
      announce("Less than a minute left to pay.");
    }
  }

  /** The hold is gone (lapsed here, or the server said HOLD_EXPIRED): nothing left to pay for. */
  expire(error?: unknown): void {
    const { message } = this.checkout;
    this.checkout.end();
    this.checkout.setButtonsEnabled(false);
    this.clock.textContent = formatCountdown(0);
    if (error) message.error(error, {}, this.checkout.backToEvent());
    else
      message.show(
        "Your hold has expired and the seats were released.",
        "error",
        this.checkout.backToEvent(),
      );
  }

  private secondsLeft(): number {
    return (this.expiresAtMs - serverNow()) / 1000;
  }
}
