// Paying (POST /booking/confirm) with an Idempotency-Key. A new key is made for each payment attempt;
// an attempt whose outcome is unknown (network error, timeout, 5xx, 429/503) is retried with the same
// key, so it can never charge twice. Releasing the seats (POST /booking/release) instead.
import { announce } from "../../announce.ts";
import { api, toApiError, type ApiError } from "../../api.ts";
import { plural } from "../../format.ts";
import { bookingPath, checkoutPath, eventPath, navigate, signInPath } from "../../router.ts";
import { rememberBookingSeats, removeFromHold } from "../../store.ts";
import type { Booking } from "../bookings.ts";
import { holdOffButton, isTryLater } from "../common.ts";
import type { Checkout } from "./checkout-state.ts";
import type { HoldCountdown } from "./countdown.ts";
import { chosenToken } from "./payment-form.ts";

/** Paying may take a while (tok_slow takes ~2 s); past this the outcome is unknown and Pay retries. */
const confirmTimeoutMs = 30_000;

/** 32 random hex characters; crypto.getRandomValues also works outside secure contexts. */
export function newIdempotencyKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

export class Payment {
  /** The last attempt, kept while its outcome is unknown so Pay again reuses its key. */
  private pending: { key: string; body: string } | null = null;

  constructor(
    private readonly checkout: Checkout,
    private readonly countdown: HoldCountdown,
  ) {}

  async pay(): Promise<void> {
    const { checkout } = this;
    if (checkout.finished) return;
    const body = { ticketIds: checkout.ticketIds, paymentDetails: { token: chosenToken(checkout.form) } };
    const bodyText = JSON.stringify(body);
    const key = this.pending && this.pending.body === bodyText ? this.pending.key : newIdempotencyKey();
    this.pending = { key, body: bodyText };
    checkout.setButtonsEnabled(false);
    checkout.message.show("Processing your payment…", "info");
    try {
      const answer = await api<{ booking: Booking }>("POST", "/booking/confirm", {
        auth: true,
        body,
        headers: { "Idempotency-Key": key },
        timeoutMs: confirmTimeoutMs,
      });
      this.pending = null;
      this.confirmed(answer.data.booking);
      return;
    } catch (error) {
      if (this.failed(toApiError(error))) return;
    }
    if (!checkout.finished) checkout.setButtonsEnabled(true);
  }

  private confirmed(booking: Booking): void {
    const { checkout } = this;
    checkout.finished = true;
    rememberBookingSeats(
      booking.id,
      Object.fromEntries(checkout.hold.seats.map((seat) => [seat.id, seat.label])),
    );
    removeFromHold(checkout.eventId, booking.ticketIds);
    announce(`Booking confirmed: ${plural(booking.ticketIds.length, "seat")}.`);
    navigate(bookingPath(booking.id));
  }

  /** Explains a failed attempt; true when that settles the buttons (they stay as they are). */
  private failed(error: ApiError): boolean {
    const { checkout } = this;
    const unknownOutcome = error.outcomeUnknown || error.code === "RATE_LIMITED";
    if (!unknownOutcome) this.pending = null;
    switch (error.code) {
      case "HOLD_EXPIRED":
        this.countdown.expire(error);
        return true;
      case "FORBIDDEN":
      case "NOT_FOUND":
        // The hold is no longer this user's: nothing left to pay for.
        checkout.end();
        checkout.message.error(error, {}, checkout.backToEvent());
        return true;
      case "UNAUTHENTICATED":
        navigate(signInPath(checkoutPath(checkout.eventId)));
        return true;
      default:
        checkout.message.error(error);
        if (unknownOutcome && !isTryLater(error)) {
          checkout.message.show(
            "We could not confirm whether the payment went through. Pressing Pay again is safe: you will not be charged twice.",
            "error",
          );
        }
    }
    if (isTryLater(error) && error.retryAfterSeconds !== undefined) {
      checkout.cleanups.push(holdOffButton(checkout.payButton, error.retryAfterSeconds, checkout.payLabel));
      checkout.releaseButton.disabled = false;
      return true;
    }
    return false;
  }
}

export async function releaseSeats(checkout: Checkout): Promise<void> {
  checkout.setButtonsEnabled(false);
  try {
    await api("POST", "/booking/release", { auth: true, body: { ticketIds: checkout.ticketIds } });
    checkout.end();
    announce("Seats released.");
    navigate(eventPath(checkout.eventId));
  } catch (error) {
    checkout.message.error(error);
    checkout.setButtonsEnabled(true);
  }
}
