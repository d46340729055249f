// Checkout: the held seats, a countdown to the hold's expiry, the simulated provider's payment tokens,
// and confirm with an Idempotency-Key (see checkout/payment.ts: retrying an attempt whose outcome is
// unknown reuses its key, so it can never charge twice). The parts live in checkout/.
import { h } from "../dom.ts";
import { formatMoney } from "../format.ts";
import { checkoutPath, eventPath, navigate, signInPath } from "../router.ts";
import { currentUser } from "../session.ts";
import { getHold } from "../store.ts";
import { Checkout } from "./checkout/checkout-state.ts";
import { HoldCountdown } from "./checkout/countdown.ts";
import { Payment, releaseSeats } from "./checkout/payment.ts";
import { focusHeading, link, type Cleanup } from "./common.ts";

export function checkoutPage(root: HTMLElement, eventId: string): Cleanup {
  if (!currentUser()) {
    navigate(signInPath(checkoutPath(eventId)));
    return () => {};
  }
  const hold = getHold(eventId);
  if (!hold) return noHoldPage(root, eventId);
  const checkout = new Checkout(eventId, hold);
  const countdown = new HoldCountdown(checkout);
  const payment = new Payment(checkout, countdown);
  checkout.form.addEventListener("submit", (event) => {
    event.preventDefault();
    void payment.pay();
  });
  checkout.releaseButton.addEventListener("click", () => void releaseSeats(checkout));
  root.replaceChildren(
    h("h1", {}, "Checkout"),
    h("p", { class: "event-name" }, link(eventPath(eventId), hold.eventName)),
    countdown.element,
    h(
      "ul",
      { id: "checkout-seats", class: "seats", "aria-label": "Seats on hold" },
      hold.seats.map((seat) =>
        h("li", {}, `${seat.label} · ${formatMoney(seat.priceCents, checkout.currency)}`),
      ),
    ),
    h("p", { class: "total" }, `Total: ${formatMoney(checkout.totalCents, checkout.currency)}`),
    checkout.message.element,
    checkout.form,
  );
  focusHeading(root);
  countdown.tick();
  return () => checkout.stop();
}

function noHoldPage(root: HTMLElement, eventId: string): Cleanup {
  root.replaceChildren(
    h("h1", {}, "Checkout"),
    h("p", { id: "no-hold" }, "You have no seats on hold for this event (a hold lasts a limited time)."),
    h("p", {}, link(eventPath(eventId), "Choose seats")),
  );
  focusHeading(root);
  return () => {};
}
