// One delivery attempt: POST the body to the webhook's URL, signed, within a deadline. Only the
// answer's status matters: its body is read up to a bound and dropped. Redirects are not followed
// (a 3xx is a failed attempt), so a receiver cannot send a delivery somewhere else.
import http from "node:http";
import https from "node:https";
import { signatureHeader, signatureOf } from "../domain/webhooks.ts";
import {
  webhookAnswerBytesMax,
  webhookDeliveriesInFlightMax,
  webhookErrorLengthMax,
} from "../domain/limits.ts";
import { literalTargetRefused, publicOnlyLookup } from "./target-check.ts";

export interface Attempt {
  url: string;
  secret: string;
  /** The delivery's body, the same bytes on every attempt. */
  body: string;
  eventId: string;
  /** Unix seconds of the signature. */
  nowSeconds: number;
}

export interface AttemptResult {
  /** The receiver's status, or null when none came (refused, timed out, private target...). */
  statusCode: number | null;
  ok: boolean;
  /** Why it failed, short, for the delivery's history; null on success. */
  error: string | null;
}

export interface PosterOptions {
  timeoutMs: number;
  /** Refuse private targets at connection time (production without WEBHOOK_ALLOW_PRIVATE). */
  checkAddresses: boolean;
}

const agentOptions = { keepAlive: true, maxSockets: webhookDeliveriesInFlightMax, maxFreeSockets: 16 };

export class WebhookPoster {
  private readonly agents = { http: new http.Agent(agentOptions), https: new https.Agent(agentOptions) };
  private readonly running = new Set<http.ClientRequest>();

  constructor(private readonly options: PosterOptions) {}

  async post(attempt: Attempt): Promise<AttemptResult> {
    const url = new URL(attempt.url);
    if (this.options.checkAddresses && literalTargetRefused(url))
      return failure(null, "target is a private or local address");
    return new Promise((resolve) => this.send(url, attempt, resolve));
  }

  private send(url: URL, attempt: Attempt, resolve: (result: AttemptResult) => void): void {
    const https_ = url.protocol === "https:";
    const request = (https_ ? https : http).request(url, {
      method: "POST",
      agent: https_ ? this.agents.https : this.agents.http,
      ...(this.options.checkAddresses ? { lookup: publicOnlyLookup } : {}),
      headers: {
        "content-type": "application/json",
        "content-length": Buffer.byteLength(attempt.body),
        "user-agent": "Marquee-Webhooks/1",
        [signatureHeader]: signatureOf(attempt.secret, attempt.body, attempt.nowSeconds),
        "Marquee-Event-Id": attempt.eventId,
      },
    });
    this.running.add(request);
    let settled = false;
    const settle = (result: AttemptResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      this.running.delete(request);
      resolve(result);
    };
    const deadline = setTimeout(() => {
      settle(failure(null, `timed out after ${this.options.timeoutMs} ms`));
      request.destroy();
    }, this.options.timeoutMs);
    request.on("error", (error: NodeJS.ErrnoException) => settle(failure(null, error.code ?? error.message)));
    request.on("response", (response) => {
      const status = response.statusCode ?? 0;
      const known = status >= 100 && status <= 599 ? status : null; // what the history can keep
      let read = 0;
      response.on("data", (chunk: Buffer) => {
        read += chunk.length;
        if (read > webhookAnswerBytesMax) response.destroy(); // only the status matters
      });
      const done = () =>
        settle(
          status >= 200 && status < 300
            ? { statusCode: status, ok: true, error: null }
            : failure(known, `answered ${status}`),
        );
      response.on("end", done);
      response.on("close", done);
      response.on("error", done);
    });
    request.end(attempt.body);
  }

  /** Ends every attempt in flight (a stopping node: their leases run out and another node retries). */
  close(): void {
    for (const request of this.running) request.destroy(new Error("node stopping"));
    this.agents.http.destroy();
    this.agents.https.destroy();
  }
}

const failure = (statusCode: number | null, error: string): AttemptResult => ({
  statusCode,
  ok: false,
  error: error.slice(0, webhookErrorLengthMax),
});
