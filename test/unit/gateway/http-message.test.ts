import { expect } from "chai";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { sendJson } from "../../../gateway/http-message.ts";

describe("gateway: sendJson", () => {
  let server: http.Server;
  let baseUrl: string;

  before(async () => {
    server = http.createServer((_req, res) => {
      res.setHeader("X-Request-ID", "req-1"); // as the gateway's first step does
      sendJson(res, 429, { error: { code: "RATE_LIMITED" } }, { "Retry-After": "3" });
      sendJson(res, 500, { error: { code: "INTERNAL_ERROR" } }); // a second answer is ignored
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(() => new Promise((resolve) => server.close(resolve)));

  it("answers the status, the JSON with its length (not chunked), and every header set before or passed", async () => {
    const response = await fetch(`${baseUrl}/`);
    const text = await response.text();
    expect(response.status).to.equal(429);
    expect(JSON.parse(text)).to.deep.equal({ error: { code: "RATE_LIMITED" } });
    expect(response.headers.get("content-type")).to.equal("application/json; charset=utf-8");
    expect(response.headers.get("content-length")).to.equal(String(Buffer.byteLength(text)));
    expect(response.headers.get("transfer-encoding")).to.equal(null);
    expect(response.headers.get("x-request-id")).to.equal("req-1");
    expect(response.headers.get("retry-after")).to.equal("3");
  });
});
