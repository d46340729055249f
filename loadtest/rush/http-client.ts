// A small JSON-over-HTTP client for load generation: keep-alive sockets (bounded), a timeout on every
// request, and the latency measured around the whole exchange. Loopback targets only.
import http from "node:http";

export interface HttpAnswer {
  status: number;
  body: any;
  headers: http.IncomingHttpHeaders;
  latencyMs: number;
}

const answerBytesMax = 32 * 1024 * 1024; // a 100,000-seat map is ~10 MB of JSON

export class HttpClient {
  private readonly agent: http.Agent;
  private readonly url: URL;

  constructor(
    baseUrl: string,
    private readonly timeoutMs = 15_000,
    socketsMax = 256,
  ) {
    this.url = new URL(baseUrl);
    if (!["127.0.0.1", "localhost", "::1", "[::1]"].includes(this.url.hostname)) {
      throw new Error("the load generator only targets loopback addresses");
    }
    this.agent = new http.Agent({ keepAlive: true, maxSockets: socketsMax, maxFreeSockets: socketsMax });
  }

  async request(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<HttpAnswer> {
    const started = performance.now();
    const first = await this.send(method, path, body, headers, started);
    // A kept-alive socket the server closed while idle fails at once (Node's documented race,
    // `request.reusedSocket`): the request never reached the server, so sending it again is safe.
    return first.staleSocket ? this.send(method, path, body, headers, started) : first;
  }

  private send(
    method: string,
    path: string,
    body: unknown,
    headers: Record<string, string>,
    started: number,
  ): Promise<HttpAnswer & { staleSocket?: boolean }> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    return new Promise((resolve) => {
      const failed = (error: NodeJS.ErrnoException, staleSocket = false) =>
        resolve({
          status: 0,
          body: { error: { code: error.code ?? error.message } },
          headers: {},
          latencyMs: performance.now() - started,
          staleSocket,
        });
      const request = http.request(
        {
          agent: this.agent,
          host: this.url.hostname,
          port: this.url.port,
          method,
          path,
          timeout: this.timeoutMs,
          headers: {
            accept: "application/json",
            ...(payload
              ? { "content-type": "application/json", "content-length": String(payload.length) }
              : {}),
            ...headers,
          },
        },
        (response) => {
          const chunks: Buffer[] = [];
          let size = 0;
          response.on("data", (chunk: Buffer) => {
            size += chunk.length;
            if (size <= answerBytesMax) chunks.push(chunk);
          });
          response.on("end", () => {
            let parsed: any = null;
            try {
              parsed = chunks.length ? JSON.parse(Buffer.concat(chunks).toString("utf8")) : null;
            } catch {
              parsed = null;
            }
            resolve({
              status: response.statusCode ?? 0,
              body: parsed,
              headers: response.headers,
              latencyMs: performance.now() - started,
            });
          });
          response.on("error", (error) => failed(error));
        },
      );
      request.on("timeout", () => request.destroy(Object.assign(new Error("timeout"), { code: "TIMEOUT" })));
      request.on("error", (error: NodeJS.ErrnoException) =>
        failed(error, request.reusedSocket && (error.code === "ECONNRESET" || error.code === "EPIPE")),
      );
      if (payload) request.write(payload);
      request.end();
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

export const retryAfterMs = (answer: HttpAnswer, fallbackMs = 1_000): number => {
  const seconds = Number(answer.headers["retry-after"]);
  return Number.isFinite(seconds) && seconds > 0 ? Math.min(seconds * 1_000, 30_000) : fallbackMs;
};
