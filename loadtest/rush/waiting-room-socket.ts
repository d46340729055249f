// A waiting user's live connection: a lean Socket.IO client (Engine.IO v4 / Socket.IO v5 spoken
// directly over `ws`, as the fan-out benchmark's clients do) that signs in with `auth.token` and
// hears the waiting room's `queue` pushes (position, ETA and, when admitted, the admission token).
// Thousands of these fit in the simulator's process where socket.io-client instances would not.
import { WebSocket } from "ws";

export interface WaitingRoomSocket {
  close(): void;
}

export interface WaitingRoomSocketHandlers {
  /** A `queue` push: the shape of `GET /events/:id/queue`. */
  onPush(data: any): void;
  /** The connection ended (by either side) after it was established. */
  onClose(): void;
}

/** Connects and signs in; resolves null when the gateway refused or did not answer in time. */
export function connectWaitingRoomSocket(
  baseUrl: string,
  token: string,
  handlers: WaitingRoomSocketHandlers,
  timeoutMs: number,
): Promise<WaitingRoomSocket | null> {
  const url = `${baseUrl.replace(/^http/, "ws")}/socket.io/?EIO=4&transport=websocket`;
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { perMessageDeflate: false, handshakeTimeout: timeoutMs });
    let connected = false;
    const fail = () => {
      clearTimeout(timer);
      ws.terminate();
      resolve(null);
    };
    const timer = setTimeout(fail, timeoutMs);
    const socket: WaitingRoomSocket = { close: () => ws.terminate() };
    ws.on("message", (data: Buffer) => {
      const text = data.toString();
      if (text === "2") return ws.send("3"); // the server's ping
      if (text.startsWith("0")) return ws.send(`40${JSON.stringify({ token })}`); // Engine.IO open
      if (text.startsWith("44")) return fail(); // Socket.IO connect refused (auth)
      if (text.startsWith("40")) {
        connected = true;
        clearTimeout(timer);
        return resolve(socket);
      }
      if (!text.startsWith('42["queue",')) return;
      try {
        handlers.onPush(JSON.parse(text.slice(2))[1]);
      } catch {
        // A malformed frame is the gateway's bug, not the crowd's: ignore it, the poll will catch up.
      }
    });
    ws.on("error", () => {
      if (!connected) fail();
    });
    ws.on("close", () => {
      if (connected) handlers.onClose();
      else fail();
    });
  });
}
