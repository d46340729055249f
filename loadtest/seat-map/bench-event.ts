// The benchmarks' events (seat maps, HTTP buy path), created through the admin API of the node under
// test: 20 sections of 100-seat rows (the size chosen by the row count), on sale now; the HTTP
// benchmark's join phase asks for a waiting room.
import type http from "node:http";
import { request } from "./http-load.ts";

export const sectionsCount = 20;
export const seatsPerRow = 100;

export function benchSections(seats: number) {
  const rows = seats / sectionsCount / seatsPerRow;
  if (!Number.isInteger(rows))
    throw new Error(`${seats} seats do not fill ${sectionsCount} sections of ${seatsPerRow}-seat rows`);
  return Array.from({ length: sectionsCount }, (_, index) => ({
    name: `Section ${101 + index}`,
    priceCents: 9_900 + 1_000 * (index % 5),
    rows: Array.from({ length: rows }, (_, row) => ({ label: String(row + 1), seats: seatsPerRow })),
  }));
}

export interface EventMaker {
  /** Creates an event of `seats` seats and answers its id. */
  create(name: string, seats: number, options?: { waitingRoom?: boolean }): Promise<string>;
}

/** Creates the venue and performer once; then events of any size through the admin API. */
export async function eventMaker(
  agent: http.Agent,
  baseUrl: string,
  adminAuthorization: string,
): Promise<EventMaker> {
  const post = async (path: string, body: unknown) => {
    const answer = await request(agent, baseUrl + path, {
      method: "POST",
      headers: { authorization: adminAuthorization },
      body,
    });
    if (answer.status !== 201) throw new Error(`POST ${path}: ${answer.status} ${answer.body.toString()}`);
    return JSON.parse(answer.body.toString());
  };
  const venue = await post("/admin/venues", { name: "Bench Arena", city: "Lisbon", country: "Portugal" });
  const performer = await post("/admin/performers", { name: "Bench Band" });
  return {
    async create(name, seats, options = {}) {
      const created = await post("/admin/events", {
        name,
        type: "concert",
        venueId: venue.id,
        performerIds: [performer.id],
        startsAt: new Date(Date.now() + 30 * 86_400_000).toISOString(),
        onSaleAt: new Date(Date.now() - 60_000).toISOString(),
        sections: benchSections(seats),
        ...(options.waitingRoom ? { waitingRoom: { enabled: true } } : {}),
      });
      return created.event.id as string;
    },
  };
}

/** Creates the event and answers its id and how long the creation took. */
export async function createBenchEvent(
  agent: http.Agent,
  baseUrl: string,
  adminAuthorization: string,
  seats: number,
): Promise<{ eventId: string; createMs: number }> {
  const maker = await eventMaker(agent, baseUrl, adminAuthorization);
  const startedAt = performance.now();
  const eventId = await maker.create(`Seat map bench ${seats}`, seats);
  return { eventId, createMs: Math.round(performance.now() - startedAt) };
}
