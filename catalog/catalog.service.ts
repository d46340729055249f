// The catalog: performers, venues, events and their tickets (admin writes, public reads).
import type { ServiceSchema } from "moleculer";
import type { Runtime } from "../platform/runtime.ts";
import { createJsonCache } from "../platform/cache.ts";
import { eventAdminActions } from "./event-admin-actions.ts";
import { eventReadActions } from "./event-read-actions.ts";
import { LiveSeatReader } from "./live-seats.ts";
import { performerVenueActions } from "./performer-venue-actions.ts";
import { seatMapActions } from "./seat-map-actions.ts";

export function createCatalogService(runtime: Runtime): ServiceSchema {
  const { db } = runtime;
  const cache = createJsonCache(runtime.redis);
  // One reader for every seat-map read: it keeps the rendered seat maps between them.
  const liveSeats = new LiveSeatReader(db);
  return {
    name: "catalog",
    actions: {
      ...performerVenueActions(db),
      ...eventAdminActions(runtime, cache),
      ...eventReadActions(db, cache, liveSeats),
      ...seatMapActions(db, liveSeats),
    },
  };
}
