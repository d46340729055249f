// The HTTP benchmark's events, created through the admin API of the node under test: each phase gets
// a fresh event of its own (one hot event: 20 sections of 100-seat rows, on sale now), so a phase
// never starts on seats an earlier one sold; the join phase's event has its waiting room on.
import type http from "node:http";
import { request } from "../seat-map/http-load.ts";
import { benchSections } from "../seat-map/bench-event.ts";

export interface EventMaker {
  /** Creates an event of `seats` seats and answers its id. */
  create(name: string, seats: number, options?: { waitingRoom?: boolean }): Promise<string>;
}

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
