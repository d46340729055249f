// Where an event's command runs. An engine routed by event (the actors) runs it on the node that
// owns the event, chosen by the Shard strategy of `booking.execute`; any other engine runs it here.
import type { ServiceBroker } from "moleculer";
import { MarqueeError } from "../../domain/errors.ts";
import { staleRetriesMax } from "../../domain/limits.ts";
import type { Command } from "../../domain/seat-state.ts";
import { isStaleOwner } from "./actor-pool.ts";
import type { BookingEngine } from "./booking-engine.ts";

/** A Moleculer context or broker: whatever can call an action. */
export type Caller = { call(action: string, params: unknown): Promise<unknown> };

export interface LocalEngine {
  /** This node's broker; null until the service is created. */
  broker: ServiceBroker | null;
  engine: BookingEngine;
}

/**
 * Sends a command to the event's engine, wherever it runs. When the owner is this node, the command
 * goes straight to the local engine (no second Moleculer call on the hot path). A fenced-out (stale)
 * actor wrote nothing, so the command is simply sent again: re-routed to the current owner, or
 * re-activated here.
 */
export async function runCommand(
  caller: Caller,
  eventId: string,
  command: Command,
  local: LocalEngine,
): Promise<any> {
  if (!local.engine.routedByEvent) return local.engine.execute(eventId, command);
  for (let attempt = 1; ; attempt++) {
    try {
      if (local.broker && ownedHere(local.broker, eventId))
        return await local.engine.execute(eventId, command);
      return await caller.call("booking.execute", { eventId, command });
    } catch (error) {
      if (!isStaleOwner(error)) throw error;
      if (attempt >= staleRetriesMax)
        throw new MarqueeError(
          "UNAVAILABLE",
          "The event is moving between nodes; retry shortly",
          undefined,
          1,
        );
    }
  }
}

/** Whether the Shard strategy sends this event's commands to this node. */
export function ownedHere(broker: ServiceBroker, eventId: string): boolean {
  const endpoints = (broker.registry as any).getActionEndpoints("booking.execute");
  const endpoint = endpoints?.next({ params: { eventId } });
  return endpoint?.local === true;
}
