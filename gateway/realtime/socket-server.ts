// Socket.IO on the gateway's HTTP server: `subscribe` / `unsubscribe` per event (one room per
// event), seat frames fanned out to the rooms (socket.io encodes each frame once for all sockets),
// per-user rooms for `realtime.toUser`, and a bound on every buffer: a socket that cannot keep up
// stops getting frames and is told to resync once it has drained. Each client (user, else address)
// holds at most so many connections and starts at most so many handshakes a second
// (socket-handshake-gate.ts).
import type { Server as HttpServer } from "node:http";
import { Server } from "socket.io";
import { systemClock, type Clock } from "../../domain/clock.ts";
import {
  socketBufferedBytesMax,
  socketBufferedPacketsMax,
  socketConnectionsPerClientMaxDefault,
  socketConnectionsPerNodeMax,
  socketHandshakesPerClientPerSecondDefault,
  socketMessageBytesMax,
} from "../../domain/limits.ts";
import { MarqueeError } from "../../domain/errors.ts";
import type { TokenVerifier } from "../auth.ts";
import { clientOf, userClientKey, type ClientOf } from "../client-key.ts";
import { headerValue } from "../http-message.ts";
import { ClientSlots, HandshakeRate } from "./client-caps.ts";
import { compactFrame } from "./compact.ts";
import { fanout } from "./fanout.ts";
import { seatsRoom, type FrameFormat, userRoom, type ErrorBody, type SeatsFrame } from "./protocol.ts";
import { validUserEventName } from "./requests.ts";
import type { FrameSink, SeatChannel, SeatHub } from "./seat-hub.ts";
import { createLagGuard, type LagGuard } from "./socket-lag.ts";
import { errorBody, type RealtimeServer, type RealtimeSocket } from "./socket-state.ts";
import { installHandshakeGate, type HandshakeGate } from "./socket-handshake-gate.ts";
import { createSocketSubscriptions } from "./socket-subscriptions.ts";

export type { RealtimeServer } from "./socket-state.ts";

export interface SocketServerOptions {
  hub: SeatHub;
  tokens: TokenVerifier;
  connectionsMax?: number;
  /** The client a handshake counts against; by default its bearer token's user, else its peer address. */
  clientOf?: ClientOf;
  /** Connections one client may hold on this node, and handshakes it may start per second. */
  connectionsPerClientMax?: number;
  handshakesPerClientPerSecond?: number;
  clock?: Clock;
  /** A handshake or sign-in refused by a per-client cap. */
  onRefused?(reason: "handshakes" | "connections"): void;
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

/**
 * Sets up a socket's state. Optional auth: a valid JWT in `auth.token` names the socket's user, and
 * its connection then counts against that user rather than its address (refused when the user holds
 * all its connections).
 */
function socketAuthentication(tokens: TokenVerifier, gate: HandshakeGate) {
  return (socket: RealtimeSocket, next: (error?: Error) => void): void => {
    socket.data.subscriptions = new Map();
    socket.data.subscribing = 0;
    socket.data.lagging = false;
    const token = (socket.handshake.auth as Record<string, unknown> | undefined)?.token;
    if (token === undefined || token === null || token === "") return next();
    const refuse = (message: string) => (error: unknown) => {
      const refusal = new Error(message) as Error & { data?: ErrorBody };
      refusal.data = errorBody(error);
      next(refusal);
    };
    if (typeof token !== "string")
      return refuse("Authentication failed")(
        new MarqueeError("UNAUTHENTICATED", "auth.token must be a string"),
      );
    tokens.verify(`Bearer ${token}`).then((user) => {
      const full = gate.moveTo(socket.conn, userClientKey(user!.id));
      if (full) {
        refuse("Too many connections")(full);
        // The refusal is queued on the connection by now (next tick); closing flushes it, then frees the slot.
        return void setImmediate(() => socket.conn.close());
      }
      socket.data.userId = user!.id;
      next();
    }, refuse("Authentication failed"));
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
  const gate = installHandshakeGate(io, {
    clientOf:
      options.clientOf ??
      clientOf((request) => tokens.verify(headerValue(request.headers.authorization)), new Set()),
    slots: new ClientSlots(options.connectionsPerClientMax ?? socketConnectionsPerClientMaxDefault),
    rate: new HandshakeRate(
      options.handshakesPerClientPerSecond ?? socketHandshakesPerClientPerSecondDefault,
      options.clock ?? systemClock,
    ),
    onRefused: options.onRefused,
  });
  io.use(socketAuthentication(tokens, gate));
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
      // Every gateway node gets every push (a broadcast) and most are for users with no socket here
      // (they poll, or hold their socket on another node): Socket.IO's emit to an empty room still
      // builds the packet and its broadcast, ~6 KB of garbage per push in a waiting-room rush.
      const room = userRoom(userId);
      if (!io.sockets.adapter.rooms.has(room)) return;
      (io.to(room) as any).emit(event, data);
    },
    async close() {
      lag.close();
      await io.close();
    },
  };
}
