// Socket.IO v4 over a raw WebSocket, for k6 (which has no Socket.IO client): the Engine.IO v4 packet
// types and the Socket.IO packet encoding the Marquee gateway speaks on /socket.io.
//   Engine.IO: "0" open (JSON handshake), "2" ping (answer "3" pong), "4" message, "1" close.
//   Socket.IO (inside an Engine.IO message): "0" connect, "2" event, "3" ack; an optional ack id
//   follows the type: `42["seats",{...}]`, `421["subscribe",{...}]` -> `431[{"version":5}]`.

/** The WebSocket URL of the gateway's Socket.IO endpoint (http -> ws). */
export function socketUrl(baseUrl: string): string {
  return `${baseUrl.replace(/^http/, "ws")}/socket.io/?EIO=4&transport=websocket`;
}

export type SocketPacket =
  | { kind: "open" }
  | { kind: "ping" }
  | { kind: "connected" }
  | { kind: "event"; name: string; data: unknown }
  | { kind: "ack"; id: number; data: unknown[] }
  | { kind: "other"; raw: string };

/** Decodes one WebSocket text frame (one Engine.IO packet). */
export function decodePacket(raw: string): SocketPacket {
  if (raw === "2") return { kind: "ping" };
  if (raw.startsWith("0")) return { kind: "open" };
  if (raw.startsWith("40")) return { kind: "connected" };
  const event = /^42(\d*)(\[.*)$/s.exec(raw);
  if (event) {
    const payload = JSON.parse(event[2]) as unknown[];
    return { kind: "event", name: String(payload[0]), data: payload[1] };
  }
  const ack = /^43(\d+)(\[.*)$/s.exec(raw);
  if (ack) return { kind: "ack", id: Number(ack[1]), data: JSON.parse(ack[2]) as unknown[] };
  return { kind: "other", raw };
}

export const pongPacket = "3";
/** Socket.IO connect to the default namespace. */
export const connectPacket = "40";

/** An event emitted by the client, with an ack id when the server is to answer. */
export function emitPacket(name: string, data: unknown, ackId?: number): string {
  return `42${ackId ?? ""}${JSON.stringify([name, data])}`;
}
