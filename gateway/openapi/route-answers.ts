// What each routed action answers, by action name: the success status and body, the answer headers,
// the request headers it reads and the errors particular to it. The errors every route of a kind gives
// (400, 429 and 503 everywhere; 401 with a token; 403 on admin routes; 404 with a path parameter; 413
// and 415 with a body) are added by operations.ts.
import type { JsonSchema } from "./json-schema.ts";
import { ref } from "./schemas/common.ts";
import { presaleRouteAnswers } from "./schemas/presales.ts";
import { waitlistRouteAnswers } from "./schemas/waitlist.ts";
import { webhookRouteAnswers } from "./schemas/webhooks.ts";

export interface RouteAnswers {
  status: number;
  description: string;
  schema: JsonSchema;
  /** Answer headers of a success, besides the rate limit's. */
  headers?: string[];
  /** Statuses this route answers besides those of its kind, and when. */
  errors?: Record<string, string>;
  /** Request headers it reads (names of `components.parameters`). */
  requestHeaders?: string[];
  /** A public read with an ETag: If-None-Match gets a 304 while the answer is unchanged. */
  conditional?: boolean;
  /** The success's media type when it is not JSON (its schema then describes the text). */
  contentType?: string;
}

const either = (...names: string[]): JsonSchema => ({ oneOf: names.map(ref) });
const seatMapHeaders = ["ETag", "Cache-Control"];

