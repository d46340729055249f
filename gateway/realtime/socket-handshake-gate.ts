// The per-client caps at the Socket.IO handshake, as an Engine.IO middleware: it runs on the HTTP
// request that opens a connection (a long-polling GET or a WebSocket upgrade without `sid`), before
// Engine.IO takes it, so a refusal is a real HTTP answer: 429 with Retry-After and the contract's
// error body. (Engine.IO's `allowRequest` can only answer 403.) The handshake is counted against its
// client's rate, and the connection takes one of its client's slots until it closes; a socket that
// later signs in (`auth.token`) moves its slot to its user (socket-server.ts).
import { ServerResponse, STATUS_CODES, type IncomingMessage } from "node:http";
import type { Socket as EngineSocket } from "engine.io";
import { MarqueeError } from "../../domain/errors.ts";
import type { ClientOf } from "../client-key.ts";
import { toHttpError } from "../errors.ts";
import {
  tooManyConnections,
  tooManyHandshakes,
  type ClientSlot,
  type ClientSlots,
  type HandshakeRate,
} from "./client-caps.ts";
import type { RealtimeServer } from "./socket-state.ts";

export interface HandshakeGateOptions {
  clientOf: ClientOf;
  slots: ClientSlots;
  rate: HandshakeRate;
  onRefused?(reason: "handshakes" | "connections"): void;
}

export interface HandshakeGate {
  /** Counts the connection against `client` from now on; the refusal when that client holds all its slots. */
  moveTo(connection: EngineSocket, client: string): MarqueeError | null;
}

type EngineRequest = IncomingMessage & { _query?: Record<string, string> };

/** The refusal as an HTTP answer: on the response of a polling request, or written to an upgrade's socket. */
function answerRefusal(request: IncomingMessage, response: ServerResponse, error: MarqueeError): void {
  const { status, body, retryAfterSeconds } = toHttpError(error);
  const text = JSON.stringify(body);
  const headers: Record<string, string> = {
    "Content-Type": "application/json; charset=utf-8",
    "Content-Length": String(Buffer.byteLength(text)),
    "Retry-After": String(retryAfterSeconds ?? 1),
  };
  // Engine.IO hands a WebSocket upgrade's middlewares a stand-in whose writeHead/write do nothing.
  if (response instanceof ServerResponse) {
    response.writeHead(status, headers);
    response.end(text);
    return;
  }
  const socket = request.socket;
  socket.on("error", () => {}); // the client may be gone already; nothing to do about it
  const head = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`);
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n${head.join("")}Connection: close\r\n\r\n${text}`,
  );
  socket.once("finish", () => socket.destroy());
}

export function installHandshakeGate(io: RealtimeServer, options: HandshakeGateOptions): HandshakeGate {
  const { clientOf, slots, rate } = options;
  // A handshake's slot from the gate until Engine.IO makes it a connection (or the exchange ends without one).
  const pending = new WeakMap<IncomingMessage, ClientSlot>();
  const held = new WeakMap<EngineSocket, ClientSlot>();

  /** Counts the handshake and takes its slot; the refusal when either is spent. */
  async function admit(request: IncomingMessage): Promise<ClientSlot | MarqueeError> {
    const client = await clientOf(request);
    const waitSeconds = rate.hit(client);
    if (waitSeconds > 0) {
      options.onRefused?.("handshakes");
      return tooManyHandshakes(rate.perSecond, waitSeconds);
    }
    const slot = slots.take(client);
    if (slot) return slot;
    options.onRefused?.("connections");
    return tooManyConnections("live connections", slots.perClientMax);
  }

  io.engine.use((request: EngineRequest, response: ServerResponse, next: (error?: unknown) => void) => {
    // Only a handshake opens a connection: later requests of a connection carry its `sid`.
    if (request._query?.sid !== undefined || request.method !== "GET") return next();
    admit(request)
      .then((outcome) => {
        if (outcome instanceof MarqueeError) return answerRefusal(request, response, outcome);
        pending.set(request, outcome);
        // Engine.IO refused the handshake after all (bad transport, node full): no connection holds the slot.
        response.once("close", () => {
          if (pending.get(request) !== outcome) return;
          pending.delete(request);
          outcome.release();
        });
        next();
      })
      .catch(next); // Engine.IO answers 400 (a second call of next is ignored)
  });

  io.engine.on("connection", (connection: EngineSocket) => {
    const slot = pending.get(connection.request);
    if (!slot) return;
    pending.delete(connection.request);
    held.set(connection, slot);
    connection.once("close", () => slot.release());
  });

  return {
    moveTo(connection, client) {
      const slot = held.get(connection);
      if (!slot || slot.moveTo(client)) return null;
      options.onRefused?.("connections");
      return tooManyConnections("live connections", slots.perClientMax);
    },
  };
}
