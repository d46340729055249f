// The internal actions that reach this node's engine (`booking.execute`, `booking.seatMap`: their
// `eventId` param lets the Shard strategy route them to the event's owner), and the catalog event
// that updates an event's sale settings in its engine.
import type { Context, ServiceSchema } from "moleculer";
import { staleRetriesMax } from "../../domain/limits.ts";
import { maxActiveShoppersOf, type Command, type SaleSettings } from "../../domain/seat-state.ts";
import { isStaleOwner } from "./actor-pool.ts";
import { eventIdSchema, internalBulkhead } from "./action-schemas.ts";
import type { BookingEngine } from "./booking-engine.ts";

export function engineActions(engine: BookingEngine): ServiceSchema["actions"] {
  return {
    /** The live seat map from the engine (holds show as reserved). */
    seatMap: {
      visibility: "public",
      params: { eventId: eventIdSchema, $$strict: true },
      bulkhead: internalBulkhead,
      async handler(ctx: Context<{ eventId: string }>) {
        for (let attempt = 1; ; attempt++) {
          try {
            const snapshot = await engine.seatMap(ctx.params.eventId);
            // Compact (one byte a seat, base64): a 100,000-seat map as Ticket objects is ~10 MB,
            // over NATS's 1 MB payload limit. The catalog expands it with the event's layout.
            return {
              eventId: snapshot.eventId,
              version: snapshot.version,
              statuses: Buffer.from(
                snapshot.statuses.buffer,
                snapshot.statuses.byteOffset,
                snapshot.statuses.length,
              ).toString("base64"),
            };
          } catch (error) {
            if (!isStaleOwner(error) || attempt >= staleRetriesMax) throw error;
          }
        }
      },
    },

    /** Runs one command on the event's engine on this node (routed here by the Shard strategy). */
    execute: {
      visibility: "public",
      params: {
        eventId: eventIdSchema,
        command: { type: "object" },
        ifActive: { type: "boolean", optional: true },
      },
      bulkhead: internalBulkhead,
      handler(ctx: Context<{ eventId: string; command: Command; ifActive?: boolean }>) {
        return engine.execute(ctx.params.eventId, ctx.params.command, ctx.params.ifActive);
      },
    },
  };
}

export const engineEvents = {
  /**
   * An admin changed an event: the owning actor (if active) takes the new sale window, per-user cap
   * and waiting room (its maxActiveShoppers, or null once the room is off).
   */
  "catalog.eventChanged": {
    handler(this: any, ctx: Context<{ eventId: string; event: any }>) {
      const { eventId, event } = ctx.params;
      const settings: Partial<SaleSettings> = event
        ? {
            active: true,
            onSaleAt: Date.parse(event.onSaleAt),
            startsAt: Date.parse(event.startsAt),
            ticketsPerUserMax: event.ticketsPerUserMax,
            maxActiveShoppers: maxActiveShoppersOf(event.waitingRoom),
          }
        : { active: false };
      return ctx
        .call("booking.execute", { eventId, command: { type: "updateSettings", settings }, ifActive: true })
        .catch((error: Error) => this.logger.warn({ eventId, error: error.message }, "settings not applied"));
    },
  },
};
