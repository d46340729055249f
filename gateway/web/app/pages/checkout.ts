// Checkout: the held seats, a countdown to the hold's expiry, the simulated provider's payment tokens,
// and confirm with an Idempotency-Key. A new key is made for each payment attempt; an attempt whose
// outcome is unknown (network error, timeout, 5xx, 429/503) is retried with the same key, so it can
// never charge twice.
import { announce } from "../announce.ts";
import { api, serverNow, toApiError, type ApiError } from "../api.ts";
import { h } from "../dom.ts";
import { formatCountdown, formatMoney, plural } from "../format.ts";
import { bookingPath, checkoutPath, eventPath, navigate, signInPath } from "../router.ts";
import { currentUser } from "../session.ts";
import { clearHold, getHold, holdExpiresAtMs, rememberBookingSeats, removeFromHold } from "../store.ts";
import type { Booking } from "./bookings.ts";
import { MessageBox, focusHeading, holdOffButton, link, type Cleanup } from "./common.ts";

export const paymentTokens = [
  { token: "tok_ok", label: "Test card that pays", hint: "Succeeds at once." },
  { token: "tok_slow", label: "Slow test card", hint: "Succeeds after about 2 seconds." },
  {
    token: "tok_decline",
    label: "Test card that is declined",
    hint: "The bank declines; your seats stay held.",
  },
  {
    token: "tok_fail_after_capture",
    label: "Test card charged, then booking fails",
    hint: "Money is taken, the booking cannot complete, and it is refunded automatically.",
  },
] as const;

/** Paying may take a while (tok_slow takes ~2 s); past this the outcome is unknown and Pay retries. */
const confirmTimeoutMs = 30_000;
const countdownWarningSeconds = 60;

/** 32 random hex characters; crypto.getRandomValues also works outside secure contexts. */
export function newIdempotencyKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

