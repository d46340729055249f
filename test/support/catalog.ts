// Builds a small catalog through the admin API.
import type { HttpClient } from "./system.ts";

export interface EventFixture {
  eventId: string;
  ticketIds: string[];
  venueId: string;
  performerId: string;
}

export async function createEventFixture(
  system: HttpClient,
  options: {
    seats?: number;
    rows?: number;
    waitingRoom?: Record<string, unknown>;
    onSaleAt?: string;
    name?: string;
    extra?: Record<string, unknown>;
  } = {},
): Promise<EventFixture> {
  const admin = await system.token("admin-1", "admin");
  const performer = await system.request("POST", "/admin/performers", {
    token: admin,
    body: { name: "Test Performer", genre: "pop" },
  });
  const venue = await system.request("POST", "/admin/venues", {
    token: admin,
    body: { name: "Test Arena", city: "Lisbon", country: "Portugal", lat: 38.72, lng: -9.14 },
  });
  const rows = options.rows ?? 1;
  const seats = options.seats ?? 10;
  const perRow = Math.ceil(seats / rows);
  const rowList = Array.from({ length: rows }, (_, index) => ({
    label: String(index + 1),
    seats: Math.min(perRow, seats - index * perRow),
  })).filter((row) => row.seats > 0);
  const event = await system.request("POST", "/admin/events", {
    token: admin,
    body: {
      name: options.name ?? "Test Concert",
      description: "A test event",
      type: "concert",
      venueId: venue.body.id,
      performerIds: [performer.body.id],
      startsAt: new Date(Date.now() + 30 * 86_400_000).toISOString(),
      onSaleAt: options.onSaleAt ?? new Date(Date.now() - 3_600_000).toISOString(),
      sections: [{ name: "Floor", priceCents: 5_000, rows: rowList }],
      ...(options.waitingRoom ? { waitingRoom: options.waitingRoom } : {}),
      ...options.extra,
    },
  });
  if (event.status !== 201) throw new Error(`create event: ${event.status} ${JSON.stringify(event.body)}`);
  const tickets = await system.request("GET", `/events/${event.body.event.id}/tickets`);
  return {
    eventId: event.body.event.id,
    ticketIds: tickets.body.tickets.map((ticket: { id: string }) => ticket.id),
    venueId: venue.body.id,
    performerId: performer.body.id,
  };
}
