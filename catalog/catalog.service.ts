// The catalog: performers, venues and events and their seat maps (admin writes, public reads).
import { randomUUID } from "node:crypto";
import type { Context, ServiceBroker, ServiceSchema } from "moleculer";
import type { Runtime } from "../platform/runtime.ts";
import { createJsonCache } from "../platform/cache.ts";
import { eventChangedEvent, seatsChangedEvent, type SeatsChanged } from "../domain/messages.ts";
import { eventAdminActions } from "./event-admin-actions.ts";
import { eventReadActions } from "./event-read-actions.ts";
import { performerVenueActions } from "./performer-venue-actions.ts";
import { performerVenueReads } from "./performer-venue-reads.ts";
import { presaleActions } from "./presales.ts";
import { seatMapActions } from "./seat-map-actions.ts";
import { createSeatMapMetrics, type SeatMapMetrics } from "./seat-map-metrics.ts";
import { SeatMapReader } from "./seat-map-reader.ts";
import { seatMapSources } from "./seat-map-sources.ts";

export function createCatalogService(runtime: Runtime): ServiceSchema {
  const { db } = runtime;
  const cache = createJsonCache(runtime.redis);
  let broker: ServiceBroker | null = null;
  let metrics: SeatMapMetrics | null = null;
  let log: ServiceBroker["logger"] | null = null;
  // One reader for every seat-map read of this node: the snapshots it follows and their renders.
  const seatMaps = new SeatMapReader({
    sources: seatMapSources(db, () => broker!),
    // The coalescing window is wall time (a test's injected clock may stand still).
    now: () => performance.now(),
    windowMs: runtime.config.seatMapCoalesceMs,
    onFetch: (reason) => metrics?.fetch(reason),
    onRender: (kind) => metrics?.render(kind),
    onWarning: (message, details) => log?.warn(details, message),
  });
  // Every catalog node follows every delta and deletion (a group of its own, like the gateways).
  const group = `catalog-${randomUUID()}`;
  return {
    name: "catalog",
    actions: {
      ...performerVenueActions(db),
      ...performerVenueReads(db),
      ...eventAdminActions(runtime, cache),
      ...eventReadActions(db, cache, seatMaps),
      ...seatMapActions(db, seatMaps, runtime.clock),
      ...presaleActions(runtime),
    },
    events: {
      [seatsChangedEvent]: {
        group,
        handler(ctx: Context<SeatsChanged>) {
          seatMaps.receive(ctx.params);
        },
      },
      [eventChangedEvent]: {
        group,
        handler(ctx: Context<{ eventId: string; event: unknown }>) {
          const event = ctx.params?.event as { currency: string; onSaleAt: string } | null | undefined;
          // A currency changes only before the sale (catalog/event-update.ts); the layout that states
          // it (and how long it may be cached) is then built again.
          const { eventId } = ctx.params ?? {};
          if (event === null || (event && !seatMaps.layoutMatches(eventId, event.currency, event.onSaleAt)))
            seatMaps.forget(eventId);
        },
      },
    },
    created(this: any) {
      this.seatMaps = seatMaps; // read by tests: the renders and fetches counted on this node
      broker = this.broker;
      log = this.broker.getLogger("catalog-seat-maps");
      metrics = createSeatMapMetrics(this.broker);
    },
  } as ServiceSchema;
}
