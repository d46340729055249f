// The services a node can run, by name. SERVICES=all (the default) runs every one in one process;
// a multi-node deployment names a subset per node (e.g. SERVICES=api or SERVICES=booking).
import type { ServiceSchema } from "moleculer";
import type { Runtime } from "./platform/runtime.ts";
import { createApiService } from "./gateway/api.service.ts";
import { createCatalogService } from "./catalog/catalog.service.ts";
import { createBookingService } from "./actors/booking/booking.service.ts";
import { createWaitingRoomService } from "./actors/waiting-room/waiting-room.service.ts";
import { createIndexerService } from "./indexer/indexer.service.ts";
import { createSearchService } from "./indexer/search.service.ts";
import { createWebhooksService } from "./webhooks/webhooks.service.ts";

export type ServiceFactory = (runtime: Runtime) => ServiceSchema;

export const serviceFactories: Record<string, ServiceFactory> = {
  api: createApiService,
  catalog: createCatalogService,
  booking: (runtime) => createBookingService(runtime),
  "waiting-room": createWaitingRoomService,
  search: createSearchService,
  indexer: createIndexerService,
  webhooks: createWebhooksService,
};

/** The factories of the services named in SERVICES, out of `factories` (every known one by default). */
export function selectServices(
  names: string[],
  factories: Record<string, ServiceFactory> = serviceFactories,
): ServiceFactory[] {
  if (names.includes("all")) return Object.values(factories);
  return names.map((name) => {
    const factory = factories[name];
    if (!factory)
      throw new Error(`unknown service "${name}" in SERVICES (known: ${Object.keys(factories).join(", ")})`);
    return factory;
  });
}
