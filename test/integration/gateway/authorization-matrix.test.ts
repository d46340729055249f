// The authorization matrix: every route of GET /openapi.json x {no token, user, another user, admin,
// expired token, forged token}, with the expected answer of each cell in ONE table. Object-level
// authorization is in it too: another user's hold (reserve, release, confirm), booking, payment and
// admission token. A route added to the gateway without a row here fails the coverage check.
import { expect } from "chai";
import { SignJWT } from "jose";
import { developmentAuthSecret } from "../../../platform/config.ts";
import { auditDatabase, formatAudit } from "../../../loadtest/audit.ts";
import { dropDatabase, startSystem, type TestSystem } from "../../support/system.ts";
import { createEventFixture, type EventFixture } from "../../support/catalog.ts";
import { contractErrorProblem } from "../../support/contract.ts";
import { eventually } from "../../support/eventually.ts";

const identities = ["none", "user", "other", "admin", "expired", "forged"] as const;
type Identity = (typeof identities)[number];

/** An expected answer: a status, or status + contract code. */
type Expected = number | [number, string];

interface Row {
  /** OpenAPI method and path template this row covers. */
  route: string;
  /** What the row checks beyond the route (object-level rows name the object). */
  about?: string;
  request(
    world: World,
    identity: Identity,
  ): { path: string; body?: unknown; headers?: Record<string, string> };
  expect: Record<Identity, Expected>;
  /** The 200 is a stream that stays open: only its status and content type are read. */
  stream?: boolean;
  /** Extra checks on a 2xx body (e.g. nothing of another user's in a list). */
  check?(world: World, identity: Identity, body: any): void;
}

interface World {
  event: EventFixture;
  /** An event for the admin rows to PATCH and DELETE. */
  spare: EventFixture;
  hot: EventFixture;
  /** Held by "user": one for reserve, one for release, one for confirm. */
  held: { reserve: string; release: string; confirm: string };
  bookingId: string;
  /** The booked seat of the user's booking, and its e-ticket code. */
  bookedTicketId: string;
  ticketCode: string;
  paymentId: string;
  admissionToken: string;
  venueId: string;
  performerId: string;
  /** A webhook for the admin rows to read and DELETE. */
  webhookId: string;
  tokens: Record<Exclude<Identity, "none">, string>;
}

const refusedToken: Pick<Record<Identity, Expected>, "none" | "expired" | "forged"> = {
  none: [401, "UNAUTHENTICATED"],
  expired: [401, "UNAUTHENTICATED"],
  forged: [401, "UNAUTHENTICATED"],
};
const everyone = (expected: Expected): Record<Identity, Expected> =>
  Object.fromEntries(identities.map((identity) => [identity, expected])) as Record<Identity, Expected>;
const adminOnly = (success: number): Record<Identity, Expected> => ({
  ...refusedToken,
  user: [403, "FORBIDDEN"],
  other: [403, "FORBIDDEN"],
  admin: success,
});

/** Opens a stream, reads its status (and the body only if it is a refusal), and closes it. */
async function openStream(
  url: string,
  headers: Record<string, string>,
): Promise<{ status: number; body: any }> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 10_000);
  try {
    const response = await fetch(url, { headers, signal: controller.signal });
    if (response.status === 200) {
      expect(response.headers.get("content-type")).to.match(/^text\/event-stream/);
      return { status: 200, body: null };
    }
    return { status: response.status, body: await response.json() };
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
}

const idempotency = (identity: Identity) => ({ "idempotency-key": `matrix-${identity}-0001` });