export function checkoutPage(root: HTMLElement, eventId: string): Cleanup {
  if (!currentUser()) {
    navigate(signInPath(checkoutPath(eventId)));
    return () => {};
  }
  const hold = getHold(eventId);
  const message = new MessageBox("checkout-message");
  if (!hold) {
    root.replaceChildren(
      h("h1", {}, "Checkout"),
      h("p", { id: "no-hold" }, "You have no seats on hold for this event (a hold lasts a limited time)."),
      h("p", {}, link(eventPath(eventId), "Choose seats")),
    );
    focusHeading(root);
    return () => {};
  }
  const cleanups: Cleanup[] = [];
  const totalCents = hold.seats.reduce((sum, seat) => sum + seat.priceCents, 0);
  const expiresAtMs = holdExpiresAtMs(hold);
  let finished = false;

  const clock = h("strong", { id: "countdown-clock" }, formatCountdown((expiresAtMs - serverNow()) / 1000));
  const countdown = h(
    "p",
    { id: "countdown", class: "countdown", role: "timer", "aria-label": "Time left to pay" },
    "Your seats are held for ",
    clock,
  );
  const payButton = h(
    "button",
    { type: "submit", id: "pay", class: "primary" },
    `Pay ${formatMoney(totalCents)}`,
  );
  const releaseButton = h("button", { type: "button", id: "release" }, "Release seats");
  const tokenChoices = h(
    "fieldset",
    { class: "payment" },
    h("legend", {}, "Payment method (development test cards)"),
    paymentTokens.map((choice, index) => {
      const id = `token-${choice.token}`;
      return h(
        "div",
        { class: "choice" },
        h("input", {
          type: "radio",
          name: "token",
          id,
          value: choice.token,
          checked: index === 0,
          "aria-describedby": `${id}-hint`,
        }),
        h("label", { for: id }, choice.label),
        h("span", { class: "hint", id: `${id}-hint` }, ` ${choice.hint}`),
      );
    }),
  );
  const form = h(
    "form",
    { class: "card", "aria-label": "Payment" },
    tokenChoices,
    payButton,
    " ",
    releaseButton,
  );

  const backToEvent = () => h("a", { href: `#${eventPath(eventId)}`, class: "button" }, "Choose seats again");
  /** The hold is gone (lapsed here, or the server said HOLD_EXPIRED): nothing left to pay for. */
  function expire(error?: ApiError): void {
    finished = true;
    clearHold(eventId);
    payButton.disabled = true;
    releaseButton.disabled = true;
    clock.textContent = formatCountdown(0);
    if (error) message.error(error, {}, backToEvent());
    else message.show("Your hold has expired and the seats were released.", "error", backToEvent());
  }

  let warned = false;
  const tick = () => {
    if (finished) return;
    const seconds = (expiresAtMs - serverNow()) / 1000;
    clock.textContent = formatCountdown(seconds);
    if (seconds <= 0) {
      expire();
    } else if (seconds <= countdownWarningSeconds && !warned) {
      warned = true;
      countdown.classList.add("countdown-urgent");
      announce("Less than a minute left to pay.");
    }
  };
  const timer = window.setInterval(tick, 250);
  cleanups.push(() => window.clearInterval(timer));

  /** The last attempt, kept while its outcome is unknown so Pay again reuses its key. */
  let pending: { key: string; body: string } | null = null;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (finished) return;
    const token = (form.elements.namedItem("token") as RadioNodeList).value;
    const body = { ticketIds: hold.seats.map((seat) => seat.id), paymentDetails: { token } };
    const bodyText = JSON.stringify(body);
    const key = pending && pending.body === bodyText ? pending.key : newIdempotencyKey();
    pending = { key, body: bodyText };
    payButton.disabled = true;
    releaseButton.disabled = true;
    message.show("Processing your payment…", "info");
    try {
      const answer = await api<{ booking: Booking }>("POST", "/booking/confirm", {
        auth: true,
        body,
        headers: { "Idempotency-Key": key },
        timeoutMs: confirmTimeoutMs,
      });
      pending = null;
      finished = true;
      const booking = answer.data.booking;
      rememberBookingSeats(booking.id, Object.fromEntries(hold.seats.map((seat) => [seat.id, seat.label])));
      removeFromHold(eventId, booking.ticketIds);
      announce(`Booking confirmed: ${plural(booking.ticketIds.length, "seat")}.`);
      navigate(bookingPath(booking.id));
      return;
    } catch (raw) {
      const error = toApiError(raw);
      const unknownOutcome = error.outcomeUnknown || error.code === "RATE_LIMITED";
      if (!unknownOutcome) pending = null;
      switch (error.code) {
        case "HOLD_EXPIRED":
          expire(error);
          return;
        case "FORBIDDEN":
        case "NOT_FOUND":
          // The hold is no longer this user's: nothing left to pay for.
          finished = true;
          clearHold(eventId);
          message.error(error, {}, backToEvent());
          return;
        case "UNAUTHENTICATED":
          navigate(signInPath(checkoutPath(eventId)));
          return;
        default:
          message.error(error);
          if (unknownOutcome && error.code !== "OVERLOADED" && error.code !== "RATE_LIMITED") {
            message.show(
              "We could not confirm whether the payment went through. Pressing Pay again is safe: you will not be charged twice.",
              "error",
            );
          }
      }
      if (
        (error.code === "OVERLOADED" || error.code === "RATE_LIMITED") &&
        error.retryAfterSeconds !== undefined
      ) {
        cleanups.push(holdOffButton(payButton, error.retryAfterSeconds, `Pay ${formatMoney(totalCents)}`));
        releaseButton.disabled = false;
        return;
      }
    }
    if (!finished) {
      payButton.disabled = false;
      releaseButton.disabled = false;
    }
  });

  releaseButton.addEventListener("click", async () => {
    releaseButton.disabled = true;
    payButton.disabled = true;
    try {
      await api("POST", "/booking/release", {
        auth: true,
        body: { ticketIds: hold.seats.map((seat) => seat.id) },
      });
      finished = true;
      clearHold(eventId);
      announce("Seats released.");
      navigate(eventPath(eventId));
    } catch (error) {
      message.error(error);
      releaseButton.disabled = false;
      payButton.disabled = false;
    }
  });

  root.replaceChildren(
    h("h1", {}, "Checkout"),
    h("p", { class: "event-name" }, link(eventPath(eventId), hold.eventName)),
    countdown,
    h(
      "ul",
      { id: "checkout-seats", class: "seats", "aria-label": "Seats on hold" },
      hold.seats.map((seat) => h("li", {}, `${seat.label} · ${formatMoney(seat.priceCents)}`)),
    ),
    h("p", { class: "total" }, `Total: ${formatMoney(totalCents)}`),
    message.element,
    form,
  );
  focusHeading(root);
  tick();
  return () => {
    finished = true;
    for (const cleanup of cleanups) cleanup();
  };
}
