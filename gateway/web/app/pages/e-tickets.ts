// A confirmed booking's e-tickets: each seat with its QR code (GET .../qr.svg, owner only). The image
// needs the bearer token, which an <img src> cannot send: it is fetched with the token and shown
// from a data: URL (an SVG in an <img> runs no script).
import { h } from "../dom.ts";
import { requestTimeoutMs } from "../api.ts";
import { currentToken } from "../session.ts";

export interface ETicket {
  ticketId: string;
  section: string;
  row: string;
  seat: number;
  code: string;
}

export const seatLabel = (ticket: ETicket): string =>
  `${ticket.section}, row ${ticket.row}, seat ${ticket.seat}`;

function qrImage(bookingId: string, ticket: ETicket): HTMLElement {
  const image = h("img", {
    class: "ticket-qr",
    width: 160,
    height: 160,
    alt: `QR code of the ticket for ${seatLabel(ticket)}`,
  });
  const holder = h("div", { class: "ticket-qr-holder" }, image);
  const path = `/bookings/${encodeURIComponent(bookingId)}/tickets/${encodeURIComponent(ticket.ticketId)}/qr.svg`;
  const token = currentToken();
  fetch(path, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
    cache: "no-store",
    signal: AbortSignal.timeout(requestTimeoutMs),
  })
    .then(async (response) => {
      if (!response.ok || !(response.headers.get("content-type") ?? "").startsWith("image/svg+xml"))
        throw new Error(`QR code: ${response.status}`);
      // A data: URL: the page's Content-Security-Policy allows images from 'self' and data: only.
      image.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(await response.text())}`;
    })
    .catch(() => holder.replaceChildren(h("p", { class: "ticket-qr-missing" }, "QR code not available")));
  return holder;
}

/** The tickets of a booking as cards (seat, QR code, the code as text); null without any. */
export function eTickets(booking: { id: string; tickets?: ETicket[] }): HTMLElement | null {
  if (!booking.tickets?.length) return null;
  return h(
    "section",
    { class: "tickets", "aria-label": "Tickets" },
    h("h3", {}, "Tickets"),
    h(
      "ul",
      { class: "ticket-list" },
      booking.tickets.map((ticket) =>
        h(
          "li",
          { class: "ticket", "data-ticket-id": ticket.ticketId },
          qrImage(booking.id, ticket),
          h("p", { class: "ticket-seat" }, seatLabel(ticket)),
          h("p", { class: "ticket-code" }, h("code", {}, ticket.code)),
        ),
      ),
    ),
  );
}
