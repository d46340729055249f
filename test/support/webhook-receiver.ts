// A real webhook receiver for tests: node:http on an ephemeral port that records every request (raw
// body, headers) and answers as the test says (a status, or never).
import { createHmac, timingSafeEqual } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface ReceivedDelivery {
  raw: string;
  body: { id: string; type: string; createdAt: string; data: Record<string, any> };
  signature: string;
  /** The status this receiver answered, or null when it never answered. */
  answered: number | null;
}

/** What to answer the n-th request (from 1): a status (now, or when the promise settles), or "hang" (never). */
export type Behaviour = (n: number, delivery: ReceivedDelivery) => number | "hang" | Promise<number>;

export interface WebhookReceiver {
  url: string;
  received: ReceivedDelivery[];
  /** Deliveries answered 2xx, by event id. */
  acknowledged(): Map<string, ReceivedDelivery[]>;
  close(): Promise<void>;
}

export async function startReceiver(behaviour: Behaviour = () => 200): Promise<WebhookReceiver> {
  const received: ReceivedDelivery[] = [];
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk) => chunks.push(chunk));
    request.on("end", async () => {
      const raw = Buffer.concat(chunks).toString("utf8");
      const delivery: ReceivedDelivery = {
        raw,
        body: JSON.parse(raw),
        signature: String(request.headers["marquee-signature"] ?? ""),
        answered: null,
      };
      received.push(delivery);
      const answer = await behaviour(received.length, delivery);
      if (answer === "hang") return;
      delivery.answered = answer;
      response.writeHead(answer, { "content-type": "text/plain" }).end("ok");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/marquee`,
    received,
    acknowledged() {
      const byId = new Map<string, ReceivedDelivery[]>();
      for (const delivery of received.filter((d) => d.answered !== null && d.answered < 300))
        byId.set(delivery.body.id, [...(byId.get(delivery.body.id) ?? []), delivery]);
      return byId;
    },
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** What a receiver does (docs/api.md#webhooks): the HMAC of "<t>.<raw body>", compared in constant time. */
export function signatureValid(secret: string, header: string, raw: string): boolean {
  const parts = Object.fromEntries(header.split(",").map((part) => part.split("=", 2) as [string, string]));
  if (!/^\d+$/.test(parts.t ?? "") || !/^[0-9a-f]{64}$/.test(parts.v1 ?? "")) return false;
  const expected = createHmac("sha256", secret).update(`${parts.t}.${raw}`).digest();
  return timingSafeEqual(expected, Buffer.from(parts.v1, "hex"));
}
