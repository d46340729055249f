// The REST routes: each alias maps a method and path to a service action, whose params schema
// validates strictly (moleculer-web's own body parsers are off: gateway/body.ts reads JSON bodies).
// Every answer then goes through encodeAnswer (conditional 304s, compression).
import { encodeAnswer, withAcceptEncoding } from "./answer-encoding.ts";
import { jsonBody } from "./body.ts";
import type { BeforeCallHook } from "./request-meta.ts";

const adminAliases = {
  "POST /performers": "catalog.createPerformer",
  "POST /venues": "catalog.createVenue",
  "POST /events": "catalog.createEvent",
  "PATCH /events/:eventId": "catalog.updateEvent",
  "DELETE /events/:eventId": "catalog.deleteEvent",
  "GET /venues": "catalog.listVenues",
  "GET /venues/:id": "catalog.getVenue",
  "GET /performers": "catalog.listPerformers",
  "GET /performers/:id": "catalog.getPerformer",
  "GET /events/:eventId/bookings": "booking.eventBookings",
  "GET /events/:eventId/sales": "booking.eventSales",
  "POST /bookings/:bookingId/cancel": "booking.cancelBooking",
  "POST /events/:eventId/presales": "catalog.createPresale",
  "GET /events/:eventId/presales": "catalog.listPresales",
  "POST /webhooks": "webhooks.create",
  "GET /webhooks": "webhooks.list",
  "DELETE /webhooks/:webhookId": "webhooks.remove",
  "GET /webhooks/:webhookId/deliveries": "webhooks.deliveries",
};

const scannerAliases = {
  "POST /checkin": "booking.checkin",
  "GET /events/:eventId/ticket-key": "booking.ticketKey",
};

/**
 * moleculer-web's routes: public, user (a bearer token, not a scanner's), admin (a token with the admin
 * role), scanner (admin or scanner).
 */
export function gatewayRoutes(onBeforeCall: BeforeCallHook): Record<string, unknown>[] {
  const common = {
    bodyParsers: false,
    use: [jsonBody],
    mappingPolicy: "restrict",
    mergeParams: true,
    autoAliases: false,
    logging: false,
    onBeforeCall: withAcceptEncoding(onBeforeCall),
    onAfterCall: encodeAnswer,
  };
  return [
    {
      ...common,
      name: "public",
      path: "/",
      authentication: false,
      etag: true,
      aliases: {
        "POST /auth/token": "api.issueDevToken",
        "GET /openapi.json": "api.openapi",
        "GET /events/search": "search.search",
        "GET /events/:eventId": "catalog.getEvent",
        "GET /events/:eventId/tickets": "catalog.getTickets",
        "GET /events/:eventId/layout": "catalog.getLayout",
        "GET /events/:eventId/presales": "catalog.publicPresales",
      },
    },
    {
      ...common,
      name: "user",
      path: "/",
      authentication: true,
      // Refuses a scanner's token: it checks tickets in and does nothing else (request-auth.ts).
      authorization: true,
      aliases: {
        "POST /booking/reserve": "booking.reserve",
        "POST /booking/release": "booking.release",
        "POST /booking/confirm": "booking.confirm",
        "GET /bookings": "booking.listBookings",
        "GET /bookings/:bookingId": "booking.getBooking",
        "GET /bookings/:bookingId/tickets/:ticketId/qr.svg": "booking.ticketQr",
        "GET /payments/:paymentId": "booking.getPayment",
        "POST /events/:eventId/queue": "waiting-room.join",
        "GET /events/:eventId/queue": "waiting-room.status",
        "POST /events/:eventId/waitlist": "booking.waitlistJoin",
        "GET /events/:eventId/waitlist": "booking.waitlistStatus",
        "DELETE /events/:eventId/waitlist": "booking.waitlistLeave",
      },
    },
    {
      ...common,
      name: "admin",
      path: "/admin",
      authentication: true,
      authorization: true,
      aliases: adminAliases,
    },
    // Check-in at the door: admin or scanner tokens (request-auth.ts authorizes by the route's name).
    {
      ...common,
      name: "scanner",
      path: "/admin",
      authentication: true,
      authorization: true,
      aliases: scannerAliases,
    },
  ];
}
