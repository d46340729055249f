// "My bookings" (GET /bookings) and one booking's confirmation (GET /bookings/:id).
import { api } from "../api.ts";
import { h } from "../dom.ts";
import { formatDateTime, formatMoney, plural } from "../format.ts";
import { eventPath, navigate, signInPath } from "../router.ts";
import { currentUser } from "../session.ts";
import { recalledBookingSeats, recalledEvent } from "../store.ts";
import { MessageBox, focusHeading, link, loading, type Cleanup } from "./common.ts";
import { eTickets, seatLabel, type ETicket } from "./e-tickets.ts";

export interface Booking {
  id: string;
  eventId: string;
  ticketIds: string[];
  amountCents: number;
  status: string;
  paymentId?: string;
  createdAt?: string;
  /** A confirmed booking's e-tickets (seat and signed code each). */
  tickets?: ETicket[];
}

/** The contract names the list but not its wrapper: accept a bare array or {bookings: [...]}. */
export async function fetchMyBookings(): Promise<Booking[]> {
  const answer = await api<unknown>("GET", "/bookings", { auth: true });
  const data = answer.data as any;
  const list = Array.isArray(data) ? data : Array.isArray(data?.bookings) ? data.bookings : [];
  return list.filter((booking: any) => booking && typeof booking.id === "string");
}

function bookingCard(booking: Booking, headingLevel: "h1" | "h2"): HTMLElement {
  const event = recalledEvent(booking.eventId);
  // The seats this browser remembers choosing, else the booking's own tickets say which they are.
  const seatLabels: Record<string, string> = {
    ...Object.fromEntries((booking.tickets ?? []).map((ticket) => [ticket.ticketId, seatLabel(ticket)])),
    ...recalledBookingSeats(booking.id),
  };
  const title = event?.name ?? `Event ${booking.eventId}`;
  return h(
    "article",
    { class: "booking card", "data-booking-id": booking.id },
    h(
      headingLevel,
      {},
      headingLevel === "h1" ? "Booking confirmed" : link(eventPath(booking.eventId), title),
    ),
    headingLevel === "h1" ? h("p", { class: "event-name" }, link(eventPath(booking.eventId), title)) : null,
    event ? h("p", { class: "meta" }, formatDateTime(event.startsAt, event.timeZone)) : null,
    h(
      "dl",
      {},
      h("dt", {}, "Booking"),
      h("dd", { class: "booking-id" }, booking.id),
      h("dt", {}, "Status"),
      h("dd", { class: "booking-status" }, booking.status),
      h("dt", {}, "Seats"),
      h(
        "dd",
        {},
        h(
          "ul",
          { class: "seats" },
          booking.ticketIds.map((id) => h("li", {}, seatLabels[id] ?? id)),
        ),
      ),
      h("dt", {}, "Paid"),
      h("dd", { class: "amount" }, formatMoney(booking.amountCents, event?.currency)),
      booking.paymentId ? [h("dt", {}, "Payment"), h("dd", {}, booking.paymentId)] : null,
      booking.createdAt ? [h("dt", {}, "Booked at"), h("dd", {}, formatDateTime(booking.createdAt))] : null,
    ),
    eTickets(booking),
  );
}

export function bookingsPage(root: HTMLElement): Cleanup {
  if (!currentUser()) {
    navigate(signInPath("/bookings"));
    return () => {};
  }
  let stopped = false;
  const message = new MessageBox("bookings-message");
  const list = h("div", { id: "bookings", class: "bookings" }, loading("Loading your bookings…"));
  root.replaceChildren(h("h1", {}, "My bookings"), message.element, list);
  focusHeading(root);
  fetchMyBookings()
    .then((bookings) => {
      if (stopped) return;
      list.replaceChildren(
        bookings.length
          ? h("p", { class: "summary" }, `${plural(bookings.length, "booking")}.`)
          : h("p", { class: "summary" }, "You have no bookings yet. ", link("/", "Find an event")),
        ...bookings.map((booking) => bookingCard(booking, "h2")),
      );
    })
    .catch((error) => {
      if (stopped) return;
      list.replaceChildren();
      message.error(error);
    });
  return () => {
    stopped = true;
  };
}

export function bookingPage(root: HTMLElement, bookingId: string): Cleanup {
  if (!currentUser()) {
    navigate(signInPath(`/bookings/${encodeURIComponent(bookingId)}`));
    return () => {};
  }
  let stopped = false;
  const message = new MessageBox("booking-message");
  root.replaceChildren(h("h1", {}, "Booking"), loading());
  api<{ booking?: Booking } & Partial<Booking>>("GET", `/bookings/${encodeURIComponent(bookingId)}`, {
    auth: true,
  })
    .then((answer) => {
      if (stopped) return;
      // The contract's confirm answer wraps the booking in {booking}; accept either form here.
      const booking = (answer.data.booking ?? answer.data) as Booking;
      root.replaceChildren(
        bookingCard(booking, "h1"),
        h("p", {}, link("/bookings", "All my bookings"), " · ", link("/", "Find more events")),
      );
      focusHeading(root);
    })
    .catch((error) => {
      if (stopped) return;
      root.replaceChildren(
        h("h1", {}, "Booking"),
        message.element,
        h("p", {}, link("/bookings", "My bookings")),
      );
      message.error(error);
    });
  return () => {
    stopped = true;
  };
}
