// What the Socket.IO server keeps per socket (`socket.data`), and the typed server and socket.
import type { Server, Socket } from "socket.io";
import { toHttpError } from "../errors.ts";
import type {
  ClientToServerEvents,
  ErrorBody,
  FrameFormat,
  InterServerEvents,
  ServerToClientEvents,
} from "./protocol.ts";
import type { SeatChannel } from "./seat-hub.ts";

export interface Subscription {
  /** The hub channel this socket holds a reference on. */
  channel: SeatChannel;
  format: FrameFormat;
  /** The version this socket was brought to (ack, replay, resync): frames ending at or before it are not sent. */
  sinceVersion: number;
}

export interface SocketState {
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
export type RealtimeSocket = Socket<
  ClientToServerEvents,
  ServerToClientEvents,
  InterServerEvents,
  SocketState
>;

/** The contract's error body, as acks and refusals carry it. */
export const errorBody = (error: unknown): ErrorBody => toHttpError(error).body;
