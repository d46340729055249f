// The bound on a socket's buffers: a socket whose backlog grows past it stops getting seat frames
// (they are dropped: the client will refetch) and, once it has drained, rejoins its rooms and is told
// where the stream continues (`resync`, reason "lagging").
import { realtimeLagCheckMs } from "../../domain/limits.ts";
import { seatsRoom } from "./protocol.ts";
import type { RealtimeSocket } from "./socket-state.ts";

export interface LagGuard {
  /** Sockets currently lagging (dropped frames, waiting to drain). */
  readonly count: number;
  /** Whether the socket may be sent one more frame; one too far behind is switched to lagging instead. */
  admits(socket: RealtimeSocket): boolean;
  /** A socket that disconnected. */
  forget(socket: RealtimeSocket): void;
  close(): void;
}

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

/** A drained socket rejoins its rooms, each event's stream continuing from its current version. */
function rejoin(socket: RealtimeSocket): void {
  socket.data.lagging = false;
  for (const [eventId, subscription] of socket.data.subscriptions) {
    const version = subscription.channel.version;
    subscription.sinceVersion = version;
    void socket.join(seatsRoom(eventId, subscription.format));
    socket.emit("resync", { eventId, version, reason: "lagging" });
  }
}

export function createLagGuard(limits: { packetsMax: number; bytesMax: number }): LagGuard {
  const lagging = new Set<RealtimeSocket>();

  function markLagging(socket: RealtimeSocket): void {
    socket.data.lagging = true;
    lagging.add(socket);
    for (const [eventId, { format }] of socket.data.subscriptions)
      void socket.leave(seatsRoom(eventId, format));
    dropPendingFrames(socket);
  }

  function recoverDrained(): void {
    for (const socket of lagging) {
      if (!socket.connected) {
        lagging.delete(socket);
        continue;
      }
      const { packets, bytes } = backlog(socket);
      if (packets > 0 || bytes > limits.bytesMax / 4) continue;
      lagging.delete(socket);
      rejoin(socket);
    }
  }
  const lagTimer = setInterval(recoverDrained, realtimeLagCheckMs);
  lagTimer.unref();

  return {
    get count() {
      return lagging.size;
    },
    admits(socket) {
      if (socket.data.lagging) return false;
      const { packets, bytes } = backlog(socket);
      if (packets <= limits.packetsMax && bytes <= limits.bytesMax) return true;
      markLagging(socket);
      return false;
    },
    forget(socket) {
      lagging.delete(socket);
    },
    close() {
      clearInterval(lagTimer);
      lagging.clear();
    },
  };
}
