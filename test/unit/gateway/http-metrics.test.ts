// The gateway's HTTP histogram against a real HTTP server: one series per route template, method and
// status, the time until the answer ends, 499 for a client gone before the answer began.
import { expect } from "chai";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { createHttpRequestMetrics } from "../../../gateway/http-metrics.ts";
import { renderFamilies } from "../../../platform/prometheus-text.ts";

describe("HTTP request metrics", () => {
  const metrics = createHttpRequestMetrics([
    "/events/{eventId}",
    "/events/{eventId}/updates",
    "/health/live",
  ]);
  let server: http.Server;
  let base: string;
  before(async () => {
    server = http.createServer((request, response) => {
      metrics.observe(request, response);
      if (request.url === "/events/stalled") return; // never answers: the client gives up
      const delayMs = request.url?.startsWith("/events/slow") ? 120 : 0;
      setTimeout(() => {
        response.writeHead(request.url === "/nope" ? 404 : request.method === "POST" ? 201 : 200);
        response.end("{}");
      }, delayMs);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise((resolve) => server.close(resolve)));

  const text = () => renderFamilies(metrics.collect(), {});
  const countOf = (labels: string) => {
    const match = new RegExp(`^marquee_http_request_duration_seconds_count\\{${labels}\\} (\\d+)$`, "m").exec(
      text(),
    );
    return match ? Number(match[1]) : 0;
  };
  const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

  it("counts requests by route template, method and status", async () => {
    for (const path of ["/events/ev_1", "/events/ev_2?format=compact", "/events/ev_3"])
      await fetch(base + path);
    await fetch(`${base}/events/ev_4`, { method: "POST" });
    await fetch(`${base}/nope`);
    await settle();
    expect(countOf('route="/events/\\{eventId\\}",method="GET",status="200"')).to.equal(3);
    expect(countOf('route="/events/\\{eventId\\}",method="POST",status="201"')).to.equal(1);
    expect(countOf('route="unmatched",method="GET",status="404"')).to.equal(1);
    expect(text()).to.not.match(/ev_[1-4]|format=/);
  });

  it("measures until the answer ends, in seconds", async () => {
    await fetch(`${base}/events/slow`);
    await settle();
    const labels = 'route="/events/\\{eventId\\}",method="GET",status="200"';
    const bucket = (le: string) =>
      Number(new RegExp(`_bucket\\{${labels},le="${le}"\\} (\\d+)`).exec(text())![1]);
    // Three fast ones before; the slow one (120 ms) is above 0.1 s and below 0.25 s.
    expect(bucket("0.1")).to.equal(3);
    expect(bucket("0.25")).to.equal(4);
  });

  it("counts a request whose client left before the answer as 499", async () => {
    await fetch(`${base}/events/stalled`, { signal: AbortSignal.timeout(100) }).catch(() => {});
    await settle();
    expect(countOf('route="/events/\\{eventId\\}",method="GET",status="499"')).to.equal(1);
  });
});
