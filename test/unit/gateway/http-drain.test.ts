// Draining an HTTP server (gateway/http-drain.ts): stop accepting, let requests in flight finish,
// cut what outlives the timeout.
import { expect } from "chai";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { trackRequests, type HttpDrain } from "../../../gateway/http-drain.ts";

describe("HTTP drain", () => {
  let server: http.Server;
  let drain: HttpDrain;
  let url: string;

  beforeEach(async () => {
    server = http.createServer();
    drain = trackRequests(server);
    server.on("request", (req, res) => {
      const delayMs = Number(new URL(req.url!, "http://x").searchParams.get("delay") ?? 0);
      setTimeout(() => res.end(`done after ${delayMs}`), delayMs);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterEach(() => {
    server.closeAllConnections();
    server.close();
  });

  it("answers the requests in flight, then refuses new connections", async () => {
    const slow = fetch(`${url}/?delay=300`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(drain.inFlight).to.equal(1);
    const started = Date.now();
    const cut = await drain.drain(2_000);
    expect(cut).to.equal(0);
    expect(Date.now() - started).to.be.below(1_500);
    const answer = await slow;
    expect(answer.headers.get("connection")).to.equal("close");
    expect(await answer.text()).to.equal("done after 300");
    const refused = await fetch(`${url}/`).then(
      () => "answered",
      (error: Error & { cause?: { code?: string } }) => error.cause?.code,
    );
    expect(refused).to.equal("ECONNREFUSED");
  });

  it("cuts what is still running after the timeout and says how many", async () => {
    const hung = fetch(`${url}/?delay=5000`).then(
      () => "answered",
      () => "cut",
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = Date.now();
    expect(await drain.drain(200)).to.equal(1);
    expect(Date.now() - started).to.be.below(1_000);
    expect(await hung).to.equal("cut");
  });

  it("runs the owner's closing of long-lived streams before it waits", async () => {
    let closedStreams = false;
    const idle = await fetch(`${url}/`); // a keep-alive connection left idle
    await idle.text();
    expect(await drain.drain(1_000, async () => void (closedStreams = true))).to.equal(0);
    expect(closedStreams).to.equal(true);
  });
});
