// Real-time test clients: Socket.IO (socket.io-client) and SSE (fetch with a streamed body).
import { io, type Socket } from "socket.io-client";
import { expandCompactFrame } from "../../gateway/realtime/compact.ts";
import type {
  ClientToServerEvents,
  FrameFormat,
  SeatsCompactFrame,
  ResyncNotice,
  SeatsFrame,
  ServerToClientEvents,
  SubscribeAnswer,
} from "../../gateway/realtime/protocol.ts";
import type { SeatChange, SeatsChanged } from "../../domain/messages.ts";
import type { TestSystem } from "./system.ts";

export type SeatSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export type Received =
  | { kind: "seats"; frame: SeatsFrame }
  | { kind: "seatsCompact"; compact: SeatsCompactFrame; frame: SeatsFrame }
  | { kind: "resync"; notice: ResyncNotice };

/** A Socket.IO client that records every seat frame and resync it gets, in order. */
export interface SeatClient {
  socket: SeatSocket;
  received: Received[];
  frames(): SeatsFrame[];
  subscribe(eventId: string, version?: number, format?: FrameFormat): Promise<SubscribeAnswer>;
  /** Resolves when `predicate` holds over what was received (rejects after timeoutMs). */
  until(predicate: (received: Received[]) => boolean, timeoutMs?: number): Promise<void>;
  close(): void;
}

export async function connectSeatClient(
  baseUrl: string,
  options: { token?: string; transports?: string[] } = {},
): Promise<SeatClient> {
  const socket: SeatSocket = io(baseUrl, {
    transports: options.transports ?? ["websocket"],
    auth: options.token ? { token: options.token } : {},
    reconnection: false,
    forceNew: true,
  });
  const received: Received[] = [];
  const waiters = new Set<() => void>();
  const notify = () => waiters.forEach((waiter) => waiter());
  socket.on("seats", (frame) => {
    received.push({ kind: "seats", frame });
    notify();
  });
  socket.on("seatsCompact", (compact) => {
    const { eventId, fromVersion, toVersion } = compact;
    const frame = { eventId, fromVersion, toVersion, changes: expandCompactFrame(compact) };
    received.push({ kind: "seatsCompact", compact, frame });
    notify();
  });
  socket.on("resync", (notice) => {
    received.push({ kind: "resync", notice });
    notify();
  });
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", () => resolve());
    socket.once("connect_error", (error) => {
      socket.close(); // a refused client does not linger on the server
      reject(error);
    });
  });
  return {
    socket,
    received,
    frames: () => received.flatMap((item) => (item.kind === "resync" ? [] : [item.frame])),
    subscribe(eventId, version, format) {
      const request = {
        eventId,
        ...(version === undefined ? {} : { version }),
        ...(format ? { format } : {}),
      };
      return socket.timeout(5_000).emitWithAck("subscribe", request);
    },
    until(predicate, timeoutMs = 5_000) {
      if (predicate(received)) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          const summary = received.map((item) =>
            item.kind === "resync"
              ? `resync@${item.notice.version}`
              : `${item.frame.fromVersion}..${item.frame.toVersion}`,
          );
          reject(new Error(`timed out; received ${summary.join(" ").slice(-2_000)}`));
        }, timeoutMs);
        const check = () => {
          if (!predicate(received)) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve();
        };
        waiters.add(check);
      });
    },
    close() {
      socket.close();
    },
  };
}

/** The highest toVersion seen in frames. */
export const lastVersion = (frames: SeatsFrame[]): number => frames.at(-1)?.toVersion ?? -1;

/**
 * Asserts helper: frames continue one another from `startVersion`; returns the final version. A frame
 * may overlap what the client has (a client resuming inside a coalesced frame of the replay ring gets
 * the whole frame; its changes are final statuses, so applying them again is harmless); a frame that
 * starts after the client's version is a gap.
 */
export function assertContinuous(frames: SeatsFrame[], startVersion: number): number {
  let version = startVersion;
  for (const frame of frames) {
    if (frame.fromVersion > version || frame.toVersion <= version)
      throw new Error(
        `version gap: expected fromVersion ${version}, got ${JSON.stringify(frame).slice(0, 200)}`,
      );
    if (frame.toVersion <= frame.fromVersion) throw new Error(`empty version range ${JSON.stringify(frame)}`);
    version = frame.toVersion;
  }
  return version;
}

