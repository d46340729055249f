// Server-sent events: `GET /events/:eventId/updates` streams the same seat frames as Socket.IO
// (`event: seats`, `id: <toVersion>`), resumes from `Last-Event-ID` while the missed frames are in
// the event's replay ring (else `event: resync`), sends a heartbeat comment, and bounds the number
// of streams (per node, and per client: user, else address) and each stream's unsent bytes.
import type { IncomingMessage, ServerResponse } from "node:http";
import { MarqueeError } from "../../domain/errors.ts";
import {
  sseBufferedBytesMax,
  sseClientsPerNodeMax,
  sseStreamsPerClientMaxDefault,
} from "../../domain/limits.ts";
import { ClientSlots, tooManyConnections, type ClientSlot } from "./client-caps.ts";
import type { ResyncNotice, SeatsFrame } from "./protocol.ts";
import { parseLastEventId, validEventId } from "./requests.ts";
import type { FrameSink, SeatChannel, SeatHub } from "./seat-hub.ts";

export const updatesPathPattern = /^\/events\/([^/]+)\/updates$/;

interface SseClient {
  response: ServerResponse;
  channel: SeatChannel;
  lagging: boolean;
  /** The version this stream was brought to: frames ending at or before it are not written. */
  sinceVersion: number;
}

export interface SseServerOptions {
  hub: SeatHub;
  heartbeatMs: number;
  clientsMax?: number;
  /** Streams one client may hold on this node. */
  streamsPerClientMax?: number;
  bufferedBytesMax?: number;
  /** A stream refused by the per-client cap. */
  onRefused?(): void;
}

export interface SseServer {
  /**
   * Answers `GET /events/:eventId/updates` for `client` (gateway/client-key.ts); throws a MarqueeError
   * before the stream starts.
   */
  handle(request: IncomingMessage, response: ServerResponse, eventId: string, client: string): Promise<void>;
  readonly clientCount: number;
  close(): void;
}

const attachmentKey = "sse";
const clientsOf = (channel: SeatChannel): Set<SseClient> | undefined =>
  channel.attachments.get(attachmentKey) as Set<SseClient> | undefined;

