// Human messages for every error of the contract (and the two a browser adds: no network, timeout).
// Pure (no DOM): unit-tested for every code.

export interface ErrorFacts {
  code: string;
  message: string;
  status: number;
  details?: Record<string, unknown>;
  retryAfterSeconds?: number;
}

/** Codes the client itself produces when there is no contract answer to show. */
export const networkErrorCode = "NETWORK_ERROR";
export const timeoutErrorCode = "TIMEOUT";

export interface MessageContext {
  /** Seat labels for ticket ids (for "seat taken"). */
  seatLabel?(ticketId: string): string | undefined;
}

const seconds = (value: number | undefined, fallback = 1): string => {
  const count = Math.max(1, Math.ceil(value ?? fallback));
  return `${count} second${count === 1 ? "" : "s"}`;
};

function takenSeats(error: ErrorFacts, context: MessageContext): string {
  const ids = Array.isArray(error.details?.ticketIds) ? (error.details.ticketIds as unknown[]) : [];
  const labels = ids
    .filter((id): id is string => typeof id === "string")
    .map((id) => context.seatLabel?.(id) ?? id)
    .slice(0, 10);
  if (labels.length === 0)
    return "Sorry, those seats were just taken by someone else. Please pick other seats.";
  const which = labels.length === 1 ? `Seat ${labels[0]} was` : `Seats ${labels.join("; ")} were`;
  return `Sorry, ${which} just taken by someone else. Please pick other seats.`;
}

const presaleReasons: Record<string, string> = {
  unknown: "This presale code is not valid for this event. Check it and try again.",
  not_started: "This presale has not started yet: try again when its window opens.",
  ended: "This presale has ended. Tickets go on general sale at the time shown.",
  used_up: "This presale code has already been used for all the bookings it allows.",
  holds_full: "Others are holding seats with this presale code right now. Try again in a few minutes.",
  mixed: "These seats were held with different presale codes: pay for each code's seats separately.",
};

function presaleRefusal(error: ErrorFacts): string {
  const reason = typeof error.details?.reason === "string" ? error.details.reason : "";
  return presaleReasons[reason] ?? "This presale code cannot be used for these tickets.";
}

export function describeError(error: ErrorFacts, context: MessageContext = {}): string {
  switch (error.code) {
    case "TICKET_UNAVAILABLE":
      return takenSeats(error, context);
    case "TICKET_LIMIT_REACHED": {
      const limit = Number(error.details?.ticketsPerUserMax);
      const taken = Number(error.details?.taken);
      const cap = Number.isFinite(limit) ? `${limit} tickets` : "a limited number of tickets";
      const already = Number.isFinite(taken) && taken > 0 ? ` You already hold or have booked ${taken}.` : "";
      return `Each person may have at most ${cap} for this event, counting seats on hold and booked.${already}`;
    }
    case "HOLD_EXPIRED":
      return "Your hold has expired and the seats were released. Please choose your seats again.";
    case "PAYMENT_DECLINED":
      return "Your payment was declined. Your seats stay on hold until the timer runs out: try another payment method.";
    case "PAYMENT_REFUNDED": {
      const paymentId =
        typeof error.details?.paymentId === "string" ? ` (payment ${error.details.paymentId})` : "";
      return `Your payment went through but the booking could not be completed, so the full amount has been refunded${paymentId}. No seats were booked.`;
    }
    case "OVERLOADED":
      return `Marquee is very busy right now. Please try again in ${seconds(error.retryAfterSeconds)}.`;
    case "RATE_LIMITED":
      return `Too many requests from you in a short time. Please wait ${seconds(error.retryAfterSeconds)} and try again.`;
    case "ADMISSION_REQUIRED":
      return "This sale has a waiting room: join the queue, and you can choose seats when it is your turn.";
    case "NOT_ON_SALE":
      return "Tickets for this event are not on sale right now.";
    case "PRESALE_CODE_INVALID":
      return presaleRefusal(error);
    case "CURRENCY_LOCKED":
      return "The event's currency can no longer change: it is on sale or seats have been held.";
    case "INVALID_TICKET_CODE":
      return "This ticket code is not valid: it was altered or does not belong to Marquee.";
    case "ALREADY_CHECKED_IN": {
      const at = typeof error.details?.checkedInAt === "string" ? ` at ${error.details.checkedInAt}` : "";
      return `This ticket was already checked in${at}.`;
    }
    case "TICKET_CANCELLED":
      return "This ticket's booking was cancelled: it does not admit anyone.";
    case "TICKETS_AVAILABLE":
      return "Seats are available right now: choose and reserve them instead of joining the waiting list.";
    case "IDEMPOTENCY_CONFLICT":
      return "This payment clashed with an earlier attempt. Please press Pay again.";
    case "UNAUTHENTICATED":
      return "Please sign in to continue (your session may have expired).";
    case "FORBIDDEN":
      return "You are not allowed to do that (it may belong to another account).";
    case "NOT_FOUND":
      return "We could not find that. It may have been removed.";
    case "VALIDATION_ERROR":
      return `That request was not accepted: ${error.message}`;
    case "PAYLOAD_TOO_LARGE":
    case "HEADERS_TOO_LARGE":
    case "UNSUPPORTED_MEDIA_TYPE":
      return `That request was refused: ${error.message}`;
    case "REQUEST_TIMEOUT":
      return "Your request reached Marquee too slowly. Check your connection and try again.";
    case "UNAVAILABLE":
      return `This part of Marquee is unavailable right now. Please try again in ${seconds(error.retryAfterSeconds, 5)}.`;
    case networkErrorCode:
      return "Marquee cannot be reached. Check your connection and try again.";
    case timeoutErrorCode:
      return "Marquee took too long to answer. Please try again.";
    default:
      return "Something went wrong on our side. Please try again.";
  }
}

/** Errors after which the same request may succeed if simply sent again later. */
export const isRetryable = (code: string): boolean =>
  code === "OVERLOADED" ||
  code === "RATE_LIMITED" ||
  code === "UNAVAILABLE" ||
  code === networkErrorCode ||
  code === timeoutErrorCode;
