// Socket.IO on the gateway's HTTP server: `subscribe` / `unsubscribe` per event (one room per
// event), seat frames fanned out to the rooms (socket.io encodes each frame once for all sockets),
// per-user rooms for `realtime.toUser`, and a bound on every buffer: a socket that cannot keep up
// stops getting frames and is told to resync once it has drained.
import type { Server as HttpServer } from "node:http";
import { Server } from "socket.io";
import {
  socketBufferedBytesMax,
  socketBufferedPacketsMax,
  socketConnectionsPerNodeMax,
  socketMessageBytesMax,
} from "../../domain/limits.ts";
import { MarqueeError } from "../../domain/errors.ts";
import type { TokenVerifier } from "../auth.ts";
import { compactFrame } from "./compact.ts";
import { fanout } from "./fanout.ts";
import { seatsRoom, type FrameFormat, userRoom, type ErrorBody, type SeatsFrame } from "./protocol.ts";
import { validUserEventName } from "./requests.ts";
import type { FrameSink, SeatChannel, SeatHub } from "./seat-hub.ts";
import { createLagGuard, type LagGuard } from "./socket-lag.ts";
import { errorBody, type RealtimeServer, type RealtimeSocket } from "./socket-state.ts";
import { createSocketSubscriptions } from "./socket-subscriptions.ts";

export type { RealtimeServer } from "./socket-state.ts";

export interface SocketServerOptions {
  hub: SeatHub;
  tokens: TokenVerifier;
  connectionsMax?: number;
  bufferedPacketsMax?: number;
  bufferedBytesMax?: number;
  onError?(message: string, error: unknown): void;
}

export interface SocketServer {
  io: RealtimeServer;
  /** Sockets currently lagging (dropped frames, waiting to drain). */
  readonly laggingCount: number;
  /** `realtime.toUser`: push an event to every socket of one user on this node. */
  toUser(userId: string, event: string, data: unknown): void;
  close(): Promise<void>;
}

function createIo(httpServer: HttpServer, connectionsMax: number): RealtimeServer {
  const io: RealtimeServer = new Server(httpServer, {
    serveClient: false,
    maxHttpBufferSize: socketMessageBytesMax,
    // Compression would cost a deflate per client per frame; frames are encoded once for all.
    perMessageDeflate: false,
    httpCompression: false,
    allowRequest(_request, callback) {
      const full = io.engine.clientsCount >= connectionsMax;
      callback(full ? "Too many connections on this gateway" : null, !full);
    },
  });
  return io;
}

/** Sets up a socket's state. Optional auth: a valid JWT in `auth.token` names the socket's user. */
function socketAuthentication(tokens: TokenVerifier) {
  return (socket: RealtimeSocket, next: (error?: Error) => void): void => {
    socket.data.subscriptions = new Map();
    socket.data.subscribing = 0;
    socket.data.lagging = false;
    const token = (socket.handshake.auth as Record<string, unknown> | undefined)?.token;
    if (token === undefined || token === null || token === "") return next();
    const refuse = (error: unknown) => {
      const refusal = new Error("Authentication failed") as Error & { data?: ErrorBody };
      refusal.data = errorBody(error);
      next(refusal);
    };
    if (typeof token !== "string")
      return refuse(new MarqueeError("UNAUTHENTICATED", "auth.token must be a string"));
    tokens.verify(`Bearer ${token}`).then((user) => {
      socket.data.userId = user!.id;
      next();
    }, refuse);
  };
}

/** The hub's frames to the rooms of each format, to the sockets that follow and keep up. */
function roomsSink(io: RealtimeServer, lag: LagGuard): FrameSink {
  const roomSize = (room: string) => io.sockets.adapter.rooms.get(room)?.size ?? 0;
  const accepts = (socket: RealtimeSocket, eventId: string, format: FrameFormat, frame: SeatsFrame) => {
    const subscription = socket.data.subscriptions.get(eventId);
    if (!subscription || subscription.format !== format || frame.toVersion <= subscription.sinceVersion)
      return false;
    return lag.admits(socket);
  };
  return {
    // Encoded once per frame and format for all sockets; written in chunks (see fanout.ts).
    async frame(channel: SeatChannel, frame: SeatsFrame) {
      const { eventId } = channel;
      const full = seatsRoom(eventId, "full");
      if (roomSize(full) > 0)
        await fanout(io.sockets, full, "seats", frame, (socket: RealtimeSocket) =>
          accepts(socket, eventId, "full", frame),
        );
      const compact = seatsRoom(eventId, "compact");
      if (roomSize(compact) > 0)
        await fanout(io.sockets, compact, "seatsCompact", compactFrame(frame), (socket: RealtimeSocket) =>
          accepts(socket, eventId, "compact", frame),
        );
    },
    resync(channel, notice) {
      io.to([seatsRoom(channel.eventId, "full"), seatsRoom(channel.eventId, "compact")]).emit(
        "resync",
        notice,
      );
    },
  };
}

export function createSocketServer(httpServer: HttpServer, options: SocketServerOptions): SocketServer {
  const { hub, tokens } = options;
  const io = createIo(httpServer, options.connectionsMax ?? socketConnectionsPerNodeMax);
  const lag = createLagGuard({
    packetsMax: options.bufferedPacketsMax ?? socketBufferedPacketsMax,
    bytesMax: options.bufferedBytesMax ?? socketBufferedBytesMax,
  });
  const subscriptions = createSocketSubscriptions(hub);
  io.use(socketAuthentication(tokens));
  io.on("connection", (socket) => {
    if (socket.data.userId) void socket.join(userRoom(socket.data.userId));
    socket.on("subscribe", (request, ack) => {
      subscriptions
        .subscribe(socket, request, ack)
        .catch((error) => options.onError?.("subscribe failed", error));
    });
    socket.on("unsubscribe", (request, ack) => subscriptions.unsubscribe(socket, request, ack));
    socket.on("disconnect", () => {
      lag.forget(socket);
      subscriptions.releaseAll(socket);
    });
  });
  hub.addSink(roomsSink(io, lag));

  return {
    io,
    get laggingCount() {
      return lag.count;
    },
    toUser(userId, event, data) {
      if (!validUserEventName(event)) throw new Error(`not a user event name: ${String(event)}`);
      (io.to(userRoom(userId)) as any).emit(event, data);
    },
    async close() {
      lag.close();
      await io.close();
    },
  };
}