export const routeAnswers: Record<string, RouteAnswers> = {
  "api.openapi": {
    status: 200,
    description: "This document",
    schema: {
      type: "object",
      required: ["openapi", "info", "paths"],
      properties: { openapi: { const: "3.1.0" }, info: { type: "object" }, paths: { type: "object" } },
    },
    headers: ["ETag"],
    conditional: true,
  },
  "api.issueDevToken": {
    status: 200,
    description: "A token for that user and role",
    schema: ref("DevToken"),
    errors: { "404": "NOT_FOUND: development tokens are off (AUTH_DEV_TOKENS=false, production)" },
  },
  "search.search": {
    status: 200,
    description: "One page of matches, best first",
    schema: ref("SearchPage"),
    headers: ["ETag"],
    conditional: true,
  },
  "catalog.getEvent": {
    status: 200,
    description: "The event page: `tickets` (format=full, the default) or `statuses` (format=compact)",
    schema: either("EventPage", "CompactEventPage"),
    headers: seatMapHeaders,
    conditional: true,
  },
  "catalog.getTickets": {
    status: 200,
    description: "The seat map at `version`: `tickets` (format=full) or `statuses` (format=compact)",
    schema: either("SeatMap", "CompactSeatMap"),
    headers: seatMapHeaders,
    conditional: true,
  },
  "catalog.getLayout": {
    status: 200,
    description: "The static part of the seat map",
    schema: ref("Layout"),
    headers: seatMapHeaders,
    conditional: true,
  },
  "booking.reserve": {
    status: 200,
    description: "Every listed (or chosen) ticket is held by the caller until `expiresAt`",
    schema: ref("Hold"),
    requestHeaders: ["AdmissionToken", "PresaleCode"],
    errors: {
      "403":
        "ADMISSION_REQUIRED: the waiting room is on and no valid, active X-Admission-Token was sent; " +
        "PRESALE_CODE_INVALID: an X-Presale-Code that is wrong, another event's, used up, or outside " +
        "its presale's window (details.reason)",
      "404": "NOT_FOUND: an unknown event or ticket",
      "409":
        "TICKET_UNAVAILABLE (details.ticketIds; nothing held), NOT_ON_SALE, TICKET_LIMIT_REACHED " +
        "(the event's per-user cap)",
    },
  },
  "booking.release": {
    status: 200,
    description: "The caller's holds on those tickets ended",
    schema: ref("Release"),
    errors: {
      "403": "FORBIDDEN: some tickets are held by someone else",
      "404": "NOT_FOUND: an unknown event or ticket",
    },
  },
  "booking.confirm": {
    status: 201,
    description: "Paid and booked (a replay with the same Idempotency-Key and body answers the same booking)",
    schema: ref("Confirmation"),
    headers: ["Location"],
    requestHeaders: ["IdempotencyKey"],
    errors: {
      "402": "PAYMENT_DECLINED: the provider declined; the hold is kept until it lapses",
      "403": "FORBIDDEN: the tickets are not held by the caller",
      "404": "NOT_FOUND: an unknown event or ticket",
      "409":
        "HOLD_EXPIRED, TICKET_UNAVAILABLE, IDEMPOTENCY_CONFLICT (the key was used with another body), " +
        "PAYMENT_REFUNDED (captured, then refunded: details.paymentId)",
    },
  },
  "booking.listBookings": {
    status: 200,
    description: "The caller's bookings, newest first",
    schema: ref("BookingList"),
  },
  "booking.getBooking": { status: 200, description: "One of the caller's bookings", schema: ref("Booking") },
  "booking.getPayment": { status: 200, description: "One of the caller's payments", schema: ref("Payment") },
  "waiting-room.join": {
    status: 200,
    description: "The caller's place (joining again keeps the first one)",
    schema: ref("QueueStatus"),
    errors: { "409": "NOT_ON_SALE: the event has started" },
  },
  "waiting-room.status": {
    status: 200,
    description: "The caller's place, current",
    schema: ref("QueueStatus"),
    errors: { "409": "NOT_ON_SALE: the event has started" },
  },
  "catalog.createPerformer": {
    status: 201,
    description: "Created",
    schema: ref("Performer"),
    headers: ["Location"],
  },
  "catalog.createVenue": { status: 201, description: "Created", schema: ref("Venue"), headers: ["Location"] },
  "catalog.createEvent": {
    status: 201,
    description: "Created, with one ticket per seat",
    schema: ref("CreatedEvent"),
    headers: ["Location"],
  },
  "catalog.updateEvent": {
    status: 200,
    description: "The event as changed",
    schema: ref("Event"),
    errors: { "409": "CURRENCY_LOCKED: a new currency once the event is on sale or a seat was held" },
  },
  "catalog.deleteEvent": { status: 200, description: "Deleted", schema: ref("DeletedEvent") },
  "booking.ticketQr": {
    status: 200,
    description: "The ticket's signed code as a QR code (owner only: another user's booking is a 404)",
    schema: { type: "string", description: "An SVG document" },
    contentType: "image/svg+xml",
    errors: { "403": "FORBIDDEN: a scanner token" },
  },
  "booking.checkin": {
    status: 200,
    description: "Checked in now: the first scan of this ticket",
    schema: ref("CheckIn"),
    errors: {
      "400": "INVALID_TICKET_CODE: not a code Marquee signed for its event (forged, altered, truncated)",
      "409": "ALREADY_CHECKED_IN (details.checkedInAt: the first scan), TICKET_CANCELLED",
    },
  },
  "booking.ticketKey": {
    status: 200,
    description: "The event's public key: scanners verify ticket codes offline with it",
    schema: ref("TicketKey"),
  },
  "catalog.listVenues": { status: 200, description: "A page of venues", schema: ref("VenueList") },
  "catalog.getVenue": { status: 200, description: "The venue", schema: ref("Venue") },
  "catalog.listPerformers": {
    status: 200,
    description: "A page of performers",
    schema: ref("PerformerList"),
  },
  "catalog.getPerformer": { status: 200, description: "The performer", schema: ref("Performer") },
  "booking.eventBookings": {
    status: 200,
    description: "A page of the event's bookings, oldest first",
    schema: ref("EventBookings"),
  },
  "booking.eventSales": {
    status: 200,
    description: "The event's seats by status (as its seat map shows them) and its money",
    schema: ref("EventSales"),
  },
  ...webhookRouteAnswers,
  ...waitlistRouteAnswers,
  ...presaleRouteAnswers,
};
