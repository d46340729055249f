// The services a node can run, by name. SERVICES=all (the default) runs every one in one process;
// a multi-node deployment names a subset per node (e.g. SERVICES=api or SERVICES=booking).
import type { ServiceSchema } from "moleculer";
import type { Runtime } from "./platform/runtime.ts";
import { createApiService } from "./gateway/api.service.ts";
import { createCatalogService } from "./catalog/catalog.service.ts";
import { createBookingService } from "./actors/booking/booking.service.ts";
import { createClassicBookingService } from "./loadtest/classic/classic-booking.service.ts";
import { createWaitingRoomService } from "./actors/waiting-room/waiting-room.service.ts";
import { createIndexerService } from "./indexer/indexer.service.ts";
import { createSearchService } from "./indexer/search.service.ts";

export type ServiceFactory = (runtime: Runtime) => ServiceSchema;

export const serviceFactories: Record<string, ServiceFactory> = {
  api: createApiService,
  catalog: createCatalogService,
  // BOOKING_ENGINE=classic swaps in the baseline engine the rush compares with (same actions).
  booking: (runtime) =>
    runtime.config.bookingEngine === "classic"
      ? createClassicBookingService(runtime)
      : createBookingService(runtime),
  "waiting-room": createWaitingRoomService,
  search: createSearchService,
  indexer: createIndexerService,
};

export function selectServices(names: string[]): ServiceFactory[] {
  if (names.includes("all")) return Object.values(serviceFactories);
  return names.map((name) => {
    const factory = serviceFactories[name];
    if (!factory)
      throw new Error(
        `unknown service "${name}" in SERVICES (known: ${Object.keys(serviceFactories).join(", ")})`,
      );
    return factory;
  });
}
