// The public view of an event, per the contract (plus a few extra fields).
import type { EventRecord } from "./catalog.repository.ts";

export function publicEvent(event: EventRecord) {
  return {
    id: event.id,
    name: event.name,
    description: event.description,
    type: event.type,
    startsAt: event.startsAt,
    onSaleAt: event.onSaleAt,
    venueId: event.venueId,
    performerIds: event.performerIds,
    waitingRoom: event.waitingRoom,
    ticketsPerUserMax: event.ticketsPerUserMax,
    ticketCount: event.ticketCount,
    currency: event.currency,
    sections: event.sections,
  };
}