/**
 * Follows what a client received the way a client must (README, Real-time): a frame continues its
 * version, a resync restarts from the notice's version. Throws on a gap; returns the final version.
 */
export function followStream(received: Received[], startVersion: number): number {
  let version = startVersion;
  for (const item of received) {
    if (item.kind === "resync") {
      version = item.notice.version;
      continue;
    }
    if (item.frame.fromVersion !== version)
      throw new Error(`gap: at ${version}, got ${item.frame.fromVersion}..${item.frame.toVersion}`);
    version = item.frame.toVersion;
  }
  return version;
}

/** Applies frames to a ticket -> status map (last status wins). */
export function applyFrames(frames: SeatsFrame[], seats = new Map<string, string>()): Map<string, string> {
  for (const frame of frames) for (const change of frame.changes) seats.set(change.ticketId, change.status);
  return seats;
}

/** Publishes a seat delta the way the booking actor does (broadcast or balanced emit). */
export function publishDelta(
  system: TestSystem,
  delta: { eventId: string; fromVersion: number; toVersion?: number; changes: SeatChange[] },
  mode: "broadcast" | "emit" = "broadcast",
): SeatsChanged {
  const payload: SeatsChanged = {
    eventId: delta.eventId,
    fromVersion: delta.fromVersion,
    toVersion: delta.toVersion ?? delta.fromVersion + 1,
    changes: delta.changes,
    committedAt: Date.now(),
  };
  if (mode === "broadcast") void system.node.broker.broadcast("booking.seatsChanged", payload);
  else void system.node.broker.emit("booking.seatsChanged", payload);
  return payload;
}

export interface SseEvent {
  event: string;
  id?: string;
  data: any;
}

/** An SSE stream read with fetch: parsed events in order, plus comments (heartbeats). */
export interface SseClient {
  status: number;
  headers: Headers;
  events: SseEvent[];
  comments: string[];
  until(predicate: (events: SseEvent[], comments: string[]) => boolean, timeoutMs?: number): Promise<void>;
  close(): void;
}

export async function openSse(
  baseUrl: string,
  path: string,
  headers: Record<string, string> = {},
): Promise<SseClient & { body?: any }> {
  const controller = new AbortController();
  const response = await fetch(baseUrl + path, { headers, signal: controller.signal });
  const events: SseEvent[] = [];
  const comments: string[] = [];
  const waiters = new Set<() => void>();
  const client: SseClient & { body?: any } = {
    status: response.status,
    headers: response.headers,
    events,
    comments,
    until(predicate, timeoutMs = 5_000) {
      if (predicate(events, comments)) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out; events ${JSON.stringify(events).slice(0, 2_000)}`));
        }, timeoutMs);
        const check = () => {
          if (!predicate(events, comments)) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve();
        };
        waiters.add(check);
      });
    },
    close() {
      controller.abort();
    },
  };
  if (!response.headers.get("content-type")?.startsWith("text/event-stream")) {
    client.body = await response.json().catch(() => null);
    return client;
  }
  void (async () => {
    const decoder = new TextDecoder();
    let buffer = "";
    try {
      for await (const chunk of response.body as any as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let end;
        while ((end = buffer.indexOf("\n\n")) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event: SseEvent = { event: "message", data: undefined };
          let data = "";
          let isEvent = false;
          for (const line of block.split("\n")) {
            if (line.startsWith(":")) comments.push(line.slice(1).trim());
            else if (line.startsWith("event: ")) {
              event.event = line.slice(7);
              isEvent = true;
            } else if (line.startsWith("id: ")) event.id = line.slice(4);
            else if (line.startsWith("data: ")) {
              data += line.slice(6);
              isEvent = true;
            }
          }
          if (isEvent) {
            event.data = data ? JSON.parse(data) : undefined;
            events.push(event);
          }
          waiters.forEach((waiter) => waiter());
        }
      }
    } catch {
      /* aborted */
    }
  })();
  return client;
}

/** Polls `predicate` every few milliseconds until it holds (rejects after timeoutMs). */
export async function waitFor(
  predicate: () => boolean,
  timeoutMs = 5_000,
  what = "condition",
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
