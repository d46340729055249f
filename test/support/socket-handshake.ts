// Raw Socket.IO handshakes for tests of the per-client caps: the HTTP answer itself (status, headers,
// body), from a chosen local address (127.0.0.2 is another client of a server on 127.0.0.1).
import http from "node:http";
import { WebSocket } from "ws";

export interface HandshakeAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** Closes the connection the handshake opened (when it opened one). */
  close(): void;
}

export interface HandshakeOptions {
  localAddress?: string;
  headers?: Record<string, string>;
}

const readBody = (response: http.IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    let body = "";
    response.setEncoding("utf8");
    response.on("data", (chunk: string) => (body += chunk));
    response.on("end", () => resolve(body));
    response.on("error", reject);
  });

/** `GET /socket.io/?EIO=4&transport=polling`: 200 with the open packet, or the refusal. */
export function pollingHandshake(baseUrl: string, options: HandshakeOptions = {}): Promise<HandshakeAnswer> {
  const url = new URL("/socket.io/?EIO=4&transport=polling", baseUrl);
  return new Promise((resolve, reject) => {
    const request = http.get(
      url,
      { localAddress: options.localAddress, headers: options.headers, agent: false },
      (response) => {
        readBody(response).then((body) => {
          const sid = /"sid":"([^"]+)"/.exec(body)?.[1];
          const close = () => {
            if (!sid) return;
            // Engine.IO's close packet ("1") on the connection's next poll.
            const post = http.request(new URL(`${url.pathname}${url.search}&sid=${sid}`, baseUrl), {
              method: "POST",
              localAddress: options.localAddress,
              agent: false,
              headers: { "content-type": "text/plain;charset=UTF-8" },
            });
            post.on("error", () => {});
            post.end("1");
          };
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body, close });
        }, reject);
      },
    );
    request.on("error", reject);
  });
}

/** `GET /socket.io/?EIO=4&transport=websocket` (an upgrade): 101 with an open socket, or the refusal. */
export function websocketHandshake(
  baseUrl: string,
  options: HandshakeOptions = {},
): Promise<HandshakeAnswer> {
  const url = `${baseUrl.replace(/^http/, "ws")}/socket.io/?EIO=4&transport=websocket`;
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { localAddress: options.localAddress, headers: options.headers });
    ws.on("unexpected-response", (_request, response) => {
      readBody(response).then(
        (body) => resolve({ status: response.statusCode ?? 0, headers: response.headers, body, close() {} }),
        reject,
      );
    });
    ws.on("upgrade", (response) => {
      resolve({
        status: response.statusCode ?? 0,
        headers: response.headers,
        body: "",
        close: () => ws.close(),
      });
    });
    ws.on("error", (error) => {
      if (!/Unexpected server response/.test(error.message)) reject(error);
    });
  });
}
