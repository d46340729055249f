// Tells the booking engine when the ring of booking nodes changes. The Shard strategy routes each
// event by the sorted ids of the nodes with an available `booking.execute`, so a change of that set
// is a change of which node owns which events. Moleculer announces membership on its local bus
// ($node.connected, $node.updated, $node.disconnected, $services.changed), each after the registry
// took the change in; most of them (a node's INFO without a service change) leave the ring as it is.
import type { ServiceBroker } from "moleculer";

const membershipEvents = ["$node.connected", "$node.updated", "$node.disconnected", "$services.changed"];

/** The sorted ids of the nodes the Shard strategy spreads `booking.execute` over. */
export function bookingNodes(broker: ServiceBroker): string[] {
  const endpoints = (broker.registry as any).getActionEndpoints("booking.execute")?.endpoints ?? [];
  return endpoints
    .filter((endpoint: { isAvailable: boolean }) => endpoint.isAvailable)
    .map((endpoint: { id: string }) => endpoint.id)
    .sort();
}

/** The ring as one string (bookingNodes joined). */
export const bookingRing = (broker: ServiceBroker): string => bookingNodes(broker).join("\n");

/** Calls `onChange` on every change of the ring; returns the function that stops watching. */
export function watchBookingRing(broker: ServiceBroker, onChange: () => void): () => void {
  let ring = bookingRing(broker);
  const check = (): void => {
    const now = bookingRing(broker);
    if (now === ring) return;
    ring = now;
    onChange();
  };
  for (const event of membershipEvents) broker.localBus.on(event, check);
  return () => {
    for (const event of membershipEvents) broker.localBus.off(event, check);
  };
}
