// The real-time protocol: Socket.IO event maps and the frames sent over Socket.IO and SSE.
// Shapes follow CONTRACT.md (Real-time); the extensions (resync, subscribe.version) are in README.
import type { SeatChange } from "../../domain/messages.ts";

/** One fan-out frame: the changes that take an event's seat map from `fromVersion` to `toVersion`. */
export interface SeatsFrame {
  eventId: string;
  /** The version before the first change of this frame (= the previous frame's `toVersion`). */
  fromVersion: number;
  toVersion: number;
  /** The last status of every ticket changed in (fromVersion, toVersion]. */
  changes: SeatChange[];
}

/**
 * The same frame for clients that asked for `format: "compact"`: ticket ordinals grouped by status
 * (a ticket id is `<eventId>.<ordinal>`), about a sixth of the bytes of `changes`. A ticket id that
 * is not of that form is listed in `other`.
 */
export interface SeatsCompactFrame {
  eventId: string;
  fromVersion: number;
  toVersion: number;
  available: number[];
  reserved: number[];
  booked: number[];
  other?: SeatChange[];
}

export type FrameFormat = "full" | "compact";

/** Sent instead of frames that were dropped: refetch `/events/:id/tickets`, then keep applying frames. */
export interface ResyncNotice {
  eventId: string;
  /** The `fromVersion` of the next frame this client will get. */
  version: number;
  /** lagging: this client could not keep up; gap: versions were lost upstream; expired: the versions
   * a resuming client asked for are no longer buffered. */
  reason: "lagging" | "gap" | "expired";
}

/** Every error a client gets, in the contract's error shape. */
export interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

export interface SubscribeRequest {
  eventId: string;
  /** The version the client already has: frames after it are replayed when still buffered. */
  version?: number;
  /** `full` (default): `seats` frames per the contract; `compact`: `seatsCompact` frames. */
  format?: FrameFormat;
}
export type SubscribeAnswer = { eventId: string; version: number } | ErrorBody;
export type UnsubscribeAnswer = { eventId: string; subscribed: false } | ErrorBody;

export interface ClientToServerEvents {
  subscribe: (request: SubscribeRequest, ack: (answer: SubscribeAnswer) => void) => void;
  unsubscribe: (request: { eventId: string }, ack?: (answer: UnsubscribeAnswer) => void) => void;
}

export interface ServerToClientEvents {
  seats: (frame: SeatsFrame) => void;
  seatsCompact: (frame: SeatsCompactFrame) => void;
  resync: (notice: ResyncNotice) => void;
  /** Waiting-room pushes (`realtime.toUser`): the shape of `GET /events/:id/queue`. Other per-user
   * event names a service sends through `realtime.toUser` are forwarded the same way. */
  queue: (data: unknown) => void;
  /** Waiting-list offers: `{"eventId", ...}` with the shape of `GET /events/:id/waitlist`. */
  waitlist: (data: unknown) => void;
}

// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface InterServerEvents {}

export interface SocketData {
  userId?: string;
  /** Event ids this socket follows (bounded by subscriptionsPerSocketMax). */
  subscriptions: Set<string>;
  /** Set while the socket's frames are being dropped because it cannot keep up. */
  lagging: boolean;
}

export const seatsRoom = (eventId: string, format: FrameFormat = "full"): string =>
  format === "full" ? `seats:${eventId}` : `seats-${format}:${eventId}`;
export const userRoom = (userId: string): string => `user:${userId}`;
