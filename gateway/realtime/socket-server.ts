// Socket.IO on the gateway's HTTP server: `subscribe` / `unsubscribe` per event (one room per
// event), seat frames fanned out to the rooms (socket.io encodes each frame once for all sockets),
// per-user rooms for `realtime.toUser`, and a bound on every buffer: a socket that cannot keep up
// stops getting frames and is told to resync once it has drained.
import type { Server as HttpServer } from "node:http";
import { Server, type Socket } from "socket.io";
import {
  realtimeLagCheckMs,
  socketBufferedBytesMax,
  socketBufferedPacketsMax,
  socketConnectionsPerNodeMax,
  socketMessageBytesMax,
  subscriptionsPerSocketMax,
} from "../../domain/limits.ts";
import { MarqueeError } from "../../domain/errors.ts";
import type { TokenVerifier } from "../auth.ts";
import { toHttpError } from "../errors.ts";
import { compactFrame } from "./compact.ts";
import { fanout } from "./fanout.ts";
import {
  seatsRoom,
  type FrameFormat,
  userRoom,
  type ClientToServerEvents,
  type ErrorBody,
  type InterServerEvents,
  type ResyncNotice,
  type SeatsFrame,
  type ServerToClientEvents,
  type SubscribeAnswer,
} from "./protocol.ts";
import { parseSubscribe, parseUnsubscribe, validUserEventName } from "./requests.ts";
import type { FrameSink, SeatChannel, SeatHub } from "./seat-hub.ts";

interface Subscription {
  /** The hub channel this socket holds a reference on. */
  channel: SeatChannel;
  format: FrameFormat;
  /** The version this socket was brought to (ack, replay, resync): frames ending at or before it are not sent. */
  sinceVersion: number;
}

interface SocketState {
  userId?: string;
  /** The events this socket follows. */
  subscriptions: Map<string, Subscription>;
  /** Subscribes still waiting for their channel (they count against the bound). */
  subscribing: number;
  lagging: boolean;
}

export type RealtimeServer = Server<
  ClientToServerEvents,
  ServerToClientEvents,
  InterServerEvents,
  SocketState
>;
type RealtimeSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketState>;

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

const errorBody = (error: unknown): ErrorBody => toHttpError(error).body;

/** Engine.IO packets not yet handed to the transport, and bytes the WebSocket has not yet sent. */
function backlog(socket: RealtimeSocket): { packets: number; bytes: number } {
  const connection = socket.conn as any;
  const buffer: { data?: unknown }[] = connection.writeBuffer ?? [];
  let bytes = 0;
  for (const packet of buffer) if (typeof packet.data === "string") bytes += packet.data.length;
  const ws = connection.transport?.socket;
  if (ws && typeof ws.bufferedAmount === "number") bytes += ws.bufferedAmount;
  return { packets: buffer.length, bytes };
}

/** Seat frames this socket has not sent yet are dropped: the client will refetch instead. */
function dropPendingFrames(socket: RealtimeSocket): void {
  const connection = socket.conn as any;
  if (!Array.isArray(connection.writeBuffer)) return;
  connection.writeBuffer = connection.writeBuffer.filter(
    (packet: { type: string; data?: unknown }) =>
      !(packet.type === "message" && typeof packet.data === "string" && packet.data.startsWith('2["seats"')),
  );
}

