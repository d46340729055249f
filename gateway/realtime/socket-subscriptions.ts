// `subscribe` / `unsubscribe` of a socket: one hub channel reference and one room per followed event,
// at most `subscriptionsPerSocketMax` events per socket.
import { subscriptionsPerSocketMax } from "../../domain/limits.ts";
import { MarqueeError } from "../../domain/errors.ts";
import { compactFrame } from "./compact.ts";
import {
  seatsRoom,
  type FrameFormat,
  type SeatsFrame,
  type SubscribeAnswer,
  type SubscribeRequest,
} from "./protocol.ts";
import { parseSubscribe, parseUnsubscribe } from "./requests.ts";
import type { SeatChannel, SeatHub } from "./seat-hub.ts";
import { errorBody, type RealtimeSocket, type Subscription } from "./socket-state.ts";

type Answer = (answer: SubscribeAnswer) => void;

export interface SocketSubscriptions {
  subscribe(socket: RealtimeSocket, raw: unknown, ack: unknown): Promise<void>;
  unsubscribe(socket: RealtimeSocket, raw: unknown, ack: unknown): void;
  /** Gives back the channels of a socket that disconnected. */
  releaseAll(socket: RealtimeSocket): void;
}

function sendFrame(socket: RealtimeSocket, frame: SeatsFrame, format: FrameFormat): void {
  if (format === "compact") socket.emit("seatsCompact", compactFrame(frame));
  else socket.emit("seats", frame);
}

/**
 * Synchronous: the ack, any frames replayed after the client's version and the room's next frame go
 * out in order.
 */
function bringUpToDate(
  socket: RealtimeSocket,
  subscription: Subscription,
  request: SubscribeRequest,
  answer: Answer,
): void {
  const { eventId } = request;
  const format = request.format ?? "full";
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
  if (!socket.data.lagging) void socket.join(seatsRoom(eventId, format));
}

/** A new subscription with its channel acquired; null when refused (answered) or the socket left. */
async function newSubscription(
  hub: SeatHub,
  socket: RealtimeSocket,
  eventId: string,
  format: FrameFormat,
  answer: Answer,
): Promise<Subscription | null> {
  const state = socket.data;
  if (state.subscriptions.size + state.subscribing >= subscriptionsPerSocketMax) {
    const message = `A connection follows at most ${subscriptionsPerSocketMax} events`;
    const details = { field: "eventId", limit: subscriptionsPerSocketMax };
    answer(errorBody(new MarqueeError("VALIDATION_ERROR", message, details)));
    return null;
  }
  state.subscribing += 1;
  let acquired: SeatChannel;
  try {
    acquired = await hub.acquire(eventId);
  } catch (error) {
    answer(errorBody(error));
    return null;
  } finally {
    state.subscribing -= 1;
  }
  if (!socket.connected) {
    hub.release(acquired);
    return null;
  }
  // Another subscribe of the same event may have won while this one waited.
  const raced = state.subscriptions.get(eventId);
  if (raced) {
    hub.release(acquired);
    return raced;
  }
  const subscription: Subscription = { channel: acquired, format, sinceVersion: 0 };
  state.subscriptions.set(eventId, subscription);
  return subscription;
}

export function createSocketSubscriptions(hub: SeatHub): SocketSubscriptions {
  return {
    async subscribe(socket, raw, ack) {
      // The contract's subscribe carries an ack; without one there is nobody to answer.
      if (typeof ack !== "function") return;
      const answer = ack as Answer;
      let request;
      try {
        request = parseSubscribe(raw);
      } catch (error) {
        return answer(errorBody(error));
      }
      const format = request.format ?? "full";
      // Not awaited when already held: the whole subscribe then stays synchronous.
      const subscription =
        socket.data.subscriptions.get(request.eventId) ??
        (await newSubscription(hub, socket, request.eventId, format, answer));
      if (subscription) bringUpToDate(socket, subscription, request, answer);
    },
    unsubscribe(socket, raw, ack) {
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
    },
    releaseAll(socket) {
      for (const { channel } of socket.data.subscriptions.values()) hub.release(channel);
      socket.data.subscriptions.clear();
    },
  };
}
