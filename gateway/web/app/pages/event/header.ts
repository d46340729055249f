// The event's details (GET /events/:id?format=compact) and the top of its page: name, date, venue, performers and
// description, then the notices about a hold in progress or the sale's waiting room.
import { h } from "../../dom.ts";
import { formatDateTime, plural } from "../../format.ts";
import { checkoutPath, queuePath } from "../../router.ts";
import { getHold, holdExpiresAtMs } from "../../store.ts";
import { needsAdmission } from "./context.ts";

export interface EventDetails {
  event: {
    id: string;
    name: string;
    description?: string;
    type?: string;
    startsAt: string;
    onSaleAt?: string;
    waitingRoom?: { enabled: boolean };
    ticketsPerUserMax?: number;
    /** ISO 4217: every price of the event is in its minor unit. */
    currency?: string;
  };
  /** `timeZone`: the venue's IANA zone; the page shows the event's times in it, labelled. */
  venue?: { name: string; city: string; country: string; timeZone?: string };
  performers?: { id: string; name: string }[];
  /** `GET /events/:id?format=compact`: one character a ticket, in ordinal order. */
  statuses: string;
  version: number;
}

export function eventHeader(details: EventDetails): (HTMLElement | null)[] {
  const { event } = details;
  const venue = details.venue ? `${details.venue.name}, ${details.venue.city}, ${details.venue.country}` : "";
  const performers = (details.performers ?? []).map((performer) => performer.name).join(", ");
  return [
    h("h1", {}, event.name),
    h(
      "p",
      { class: "meta" },
      h(
        "time",
        { datetime: event.startsAt, id: "event-time" },
        formatDateTime(event.startsAt, details.venue?.timeZone),
      ),
      venue ? ` · ${venue}` : "",
      performers ? ` · ${performers}` : "",
    ),
    event.description ? h("p", { class: "description" }, event.description) : null,
  ];
}

export function eventNotices(eventId: string, waitingRoomOn: boolean): HTMLElement[] {
  const hold = getHold(eventId);
  const notices: HTMLElement[] = [];
  if (hold) {
    notices.push(
      h(
        "div",
        { class: "notice", id: "hold-notice" },
        `You are holding ${plural(hold.seats.length, "seat")} until ${new Date(holdExpiresAtMs(hold)).toLocaleTimeString()}. `,
        h("a", { href: `#${checkoutPath(eventId)}`, class: "button primary" }, "Continue to checkout"),
      ),
    );
  }
  if (needsAdmission({ eventId, waitingRoomOn })) {
    notices.push(
      h(
        "div",
        { class: "notice", id: "waiting-room-notice" },
        "This sale has a waiting room to keep it fair. Join the queue; when it is your turn you come straight back here to pick seats. ",
        h(
          "a",
          { href: `#${queuePath(eventId)}`, class: "button primary", id: "join-queue" },
          "Join the waiting room",
        ),
      ),
    );
  }
  return notices;
}
