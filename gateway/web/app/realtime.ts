// One Socket.IO connection per tab, per the contract: `subscribe {eventId}` with an ack carrying the
// current version, then `seats` deltas; `queue` events for the signed-in user (the socket presents the
// user's token in the handshake `auth.token`). Re-subscribes after every reconnect.
import { io, type Socket } from "socket.io-client";
import type { SeatDelta } from "./seatmap/board.ts";
import { currentToken, onSessionChange } from "./session.ts";

export interface QueueState {
  eventId?: string;
  status: "waiting" | "admitted";
  position: number | null;
  estimatedWaitSeconds: number;
  admissionToken?: string;
}

interface ServerToClientEvents {
  seats(delta: SeatDelta): void;
  queue(state: QueueState): void;
  /** A slow client is told to refetch rather than be sent an unbounded backlog. */
  resync(data: { eventId: string }): void;
}

interface ClientToServerEvents {
  /** `version` (an extension of the contract): the version the client has, so that frames after it
   * are replayed while the server still buffers them instead of the client refetching the map. */
  subscribe(
    data: { eventId: string; version?: number },
    ack: (answer: { version?: number; error?: unknown }) => void,
  ): void;
  unsubscribe(data: { eventId: string }): void;
}

type MarqueeSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

const subscribeAckTimeoutMs = 5_000;
let socket: MarqueeSocket | null = null;

function connection(): MarqueeSocket {
  if (socket) return socket;
  socket = io({
    path: "/socket.io",
    // A function, so every (re)connection presents the token current at that moment.
    auth: (callback) => callback(currentToken() ? { token: currentToken() } : {}),
    reconnectionDelay: 500,
    reconnectionDelayMax: 10_000,
    timeout: 10_000,
  }) as MarqueeSocket;
  onSessionChange(() => {
    socket?.disconnect().connect();
  });
  return socket;
}

export interface SeatSubscription {
  /** The seat version the page has (sent with every subscribe). */
  currentVersion(): number;
  onDelta(delta: SeatDelta): void;
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
      if (error || typeof answer?.version !== "number") {
        handlers.onConnectionChange(false);
        return;
      }
      handlers.onConnectionChange(true);
      handlers.onSubscribed(answer.version);
    });
  };
  const onSeats = (delta: SeatDelta) => {
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

export const isRealtimeConnected = (): boolean => socket?.connected ?? false;