// Each frame is turned into SSE text once, for every stream (and for replays from the ring).
const encodedFrames = new WeakMap<SeatsFrame, string>();
function encodeFrame(frame: SeatsFrame): string {
  let text = encodedFrames.get(frame);
  if (text === undefined) {
    text = `id: ${frame.toVersion}\nevent: seats\ndata: ${JSON.stringify(frame)}\n\n`;
    encodedFrames.set(frame, text);
  }
  return text;
}
const encodeEvent = (event: string, id: number, data: unknown): string =>
  `id: ${id}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
const heartbeat = ": heartbeat\n\n";

/** Writes to a stream unless it is too far behind: then it gets nothing until it drains, then a resync. */
function write(client: SseClient, text: string, bytesMax: number): void {
  if (client.lagging || client.response.destroyed) return;
  if (client.response.writableLength > bytesMax) {
    // Stop writing frames; once the stream drains the client is told to resync from the current version.
    client.lagging = true;
    client.response.once("drain", () => {
      client.lagging = false;
      const version = client.channel.version;
      client.sinceVersion = version;
      const notice: ResyncNotice = { eventId: client.channel.eventId, version, reason: "lagging" };
      write(client, encodeEvent("resync", version, notice), bytesMax);
    });
    return;
  }
  client.response.write(text);
}

/** The hub's frames and resyncs to the streams of each channel. */
function streamsSink(bytesMax: number): FrameSink {
  return {
    frame(channel, frame) {
      const streams = clientsOf(channel);
      if (!streams || streams.size === 0) return;
      const text = encodeFrame(frame);
      for (const client of streams) if (frame.toVersion > client.sinceVersion) write(client, text, bytesMax);
    },
    resync(channel, notice) {
      const streams = clientsOf(channel);
      if (!streams || streams.size === 0) return;
      const text = encodeEvent("resync", notice.version, notice);
      for (const client of streams) write(client, text, bytesMax);
    },
  };
}

/** The event asked for and the version the client has (`Last-Event-ID`, else `?lastEventId=`). */
function parseStreamRequest(
  request: IncomingMessage,
  rawEventId: string,
): { eventId: string; lastEventId: number | undefined } {
  const eventId = validEventId(rawEventId);
  const query = new URL(request.url ?? "/", "http://gateway").searchParams;
  const header = request.headers["last-event-id"];
  const lastEventId = parseLastEventId(
    (Array.isArray(header) ? header[0] : header) ?? query.get("lastEventId") ?? undefined,
  );
  return { eventId, lastEventId };
}

/** The reconnect delay, then `subscribed`, the frames missed since `lastEventId`, or a resync. */
function openingText(channel: SeatChannel, eventId: string, lastEventId: number | undefined): string {
  const version = channel.version;
  let opening = "retry: 2000\n\n";
  if (lastEventId === undefined) {
    opening += encodeEvent("subscribed", version, { eventId, version });
  } else {
    const missed = channel.ring.framesAfter(lastEventId, version);
    if (missed) for (const frame of missed) opening += encodeFrame(frame);
    else opening += encodeEvent("resync", version, { eventId, version, reason: "expired" });
  }
  return opening;
}

const streamHeaders = {
  "Content-Type": "text/event-stream; charset=utf-8",
  "Cache-Control": "no-cache, no-transform",
  Connection: "keep-alive",
  "X-Accel-Buffering": "no",
};

/** A comment to every stream every `intervalMs`. */
function startHeartbeat(clients: Set<SseClient>, intervalMs: number, bytesMax: number): NodeJS.Timeout {
  const timer = setInterval(() => {
    for (const client of clients) write(client, heartbeat, bytesMax);
  }, intervalMs);
  timer.unref();
  return timer;
}

export function createSseServer(options: SseServerOptions): SseServer {
  const { hub } = options;
  const clientsMax = options.clientsMax ?? sseClientsPerNodeMax;
  const bytesMax = options.bufferedBytesMax ?? sseBufferedBytesMax;
  const clients = new Set<SseClient>();
  const slots = new ClientSlots(options.streamsPerClientMax ?? sseStreamsPerClientMaxDefault);
  hub.addSink(streamsSink(bytesMax));

  const heartbeatTimer = startHeartbeat(clients, options.heartbeatMs, bytesMax);

  /** One of the client's slots, taken before anything is awaited (so a burst cannot overshoot the cap). */
  function takeSlot(client: string): ClientSlot {
    if (clients.size >= clientsMax)
      throw new MarqueeError("OVERLOADED", "Too many update streams on this gateway", undefined, 1);
    const slot = slots.take(client);
    if (slot) return slot;
    options.onRefused?.();
    throw tooManyConnections("update streams", slots.perClientMax);
  }

  /** The stream follows the channel until its response closes, and holds its client's slot as long. */
  function follow(channel: SeatChannel, response: ServerResponse, slot: ClientSlot): void {
    const client: SseClient = { response, channel, lagging: false, sinceVersion: channel.version };
    let streams = clientsOf(channel);
    if (!streams) channel.attachments.set(attachmentKey, (streams = new Set()));
    streams.add(client);
    clients.add(client);
    response.once("close", () => {
      clients.delete(client);
      streams.delete(client);
      hub.release(channel);
      slot.release();
    });
  }

  return {
    get clientCount() {
      return clients.size;
    },

    async handle(request, response, rawEventId, client) {
      const { eventId, lastEventId } = parseStreamRequest(request, rawEventId);
      const slot = takeSlot(client);
      const channel = await hub.acquire(eventId).catch((error: unknown) => {
        slot.release();
        throw error;
      });
      if (request.destroyed || response.destroyed || response.headersSent) {
        hub.release(channel);
        slot.release();
        return;
      }
      follow(channel, response, slot);
      response.writeHead(200, streamHeaders);
      // Synchronous from here: what is written now precedes the channel's next frame.
      response.write(openingText(channel, eventId, lastEventId));
    },

    close() {
      clearInterval(heartbeatTimer);
      for (const client of clients) client.response.end();
      clients.clear();
    },
  };
}
