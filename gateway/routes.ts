// The REST routes: each alias maps a method and path to a service action, whose params schema
// validates strictly (moleculer-web's own body parsers are off: gateway/body.ts reads JSON bodies).
// Every answer then goes through encodeAnswer (conditional 304s, compression).
import { encodeAnswer, withAcceptEncoding } from "./answer-encoding.ts";
import { jsonBody } from "./body.ts";
import type { BeforeCallHook } from "./request-meta.ts";

/** moleculer-web's routes: public, user (a bearer token), admin (a token with the admin role). */
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
      },
    },
    {
      ...common,
      name: "user",
      path: "/",
      authentication: true,
      aliases: {
        "POST /booking/reserve": "booking.reserve",
        "POST /booking/release": "booking.release",
        "POST /booking/confirm": "booking.confirm",
        "GET /bookings": "booking.listBookings",
        "GET /bookings/:bookingId": "booking.getBooking",
        "GET /payments/:paymentId": "booking.getPayment",
        "POST /events/:eventId/queue": "waiting-room.join",
        "GET /events/:eventId/queue": "waiting-room.status",
      },
    },
    {
      ...common,
      name: "admin",
      path: "/admin",
      authentication: true,
      authorization: true,
      aliases: {
        "POST /performers": "catalog.createPerformer",
        "POST /venues": "catalog.createVenue",
        "POST /events": "catalog.createEvent",
        "PATCH /events/:eventId": "catalog.updateEvent",
        "DELETE /events/:eventId": "catalog.deleteEvent",
      },
    },
  ];
}