const table: Row[] = [
  // Public: a token is not needed, and a bad one is not looked at.
  {
    route: "POST /auth/token",
    request: () => ({ path: "/auth/token", body: { userId: "matrix" } }),
    expect: everyone(200),
  },
  { route: "GET /openapi.json", request: () => ({ path: "/openapi.json" }), expect: everyone(200) },
  { route: "GET /health/live", request: () => ({ path: "/health/live" }), expect: everyone(200) },
  { route: "GET /health/ready", request: () => ({ path: "/health/ready" }), expect: everyone(200) },
  { route: "GET /metrics", request: () => ({ path: "/metrics" }), expect: everyone(200) },
  {
    route: "GET /events/search",
    request: () => ({ path: "/events/search?term=matrix" }),
    expect: everyone(200),
  },
  {
    route: "GET /events/{eventId}",
    request: (w) => ({ path: `/events/${w.event.eventId}` }),
    expect: everyone(200),
  },
  {
    route: "GET /events/{eventId}/tickets",
    request: (w) => ({ path: `/events/${w.event.eventId}/tickets` }),
    expect: everyone(200),
  },
  {
    route: "GET /events/{eventId}/layout",
    request: (w) => ({ path: `/events/${w.event.eventId}/layout` }),
    expect: everyone(200),
  },
  {
    route: "GET /events/{eventId}/presales",
    request: (w) => ({ path: `/events/${w.event.eventId}/presales` }),
    expect: everyone(200),
  },
  {
    route: "GET /events/{eventId}/updates",
    request: (w) => ({ path: `/events/${w.event.eventId}/updates` }),
    expect: everyone(200),
    stream: true,
  },
  // Booking: a user token; holds are their holder's.
  {
    route: "POST /booking/reserve",
    about: "a seat the user holds",
    request: (w) => ({ path: "/booking/reserve", body: { ticketId: w.held.reserve } }),
    expect: {
      ...refusedToken,
      user: 200,
      other: [409, "TICKET_UNAVAILABLE"],
      admin: [409, "TICKET_UNAVAILABLE"],
    },
  },
  {
    route: "POST /booking/reserve",
    about: "a waiting-room event with the user's admission token",
    request: (w) => ({
      path: "/booking/reserve",
      body: { ticketId: w.hot.ticketIds[0] },
      headers: { "x-admission-token": w.admissionToken },
    }),
    expect: {
      ...refusedToken,
      user: 200,
      other: [403, "ADMISSION_REQUIRED"],
      admin: [403, "ADMISSION_REQUIRED"],
    },
  },
  {
    route: "POST /booking/release",
    about: "a seat the user holds",
    request: (w) => ({ path: "/booking/release", body: { ticketIds: [w.held.release] } }),
    expect: { ...refusedToken, user: 200, other: [403, "FORBIDDEN"], admin: [403, "FORBIDDEN"] },
  },
  {
    route: "POST /booking/confirm",
    about: "a seat the user holds",
    request: (w, identity) => ({
      path: "/booking/confirm",
      body: { ticketId: w.held.confirm, paymentDetails: { token: "tok_ok" } },
      headers: idempotency(identity),
    }),
    expect: { ...refusedToken, user: 201, other: [403, "FORBIDDEN"], admin: [403, "FORBIDDEN"] },
  },
  {
    route: "GET /bookings",
    request: () => ({ path: "/bookings" }),
    expect: { ...refusedToken, user: 200, other: 200, admin: 200 },
    check(w, identity, body) {
      const ids = body.bookings.map((booking: { id: string }) => booking.id);
      if (identity === "user") expect(ids).to.include(w.bookingId);
      else expect(ids).to.not.include(w.bookingId);
    },
  },
  {
    route: "GET /bookings/{bookingId}",
    about: "the user's booking",
    request: (w) => ({ path: `/bookings/${w.bookingId}` }),
    expect: { ...refusedToken, user: 200, other: [404, "NOT_FOUND"], admin: [404, "NOT_FOUND"] },
  },
  {
    route: "GET /payments/{paymentId}",
    about: "the user's payment",
    request: (w) => ({ path: `/payments/${w.paymentId}` }),
    expect: { ...refusedToken, user: 200, other: [404, "NOT_FOUND"], admin: [404, "NOT_FOUND"] },
  },
  {
    route: "POST /events/{eventId}/queue",
    request: (w) => ({ path: `/events/${w.hot.eventId}/queue` }),
    expect: { ...refusedToken, user: 200, other: 200, admin: 200 },
    check(w, identity, body) {
      // Everyone gets their own place and token, never the user's.
      if (identity !== "user") expect(body.admissionToken).to.not.equal(w.admissionToken);
    },
  },
  {
    route: "GET /events/{eventId}/queue",
    about: "each sees their own place (the others joined in the row above)",
    request: (w) => ({ path: `/events/${w.hot.eventId}/queue` }),
    expect: { ...refusedToken, user: 200, other: 200, admin: 200 },
    check(w, identity, body) {
      if (identity === "user") expect(body.admissionToken).to.equal(w.admissionToken);
      else expect(body.admissionToken).to.not.equal(w.admissionToken);
    },
  },
  // Admin: role admin only.
  {
    route: "POST /admin/performers",
    request: () => ({ path: "/admin/performers", body: { name: "Matrix Performer" } }),
    expect: adminOnly(201),
  },
  {
    route: "POST /admin/venues",
    request: () => ({
      path: "/admin/venues",
      body: { name: "Matrix Hall", city: "Porto", country: "Portugal" },
    }),
    expect: adminOnly(201),
  },
  {
    route: "POST /admin/events",
    request: (w) => ({
      path: "/admin/events",
      body: {
        name: "Matrix Night",
        type: "concert",
        venueId: w.venueId,
        performerIds: [w.performerId],
        startsAt: new Date(Date.now() + 30 * 86_400_000).toISOString(),
        sections: [{ name: "Floor", priceCents: 1_000, rows: [{ label: "1", seats: 2 }] }],
      },
    }),
    expect: adminOnly(201),
  },
  {
    route: "PATCH /admin/events/{eventId}",
    request: (w) => ({ path: `/admin/events/${w.spare.eventId}`, body: { name: "Matrix Night (moved)" } }),
    expect: adminOnly(200),
  },
  {
    route: "DELETE /admin/events/{eventId}",
    request: (w) => ({ path: `/admin/events/${w.spare.eventId}` }),
    expect: adminOnly(200),
  },
  // E-tickets, check-in and organiser reads (issue 19); the scanner role is in test/integration/tickets.
  {
    route: "GET /bookings/{bookingId}/tickets/{ticketId}/qr.svg",
    about: "the user's ticket",
    request: (w) => ({ path: `/bookings/${w.bookingId}/tickets/${w.bookedTicketId}/qr.svg` }),
    expect: { ...refusedToken, user: 200, other: [404, "NOT_FOUND"], admin: [404, "NOT_FOUND"] },
  },
  {
    route: "POST /admin/checkin",
    about: "the user's ticket",
    request: (w) => ({ path: "/admin/checkin", body: { code: w.ticketCode } }),
    expect: adminOnly(200),
  },
  {
    route: "GET /admin/events/{eventId}/ticket-key",
    request: (w) => ({ path: `/admin/events/${w.event.eventId}/ticket-key` }),
    expect: adminOnly(200),
  },
  { route: "GET /admin/venues", request: () => ({ path: "/admin/venues" }), expect: adminOnly(200) },
  {
    route: "GET /admin/venues/{id}",
    request: (w) => ({ path: `/admin/venues/${w.venueId}` }),
    expect: adminOnly(200),
  },
  { route: "GET /admin/performers", request: () => ({ path: "/admin/performers" }), expect: adminOnly(200) },
  {
    route: "GET /admin/performers/{id}",
    request: (w) => ({ path: `/admin/performers/${w.performerId}` }),
    expect: adminOnly(200),
  },
  {
    route: "GET /admin/events/{eventId}/bookings",
    request: (w) => ({ path: `/admin/events/${w.event.eventId}/bookings` }),
    expect: adminOnly(200),
  },
  {
    route: "GET /admin/events/{eventId}/sales",
    request: (w) => ({ path: `/admin/events/${w.event.eventId}/sales` }),
    expect: adminOnly(200),
  },
  // Presales (issue 18).
  {
    route: "POST /admin/events/{eventId}/presales",
    request: (w) => ({
      path: `/admin/events/${w.event.eventId}/presales`,
      body: {
        name: "Matrix presale",
        startsAt: new Date(Date.now()).toISOString(),
        endsAt: new Date(Date.now() + 3_600_000).toISOString(),
        codeCount: 1,
      },
    }),
    expect: adminOnly(201),
  },
  {
    route: "GET /admin/events/{eventId}/presales",
    request: (w) => ({ path: `/admin/events/${w.event.eventId}/presales` }),
    expect: adminOnly(200),
  },
  // Webhooks (issue 19).
  {
    route: "POST /admin/webhooks",
    request: () => ({
      path: "/admin/webhooks",
      body: { url: "https://hooks.example.com/matrix", events: ["event.sold_out"] },
    }),
    expect: adminOnly(201),
  },
  { route: "GET /admin/webhooks", request: () => ({ path: "/admin/webhooks" }), expect: adminOnly(200) },
  {
    route: "GET /admin/webhooks/{webhookId}/deliveries",
    request: (w) => ({ path: `/admin/webhooks/${w.webhookId}/deliveries` }),
    expect: adminOnly(200),
  },
  {
    route: "DELETE /admin/webhooks/{webhookId}",
    request: (w) => ({ path: `/admin/webhooks/${w.webhookId}` }),
    expect: adminOnly(200),
  },
  // Waiting list (issue 18): any user, each their own entry (the event has seats: no one may join).
  {
    route: "POST /events/{eventId}/waitlist",
    request: (w) => ({ path: `/events/${w.event.eventId}/waitlist`, body: { quantity: 1 } }),
    expect: {
      ...refusedToken,
      user: [409, "TICKETS_AVAILABLE"],
      other: [409, "TICKETS_AVAILABLE"],
      admin: [409, "TICKETS_AVAILABLE"],
    },
  },
  {
    route: "GET /events/{eventId}/waitlist",
    about: "each their own entry (none)",
    request: (w) => ({ path: `/events/${w.event.eventId}/waitlist` }),
    expect: {
      ...refusedToken,
      user: [404, "NOT_FOUND"],
      other: [404, "NOT_FOUND"],
      admin: [404, "NOT_FOUND"],
    },
  },
  {
    route: "DELETE /events/{eventId}/waitlist",
    request: (w) => ({ path: `/events/${w.event.eventId}/waitlist` }),
    expect: { ...refusedToken, user: 200, other: 200, admin: 200 },
  },
  // Cancellation (issue 19), last: it cancels the user's booking.
  {
    route: "POST /admin/bookings/{bookingId}/cancel",
    about: "the user's booking",
    request: (w, identity) => ({
      path: `/admin/bookings/${w.bookingId}/cancel`,
      body: { reason: "matrix" },
      headers: idempotency(identity),
    }),
    expect: adminOnly(200),
  },
];

