// The booking ring as a test node sees it: which node the Shard strategy sends an event's commands to.
import type { ServiceBroker } from "moleculer";

export { bookingNodes } from "../../actors/booking/ring-watch.ts";

/** The node the Shard strategy sends this event's commands to, as `broker` sees the ring. */
export const ownerOf = (broker: ServiceBroker, eventId: string): string | undefined =>
  (broker.registry as any).getActionEndpoints("booking.execute")?.next({ params: { eventId } })?.id;
