// What the fuzz knows of the system under test: tokens of real users, ids that exist (so requests get
// past "not found"), and exemplars: bodies a real client sends to an operation, so that a mutation of
// one field reaches past the checks of the others ({"eventId": E, "quantity": null} needs the eventId).
import { createEventFixture } from "../catalog.ts";
import type { HttpClient } from "../system.ts";

export interface FuzzContext {
  baseUrl: string;
  /** Tokens of real users (valid signatures) and ids that exist, so requests reach validation and beyond. */
  tokens: { user: string; otherUser: string; admin: string };
  knownIds: Record<string, string[]>;
  /** Valid bodies by operation (`POST /booking/reserve`); an operation without any uses its schema's example. */
  bodies: Record<string, unknown[]>;
}

const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();

function exemplarBodies(fixture: { eventId: string; ticketIds: string[] }, known: Record<string, string[]>) {
  const tickets = fixture.ticketIds;
  return {
    "POST /booking/reserve": [
      { eventId: fixture.eventId, quantity: 1 },
      { ticketId: tickets[5] },
      { ticketIds: [tickets[6], tickets[7]] },
      { eventId: fixture.eventId, quantity: 1, section: "Floor", maxPriceCents: 1_000_000, adjacent: false },
    ],
    "POST /booking/release": [{ ticketIds: [tickets[1]] }, { ticketId: tickets[1] }],
    "POST /booking/confirm": [
      { ticketId: tickets[1], paymentDetails: { token: "tok_ok" } },
      { ticketIds: [tickets[1]], paymentDetails: { token: "tok_decline" } },
    ],
    "POST /admin/events": [
      {
        name: "Fuzz event",
        description: "Made by the fuzz",
        type: "concert",
        venueId: known.venueId[0],
        performerIds: known.performerId,
        startsAt: inDays(30),
        onSaleAt: inDays(-1),
        sections: [{ name: "Floor", priceCents: 5_000, rows: [{ label: "1", seats: 2 }] }],
        waitingRoom: { enabled: false, maxActiveShoppers: 10, admitPerMinute: 60, tokenTtlSeconds: 900 },
        ticketsPerUserMax: 4,
      },
    ],
    "PATCH /admin/events/{eventId}": [{ name: "Fuzz renamed", waitingRoom: { enabled: false } }],
    "POST /admin/performers": [{ name: "Fuzz performer", genre: "rock" }],
    "POST /admin/venues": [{ name: "Fuzz hall", city: "Porto", country: "Portugal", lat: 41.15, lng: -8.61 }],
    "POST /auth/token": [{ userId: "fuzz-token-user", role: "user" }],
    "POST /events/{eventId}/queue": [{}],
  };
}

/** Ids that exist (the fuzz uses them now and then, so requests get past "not found"). */
export async function fuzzContext(system: HttpClient & { baseUrl: string }): Promise<FuzzContext> {
  const [user, otherUser, admin] = await Promise.all([
    system.token("fuzz-user"),
    system.token("fuzz-other"),
    system.token("fuzz-admin", "admin"),
  ]);
  // Room for the sweep's valid reserves: a cap or a sold-out event would answer them before the actor decides.
  const fixture = await createEventFixture(system, {
    seats: 120,
    rows: 4,
    name: "Fuzz target",
    extra: { ticketsPerUserMax: 100 },
  });
  const spare = await createEventFixture(system, { seats: 4, name: "Fuzz spare" });
  const known: Record<string, string[]> = {
    eventId: [fixture.eventId, spare.eventId],
    ticketId: fixture.ticketIds.slice(0, 12),
    venueId: [fixture.venueId],
    performerId: [fixture.performerId],
    bookingId: [],
    paymentId: [],
  };
  // Each user holds a seat and has a booking, so object-level checks are exercised too.
  for (const [token, seats] of [
    [user, fixture.ticketIds.slice(0, 2)],
    [otherUser, fixture.ticketIds.slice(2, 4)],
  ] as const) {
    await system.request("POST", "/booking/reserve", { token, body: { ticketIds: seats } });
    const booked = await system.request("POST", "/booking/confirm", {
      token,
      body: { ticketId: seats[0], paymentDetails: { token: "tok_ok" } },
      headers: { "idempotency-key": `fuzz-setup-${seats[0]}` },
    });
    if (booked.status === 201) {
      known.bookingId.push(booked.body.booking.id);
      known.paymentId.push(booked.body.booking.paymentId);
    }
  }
  return {
    baseUrl: system.baseUrl,
    tokens: { user, otherUser, admin },
    knownIds: known,
    bodies: exemplarBodies(fixture, known),
  };
}
