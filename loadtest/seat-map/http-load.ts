// HTTP load for the seat-map benchmark: keep-alive connections on one agent (no per-request fetch
// overhead on the client side, which shares the machine with the node it measures), answers counted
// in bytes as they arrive and never decompressed, latencies per request.
import http from "node:http";

export interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export interface LoadSummary {
  requests: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Mean bytes of an answer's body as sent (compressed when it was). */
  bytesPerAnswer: number;
  errors: number;
}

const requestTimeoutMs = 60_000;

export const createAgent = (connections: number): http.Agent =>
  new http.Agent({ keepAlive: true, maxSockets: connections, maxFreeSockets: connections });

export function request(
  agent: http.Agent,
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: unknown } = {},
): Promise<Answer> {
  const body = options.body === undefined ? undefined : JSON.stringify(options.body);
  const headers = { ...options.headers, ...(body ? { "content-type": "application/json" } : {}) };
  return new Promise((resolve, reject) => {
    const outgoing = http.request(
      url,
      { agent, method: options.method ?? "GET", headers, timeout: requestTimeoutMs },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () =>
          resolve({ status: response.statusCode!, headers: response.headers, body: Buffer.concat(chunks) }),
        );
        response.on("error", reject);
      },
    );
    outgoing.on("timeout", () => outgoing.destroy(new Error(`timed out: ${url}`)));
    outgoing.on("error", reject);
    outgoing.end(body);
  });
}

export const percentile = (values: number[], p: number): number => {
  if (values.length === 0) return 0;
  const sorted = Float64Array.from(values).sort();
  return Number(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))].toFixed(1));
};

/** Counts requests, bytes and latencies of one phase. */
export class PhaseRecorder {
  readonly latencies: number[] = [];
  bytes = 0;
  errors = 0;

  record(startedAt: number, answer: Answer | null, okStatus = 200): void {
    if (!answer || answer.status !== okStatus) {
      this.errors++;
      return;
    }
    this.latencies.push(performance.now() - startedAt);
    this.bytes += answer.body.length;
  }

  summary(durationMs: number): LoadSummary {
    const requests = this.latencies.length;
    return {
      requests,
      perSecond: Number(((requests * 1000) / durationMs).toFixed(1)),
      p50Ms: percentile(this.latencies, 50),
      p99Ms: percentile(this.latencies, 99),
      bytesPerAnswer: requests ? Math.round(this.bytes / requests) : 0,
      errors: this.errors,
    };
  }
}

export interface ReadersOptions {
  agent: http.Agent;
  url: string;
  headers: Record<string, string>;
  readers: number;
  /** Each reader reads again at once (undefined), or once per this many ms (a steady poll). */
  intervalMs?: number;
  until: number;
}

/** `readers` loops reading `url` until `until` (epoch ms). */
export async function runReaders(options: ReadersOptions, recorder: PhaseRecorder): Promise<void> {
  const reader = async (index: number) => {
    // Paced readers start spread over one interval, as a crowd's polls would be.
    if (options.intervalMs) await sleep((index * options.intervalMs) / options.readers);
    while (Date.now() < options.until) {
      const startedAt = performance.now();
      const answer = await request(options.agent, options.url, { headers: options.headers }).catch(
        () => null,
      );
      recorder.record(startedAt, answer);
      if (options.intervalMs) await sleep(Math.max(0, options.intervalMs - (performance.now() - startedAt)));
    }
  };
  await Promise.all(Array.from({ length: options.readers }, (_, index) => reader(index)));
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
