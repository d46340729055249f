// The bounds of the real-time layer, on a bare HTTP server with the real Socket.IO and SSE modules
// (small limits passed in, so the bounds are reached with a handful of clients).
import { expect } from "chai";
import http from "node:http";
import net from "node:net";
import type { AddressInfo } from "node:net";
import { MarqueeError } from "../../../domain/errors.ts";
import { loadConfig } from "../../../platform/config.ts";
import { createTokenVerifier } from "../../../gateway/auth.ts";
import { toHttpError } from "../../../gateway/errors.ts";
import { SeatHub } from "../../../gateway/realtime/seat-hub.ts";
import { createSocketServer, type SocketServer } from "../../../gateway/realtime/socket-server.ts";
import { createSseServer, type SseServer } from "../../../gateway/realtime/sse.ts";
import { subscriptionsPerSocketMax } from "../../../domain/limits.ts";
import { connectSeatClient, waitFor, type SeatClient } from "../../support/realtime.ts";

describe("real-time bounds", function () {
  let server: http.Server;
  let hub: SeatHub;
  let sockets: SocketServer;
  let sse: SseServer;
  let baseUrl: string;
  const clients: { close(): void }[] = [];

  before(async function () {
    hub = new SeatHub({
      coalesceMs: 0,
      // Every event exists at version 0, except ev_missing.
      fetchVersion: async (eventId) => {
        if (eventId === "ev_missing") throw new MarqueeError("NOT_FOUND", "Event not found");
        return 0;
      },
    });
    server = http.createServer((request, response) => {
      const match = /^\/events\/([^/?]+)\/updates/.exec(request.url ?? "");
      if (!match) return response.writeHead(404).end();
      sse.handle(request, response, match[1], `address:${request.socket.remoteAddress}`).catch((error) => {
        const mapped = toHttpError(error);
        const headers: Record<string, string> = { "content-type": "application/json" };
        if (mapped.retryAfterSeconds) headers["retry-after"] = String(mapped.retryAfterSeconds);
        response.writeHead(mapped.status, headers).end(JSON.stringify(mapped.body));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    sockets = createSocketServer(server, {
      hub,
      tokens: createTokenVerifier(loadConfig({})),
      connectionsMax: 3,
    });
    sse = createSseServer({ hub, heartbeatMs: 10_000, clientsMax: 2, bufferedBytesMax: 4_096 });
  });
  afterEach(() => clients.splice(0).forEach((client) => client.close()));
  after(async function () {
    sse.close();
    hub.close();
    await sockets.close();
  });

  it("refuses Socket.IO connections past the per-node bound", async function () {
    for (let index = 0; index < 3; index++) clients.push(await connectSeatClient(baseUrl));
    let refused: unknown;
    await connectSeatClient(baseUrl).then(
      (client) => clients.push(client),
      (error) => (refused = error),
    );
    expect(refused, "the fourth connection is refused").to.be.instanceOf(Error);
    clients.pop()!.close();
    await waitFor(() => sockets.io.engine.clientsCount < 3);
    clients.push(await connectSeatClient(baseUrl)); // room again
  });

  it("bounds the events one socket follows", async function () {
    const client: SeatClient = await connectSeatClient(baseUrl);
    clients.push(client);
    for (let index = 0; index < subscriptionsPerSocketMax; index++) {
      expect(await client.subscribe(`ev_${index}`)).to.deep.equal({ eventId: `ev_${index}`, version: 0 });
    }
    const refused: any = await client.subscribe("ev_one_too_many");
    expect(refused.error.code).to.equal("VALIDATION_ERROR");
    expect(refused.error.details.limit).to.equal(subscriptionsPerSocketMax);
    await client.socket.timeout(5_000).emitWithAck("unsubscribe", { eventId: "ev_0" });
    expect(await client.subscribe("ev_one_too_many")).to.deep.equal({
      eventId: "ev_one_too_many",
      version: 0,
    });
  });

  it("refuses SSE streams past the per-node bound with 503 and Retry-After", async function () {
    const first = new AbortController();
    const second = new AbortController();
    try {
      const one = await fetch(`${baseUrl}/events/ev_a/updates`, { signal: first.signal });
      const two = await fetch(`${baseUrl}/events/ev_b/updates`, { signal: second.signal });
      expect([one.status, two.status]).to.deep.equal([200, 200]);
      const three = await fetch(`${baseUrl}/events/ev_c/updates`);
      expect(three.status).to.equal(503);
      expect(three.headers.get("retry-after")).to.equal("1");
      expect(((await three.json()) as any).error.code).to.equal("OVERLOADED");
    } finally {
      first.abort();
      second.abort();
    }
    await waitFor(() => sse.clientCount === 0);
  });

  it("stops writing to an SSE stream that does not read, and resyncs it once drained", async function () {
    const channel = await hub.acquire("ev_slow");
    const startVersion = channel.version;
    hub.release(channel);
    // A raw HTTP client that stops reading after the headers.
    const socket = net.connect((server.address() as AddressInfo).port, "127.0.0.1");
    await new Promise((resolve) => socket.once("connect", resolve));
    socket.write("GET /events/ev_slow/updates HTTP/1.1\r\nHost: x\r\n\r\n");
    let text = "";
    socket.on("data", (chunk) => (text += chunk.toString("latin1")));
    await waitFor(() => text.includes("event: subscribed"));
    socket.pause();
    const changes = Array.from({ length: 2_000 }, (_, ordinal) => ({
      ticketId: `ev_slow.${ordinal}`,
      status: "booked" as const,
    }));
    let version = startVersion;
    const stream = () => [...((channel.attachments.get("sse") as Set<any>) ?? [])][0];
    await waitFor(() => stream() !== undefined);
    while (!stream().lagging && version < startVersion + 2_000) {
      hub.receive({
        eventId: "ev_slow",
        fromVersion: version,
        toVersion: version + 1,
        changes,
        committedAt: 0,
      });
      version += 1;
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(stream().lagging).to.equal(true);
    const lagAt = version;
    for (let more = 0; more < 10; more++) {
      hub.receive({
        eventId: "ev_slow",
        fromVersion: version,
        toVersion: version + 1,
        changes,
        committedAt: 0,
      });
      version += 1;
    }
    // Nothing more was written for it: its buffer stays where it was when it lagged.
    expect(stream().response.writableLength).to.be.below(4_096 + 200_000);
    socket.resume();
    await waitFor(() => text.includes("event: resync"), 10_000);
    const resync = /id: (\d+)\nevent: resync\ndata: (.*)\n/.exec(
      text.slice(text.indexOf("event: resync") - 20),
    )!;
    expect(JSON.parse(resync[2])).to.deep.equal({ eventId: "ev_slow", version, reason: "lagging" });
    expect(Number(resync[1])).to.equal(version);
    const seatIds = [...text.matchAll(/id: (\d+)\nevent: seats/g)].map((match) => Number(match[1]));
    expect(seatIds.length).to.be.lessThan(version - startVersion);
    expect(Math.max(...seatIds)).to.be.at.most(lagAt);
    socket.destroy();
  });
});
