// Socket.IO with typed events (the frames' types come from the OpenAPI document's components), and
// `followSeats`: subscribe to an event's seat frames and feed them to a SeatSync, subscribing again
// after every reconnect with the version the board has (frames after it are replayed while buffered).
import { io, type ManagerOptions, type Socket, type SocketOptions } from "socket.io-client";
import type { SeatSync } from "./seat-sync.ts";
import type {
  ErrorBody,
  QueueStatus,
  ResyncNotice,
  SeatsCompactFrame,
  SeatsFrame,
  SubscribeAnswer,
  SubscribeRequest,
  WaitlistPush,
} from "./types.ts";

export interface ServerToClientEvents {
  seats(frame: SeatsFrame): void;
  seatsCompact(frame: SeatsCompactFrame): void;
  /** Frames were dropped for this client: refetch the map, then keep applying frames. */
  resync(notice: ResyncNotice): void;
  /** The signed-in user's place in a waiting room (the shape of `GET /events/{eventId}/queue`). */
  queue(status: QueueStatus): void;
  /** Seats offered to the signed-in user from an event's waiting list (needs the token too). */
  waitlist(entry: WaitlistPush): void;
}

export interface ClientToServerEvents {
  subscribe(request: SubscribeRequest, ack: (answer: SubscribeAnswer) => void): void;
  unsubscribe(
    request: { eventId: string },
    ack?: (answer: { eventId: string; subscribed: false } | ErrorBody) => void,
  ): void;
}

export type MarqueeSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export interface RealtimeOptions extends Partial<ManagerOptions & SocketOptions> {
  /** The user's bearer token, read at every (re)connection: `queue` events need it. */
  token?: () => string | null | undefined;
}

/** A Socket.IO connection to the gateway (`baseUrl` "" or absent: the page's own origin). */
export function connectRealtime(baseUrl = "", options: RealtimeOptions = {}): MarqueeSocket {
  const { token, ...socketOptions } = options;
  const settings: Partial<ManagerOptions & SocketOptions> = {
    path: "/socket.io",
    auth: (callback) => {
      const current = token?.();
      callback(current ? { token: current } : {});
    },
    ...socketOptions,
  };
  return (baseUrl ? io(baseUrl, settings) : io(settings)) as MarqueeSocket;
}

export interface FollowOptions {
  format?: "full" | "compact";
  /** Subscribe answers that do not come within this long count as a failure (default 5 s). */
  ackTimeoutMs?: number;
  /** Live (subscribed) or not (disconnected, refused). */
  onConnectionChange?(connected: boolean): void;
}

/** Feeds an event's frames to `sync`; returns the function that stops following. */
export function followSeats<Snapshot extends { version: number }>(
  socket: MarqueeSocket,
  eventId: string,
  sync: SeatSync<Snapshot, SeatsFrame | SeatsCompactFrame> | SeatSync<Snapshot, SeatsFrame>,
  options: FollowOptions = {},
): () => void {
  const format = options.format ?? "full";
  const subscribe = () => {
    const request: SubscribeRequest = { eventId, version: sync.board.version, format };
    socket.timeout(options.ackTimeoutMs ?? 5_000).emit("subscribe", request, (error, answer) => {
      const version = error || !answer || "error" in answer ? undefined : answer.version;
      options.onConnectionChange?.(version !== undefined);
      if (version !== undefined) sync.handleSubscribed(version);
    });
  };
  const onFrame = (frame: SeatsFrame | SeatsCompactFrame) => {
    if (frame?.eventId === eventId)
      (sync as SeatSync<Snapshot, SeatsFrame | SeatsCompactFrame>).handleDelta(frame);
  };
  const onResync = (notice: ResyncNotice) => {
    if (notice?.eventId === eventId) void sync.refetch();
  };
  const onDown = () => options.onConnectionChange?.(false);
  socket.on("connect", subscribe);
  socket.on("disconnect", onDown);
  socket.on("connect_error", onDown);
  socket.on(format === "full" ? "seats" : "seatsCompact", onFrame);
  socket.on("resync", onResync);
  if (socket.connected) subscribe();
  return () => {
    socket.off("connect", subscribe);
    socket.off("disconnect", onDown);
    socket.off("connect_error", onDown);
    socket.off(format === "full" ? "seats" : "seatsCompact", onFrame);
    socket.off("resync", onResync);
    if (socket.connected) socket.emit("unsubscribe", { eventId });
  };
}