const methodOf = (row: Row) => row.route.split(" ")[0];
const statusOf = (expected: Expected) => (Array.isArray(expected) ? expected[0] : expected);

describe("authorization matrix: every route x {no token, user, another user, admin, expired, forged}", function () {
  this.timeout(120_000);
  let system: TestSystem;
  let world: World;

  before(async () => {
    system = await startSystem({ env: { ACTOR_PARANOID_CHECKS: "true" } });
    const secret = new TextEncoder().encode(developmentAuthSecret);
    const now = Math.floor(Date.now() / 1000);
    const tokens = {
      user: await system.token("matrix-user"),
      other: await system.token("matrix-other"),
      admin: await system.token("matrix-admin", "admin"),
      // The user's own claims, expired a minute ago, signed with the right key.
      expired: await new SignJWT({ role: "user" })
        .setProtectedHeader({ alg: "HS256", typ: "JWT" })
        .setSubject("matrix-user")
        .setExpirationTime(now - 60)
        .sign(secret),
      // Admin claims signed with a key that is not ours.
      forged: await new SignJWT({ role: "admin" })
        .setProtectedHeader({ alg: "HS256", typ: "JWT" })
        .setSubject("matrix-user")
        .setExpirationTime(now + 600)
        .sign(new TextEncoder().encode("an attacker's own secret")),
    };
    const event = await createEventFixture(system, { seats: 12, name: "Matrix event" });
    const spare = await createEventFixture(system, { seats: 2, name: "Matrix spare" });
    const hot = await createEventFixture(system, {
      seats: 4,
      name: "Matrix waiting room",
      waitingRoom: { enabled: true, maxActiveShoppers: 100, admitPerMinute: 6_000 },
    });
    const user = tokens.user;
    const [reserve, release, confirm, booked] = event.ticketIds;
    const held = await system.request("POST", "/booking/reserve", {
      token: user,
      body: { ticketIds: [reserve, release, confirm, booked] },
    });
    expect(held.status, JSON.stringify(held.body)).to.equal(200);
    const booking = await system.request("POST", "/booking/confirm", {
      token: user,
      body: { ticketId: booked, paymentDetails: { token: "tok_ok" } },
      headers: { "idempotency-key": "matrix-setup-0001" },
    });
    expect(booking.status, JSON.stringify(booking.body)).to.equal(201);
    expect((await system.request("POST", `/events/${hot.eventId}/queue`, { token: user })).status).to.equal(
      200,
    );
    const admissionToken = await eventually(async () => {
      const status = await system.request("GET", `/events/${hot.eventId}/queue`, { token: user });
      return status.body?.admissionToken as string | undefined;
    });
    world = {
      event,
      spare,
      hot,
      held: { reserve, release, confirm },
      bookingId: booking.body.booking.id,
      bookedTicketId: booked,
      ticketCode: (await system.request("GET", `/bookings/${booking.body.booking.id}`, { token: user })).body
        .tickets[0].code,
      paymentId: booking.body.booking.paymentId,
      admissionToken,
      venueId: event.venueId,
      performerId: event.performerId,
      webhookId: (
        await system.request("POST", "/admin/webhooks", {
          token: tokens.admin,
          body: { url: "https://hooks.example.com/matrix-setup", events: ["event.sold_out"] },
        })
      ).body.id,
      tokens,
    };
  });
  after(async () => {
    await system.stop();
    await dropDatabase(system.databaseUrl);
  });

  it("has a row for every route of the OpenAPI document", async () => {
    const document = await system.request("GET", "/openapi.json");
    const routes = Object.entries<any>(document.body.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
    );
    const covered = new Set(table.map((row) => row.route));
    expect(
      routes.filter((route) => !covered.has(route)),
      "routes without a row",
    ).to.deep.equal([]);
    expect(
      [...covered].filter((route) => !routes.includes(route)),
      "rows of no route",
    ).to.deep.equal([]);
  });

  it("answers every cell as the table says", async () => {
    const document = await system.request("GET", "/openapi.json");
    const failures: string[] = [];
    let cells = 0;
    for (const row of table) {
      const [method, template] = row.route.split(" ");
      // A route whose service is not running anywhere answers 503 to anyone it lets through.
      const available =
        document.body.paths[template]?.[method.toLowerCase()]?.["x-marquee-available"] !== false;
      // Refusals first, successes last: a success may change what the others would see (release).
      const order = [...identities].sort(
        (a, b) => Number(statusOf(row.expect[a]) < 300) - Number(statusOf(row.expect[b]) < 300),
      );
      for (const identity of order) {
        let expected = row.expect[identity];
        if (!available && statusOf(expected) !== 401) expected = [503, "UNAVAILABLE"];
        const { path, body, headers } = row.request(world, identity);
        const token = identity === "none" ? undefined : world.tokens[identity];
        const answer = row.stream
          ? await openStream(system.baseUrl + path, {
              ...headers,
              ...(token ? { authorization: `Bearer ${token}` } : {}),
            })
          : await system.request(methodOf(row), path, { token, body, headers });
        cells++;
        const [status, code] = Array.isArray(expected) ? expected : [expected, undefined];
        const where = `${row.route}${row.about ? ` (${row.about})` : ""} as ${identity}`;
        if (answer.status !== status || (code !== undefined && answer.body?.error?.code !== code)) {
          failures.push(
            `${where}: expected ${status} ${code ?? ""}, got ${answer.status} ${JSON.stringify(answer.body).slice(0, 160)}`,
          );
          continue;
        }
        if (answer.status >= 300) {
          const problem = contractErrorProblem(answer.status, answer.body);
          if (problem) failures.push(`${where}: ${problem}`);
        } else if (row.check) {
          try {
            row.check(world, identity, answer.body);
          } catch (error) {
            failures.push(`${where}: ${(error as Error).message}`);
          }
        }
      }
    }
    expect(cells).to.equal(table.length * identities.length);
    expect(failures).to.deep.equal([]);
    const audit = await auditDatabase(system.node.runtime.db);
    expect(audit.ok, formatAudit(audit)).to.equal(true);
  });
});