export function createSocketServer(httpServer: HttpServer, options: SocketServerOptions): SocketServer {
  const { hub, tokens } = options;
  const connectionsMax = options.connectionsMax ?? socketConnectionsPerNodeMax;
  const packetsMax = options.bufferedPacketsMax ?? socketBufferedPacketsMax;
  const bytesMax = options.bufferedBytesMax ?? socketBufferedBytesMax;
  const lagging = new Set<RealtimeSocket>();

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

  // Optional auth: a valid JWT in `auth.token` puts the socket in its user's room.
  io.use((socket, next) => {
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
  });

  io.on("connection", (socket) => {
    if (socket.data.userId) void socket.join(userRoom(socket.data.userId));
    socket.on("subscribe", (request, ack) => {
      subscribe(socket, request, ack).catch((error) => options.onError?.("subscribe failed", error));
    });
    socket.on("unsubscribe", (request, ack) => unsubscribe(socket, request, ack));
    socket.on("disconnect", () => {
      lagging.delete(socket);
      for (const { channel } of socket.data.subscriptions.values()) hub.release(channel);
      socket.data.subscriptions.clear();
    });
  });

  async function subscribe(socket: RealtimeSocket, raw: unknown, ack: unknown): Promise<void> {
    // The contract's subscribe carries an ack; without one there is nobody to answer.
    if (typeof ack !== "function") return;
    const answer = ack as (answer: SubscribeAnswer) => void;
    let request;
    try {
      request = parseSubscribe(raw);
    } catch (error) {
      return answer(errorBody(error));
    }
    const { eventId } = request;
    const format = request.format ?? "full";
    const state = socket.data;
    let subscription = state.subscriptions.get(eventId);
    if (!subscription) {
      if (state.subscriptions.size + state.subscribing >= subscriptionsPerSocketMax) {
        return answer(
          errorBody(
            new MarqueeError(
              "VALIDATION_ERROR",
              `A connection follows at most ${subscriptionsPerSocketMax} events`,
              {
                field: "eventId",
                limit: subscriptionsPerSocketMax,
              },
            ),
          ),
        );
      }
      state.subscribing += 1;
      let acquired: SeatChannel;
      try {
        acquired = await hub.acquire(eventId);
      } catch (error) {
        return answer(errorBody(error));
      } finally {
        state.subscribing -= 1;
      }
      if (!socket.connected) return hub.release(acquired);
      subscription = state.subscriptions.get(eventId);
      if (subscription) hub.release(acquired);
      else state.subscriptions.set(eventId, (subscription = { channel: acquired, format, sinceVersion: 0 }));
    }
    // From here on synchronous: the ack, any replayed frames and the room's next frame go out in order.
    if (subscription.format !== format) {
      void socket.leave(seatsRoom(eventId, subscription.format));
      subscription.format = format;
    }
    const { channel } = subscription;
    const current = channel.version;
    const missed = request.version === undefined ? null : channel.ring.framesAfter(request.version, current);
    answer({ eventId, version: missed ? request.version! : current });
    if (missed) for (const frame of missed) sendFrame(socket, frame, format);
    subscription.sinceVersion = current;
    // A lagging socket rejoins its rooms (with a resync) once it has drained.
    if (!state.lagging) void socket.join(seatsRoom(eventId, format));
  }

  function unsubscribe(socket: RealtimeSocket, raw: unknown, ack: unknown): void {
    const answer = typeof ack === "function" ? (ack as (answer: unknown) => void) : () => {};
    let eventId: string;
    try {
      eventId = parseUnsubscribe(raw).eventId;
    } catch (error) {
      return answer(errorBody(error));
    }
    const subscription = socket.data.subscriptions.get(eventId);
    if (subscription) {
      void socket.leave(seatsRoom(eventId, subscription.format));
      socket.data.subscriptions.delete(eventId);
      hub.release(subscription.channel);
    }
    answer({ eventId, subscribed: false });
  }

  function markLagging(socket: RealtimeSocket): void {
    socket.data.lagging = true;
    lagging.add(socket);
    for (const [eventId, { format }] of socket.data.subscriptions)
      void socket.leave(seatsRoom(eventId, format));
    dropPendingFrames(socket);
  }

  /** A lagging socket that has drained rejoins its rooms and is told where the stream continues. */
  function recoverDrained(): void {
    for (const socket of lagging) {
      if (!socket.connected) {
        lagging.delete(socket);
        continue;
      }
      const { packets, bytes } = backlog(socket);
      if (packets > 0 || bytes > bytesMax / 4) continue;
      lagging.delete(socket);
      socket.data.lagging = false;
      for (const [eventId, subscription] of socket.data.subscriptions) {
        const version = subscription.channel.version;
        subscription.sinceVersion = version;
        void socket.join(seatsRoom(eventId, subscription.format));
        socket.emit("resync", { eventId, version, reason: "lagging" });
      }
    }
  }
  const lagTimer = setInterval(recoverDrained, realtimeLagCheckMs);
  lagTimer.unref();

  function sendFrame(socket: RealtimeSocket, frame: SeatsFrame, format: FrameFormat): void {
    if (format === "compact") socket.emit("seatsCompact", compactFrame(frame));
    else socket.emit("seats", frame);
  }

  /** Whether a socket of the room gets this frame; one too far behind is switched to lagging instead. */
  function accepts(socket: RealtimeSocket, eventId: string, format: FrameFormat, frame: SeatsFrame): boolean {
    const subscription = socket.data.subscriptions.get(eventId);
    if (!subscription || subscription.format !== format || frame.toVersion <= subscription.sinceVersion)
      return false;
    if (socket.data.lagging) return false;
    const { packets, bytes } = backlog(socket);
    if (packets > packetsMax || bytes > bytesMax) {
      markLagging(socket);
      return false;
    }
    return true;
  }

  const roomSize = (room: string) => io.sockets.adapter.rooms.get(room)?.size ?? 0;

  const sink: FrameSink = {
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
    resync(channel: SeatChannel, notice: ResyncNotice) {
      io.to([seatsRoom(channel.eventId, "full"), seatsRoom(channel.eventId, "compact")]).emit(
        "resync",
        notice,
      );
    },
  };
  hub.addSink(sink);

  return {
    io,
    get laggingCount() {
      return lagging.size;
    },
    toUser(userId, event, data) {
      if (!validUserEventName(event)) throw new Error(`not a user event name: ${String(event)}`);
      (io.to(userRoom(userId)) as any).emit(event, data);
    },
    async close() {
      clearInterval(lagTimer);
      lagging.clear();
      await io.close();
    },
  };
}
