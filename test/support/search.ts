// Catalog building and polling helpers for the search tests (through the admin API, like a client).
import { randomInt } from "node:crypto";
import type { TestSystem } from "./system.ts";

/** A random lower-case word (letters only), to make names no other test matches. */
export function randomWord(length = 9): string {
  let word = "";
  for (let i = 0; i < length; i++) word += String.fromCharCode(97 + randomInt(26));
  return word;
}

export const daysFromNow = (days: number): string => new Date(Date.now() + days * 86_400_000).toISOString();

/** Retries `check` (which throws while its assertions fail) until it passes or the time is up. */
export async function eventually<T>(
  check: () => Promise<T>,
  timeoutMs = 10_000,
  intervalMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }
}

export interface VenueInput {
  name: string;
  city: string;
  country: string;
  lat?: number;
  lng?: number;
}

export interface EventInput {
  name: string;
  venueId: string;
  performerIds?: string[];
  type?: string;
  description?: string;
  startsAt?: string;
  onSaleAt?: string;
}

export class CatalogBuilder {
  private adminToken: string | null = null;

  constructor(private readonly system: TestSystem) {}

  private async token(): Promise<string> {
    this.adminToken ??= await this.system.token("search-admin", "admin");
    return this.adminToken;
  }

  private async post(path: string, body: unknown): Promise<any> {
    const answer = await this.system.request("POST", path, { token: await this.token(), body });
    if (answer.status !== 201)
      throw new Error(`POST ${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.body;
  }

  async performer(name: string): Promise<string> {
    return (await this.post("/admin/performers", { name, genre: "pop" })).id;
  }

  async venue(input: VenueInput): Promise<string> {
    return (await this.post("/admin/venues", input)).id;
  }

  async event(input: EventInput): Promise<string> {
    const startsAt = input.startsAt ?? daysFromNow(30);
    const body = {
      name: input.name,
      description: input.description ?? "",
      type: input.type ?? "concert",
      venueId: input.venueId,
      performerIds: input.performerIds ?? [],
      startsAt,
      onSaleAt:
        input.onSaleAt ?? new Date(Math.min(Date.now(), Date.parse(startsAt)) - 86_400_000).toISOString(),
      sections: [{ name: "Floor", priceCents: 5_000, rows: [{ label: "1", seats: 2 }] }],
    };
    return (await this.post("/admin/events", body)).event.id;
  }

  async patchEvent(eventId: string, changes: Record<string, unknown>): Promise<void> {
    const answer = await this.system.request("PATCH", `/admin/events/${eventId}`, {
      token: await this.token(),
      body: changes,
    });
    if (answer.status !== 200) throw new Error(`PATCH: ${answer.status} ${JSON.stringify(answer.body)}`);
  }

  async deleteEvent(eventId: string): Promise<void> {
    const answer = await this.system.request("DELETE", `/admin/events/${eventId}`, {
      token: await this.token(),
    });
    if (answer.status !== 200) throw new Error(`DELETE: ${answer.status} ${JSON.stringify(answer.body)}`);
  }
}

/** GET /events/search with these parameters; returns status, body and headers. */
export function search(system: TestSystem, params: Record<string, string>, headers?: Record<string, string>) {
  const query = new URLSearchParams(params).toString();
  return system.request("GET", `/events/search${query ? `?${query}` : ""}`, { headers });
}

/** Ids of the results of a successful search (fails on any other status). */
export async function searchIds(system: TestSystem, params: Record<string, string>): Promise<string[]> {
  const answer = await search(system, params);
  if (answer.status !== 200)
    throw new Error(`search ${JSON.stringify(params)}: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body.results.map((result: { id: string }) => result.id);
}
