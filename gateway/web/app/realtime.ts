// One Socket.IO connection per tab, per the contract: `subscribe {eventId}` with an ack carrying the
// current version, then `seats` deltas; `queue` events for the signed-in user (the socket presents the
// user's token in the handshake `auth.token`). Re-subscribes after every reconnect.
import {
  connectRealtime,
  type MarqueeSocket,
  type QueueStatus,
  type SeatsFrame,
} from "../../../client/src/index.ts";
import { currentToken, onSessionChange } from "./session.ts";

/** A `queue` push or answer (pushes name no event: the page checks `eventId` when there is one). */
export type QueueState = QueueStatus & { eventId?: string };

const subscribeAckTimeoutMs = 5_000;
let socket: MarqueeSocket | null = null;

function connection(): MarqueeSocket {
  if (socket) return socket;
  socket = connectRealtime("", {
    // Read at every (re)connection: the token current at that moment.
    token: currentToken,
    reconnectionDelay: 500,
    reconnectionDelayMax: 10_000,
    timeout: 10_000,
  });
  onSessionChange(() => {
    socket?.disconnect().connect();
  });
  return socket;
}

export interface SeatSubscription {
  /** The seat version the page has (sent with every subscribe). */
  currentVersion(): number;
  onDelta(delta: SeatsFrame): void;
  /** The server's seat version at (re)subscription. */
  onSubscribed(version: number): void;
  onResync(): void;
  onConnectionChange(connected: boolean): void;
}

export function subscribeSeats(eventId: string, handlers: SeatSubscription): () => void {
  const live = connection();
  const subscribe = () => {
    const request = { eventId, version: handlers.currentVersion() };
    live.timeout(subscribeAckTimeoutMs).emit("subscribe", request, (error, answer) => {
      if (error || !answer || "error" in answer) {
        handlers.onConnectionChange(false);
        return;
      }
      handlers.onConnectionChange(true);
      handlers.onSubscribed(answer.version);
    });
  };
  const onSeats = (delta: SeatsFrame) => {
    if (delta?.eventId === eventId) handlers.onDelta(delta);
  };
  const onResync = (data: { eventId: string }) => {
    if (data?.eventId === eventId) handlers.onResync();
  };
  const onDisconnect = () => handlers.onConnectionChange(false);
  const onConnectError = () => handlers.onConnectionChange(false);
  live.on("connect", subscribe);
  live.on("disconnect", onDisconnect);
  live.on("connect_error", onConnectError);
  live.on("seats", onSeats);
  live.on("resync", onResync);
  if (live.connected) subscribe();
  return () => {
    live.off("connect", subscribe);
    live.off("disconnect", onDisconnect);
    live.off("connect_error", onConnectError);
    live.off("seats", onSeats);
    live.off("resync", onResync);
    if (live.connected) live.emit("unsubscribe", { eventId });
  };
}

/** Queue updates pushed to this user; `onReconnect` lets the page re-poll after a gap. */
export function onQueueUpdate(listener: (state: QueueState) => void, onReconnect: () => void): () => void {
  const live = connection();
  live.on("queue", listener);
  live.on("connect", onReconnect);
  return () => {
    live.off("queue", listener);
    live.off("connect", onReconnect);
  };
}

/** Another per-user push (`realtime.toUser`), e.g. the waiting list's `waitlist` offers. */
export function onUserPush(event: "waitlist", listener: (data: unknown) => void): () => void {
  // The typed client names the v1 events only; any per-user event arrives the same way.
  const live = connection() as unknown as {
    on(name: string, listener: (data: unknown) => void): void;
    off(name: string, listener: (data: unknown) => void): void;
  };
  live.on(event, listener);
  return () => live.off(event, listener);
}

export const isRealtimeConnected = (): boolean => socket?.connected ?? false;
