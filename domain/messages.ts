// Moleculer events that cross service boundaries: the names and payloads, in one place.

/** Emitted by the booking actor after each committed batch that changed seats of an event. */
export const seatsChangedEvent = "booking.seatsChanged";
export interface SeatChange {
  ticketId: string;
  status: "available" | "reserved" | "booked";
}
export interface SeatsChanged {
  eventId: string;
  /** The version before the first change; versions are continuous per event. */
  fromVersion: number;
  toVersion: number;
  changes: SeatChange[];
  /** Epoch ms when the batch committed (delivery latency is measured from here). */
  committedAt: number;
}

/** Emitted by the booking actor when a shopper's holds end, for the waiting room's accounting. */
export const holdsEndedEvent = "booking.holdsEnded";
export interface HoldsEnded {
  eventId: string;
  userId: string;
  reason: "confirmed" | "released" | "expired";
  /** The latest waiting-room admission the user used, spent now (absent: they used none). */
  admissionExpiresAtMs?: number;
}

/** Any service can ask the gateways to push a Socket.IO event to one user's sockets. */
export const toUserEvent = "realtime.toUser";
export interface ToUser {
  userId: string;
  event: string;
  data: unknown;
}

/**
 * Many pushes in one broadcast (a waiting room's tick: admissions and positions, up to
 * `userPushesPerBroadcastMax`), each delivered as a `realtime.toUser` would be: one event through
 * the broker per tick instead of one per user.
 */
export const toUsersEvent = "realtime.toUsers";
export interface ToUsers {
  pushes: ToUser[];
}

/** Emitted by the catalog after an admin change (caches listen). */
export const eventChangedEvent = "catalog.eventChanged";

/** Broadcast by the indexer after each index write: search nodes drop cached results older than it. */
export const searchIndexChangedEvent = "search.indexChanged";
export interface SearchIndexChanged {
  /** The indexer's outbox position after the write; grows with every write. */
  position: number;
}
