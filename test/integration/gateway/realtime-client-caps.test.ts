// Per-client caps on live connections (issue 16 item 5): one client (user, else address) holds at
// most so many Socket.IO connections and SSE streams on a node and starts at most so many handshakes
// a second; past them 429 with Retry-After and the contract's body, while other clients still get in.
// On a bare HTTP server with the real modules (small caps passed in), then through a whole node.
import { expect } from "chai";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { ManualClock } from "../../../domain/clock.ts";
import { createTokenVerifier } from "../../../gateway/auth.ts";
import { clientOf } from "../../../gateway/client-key.ts";
import { toHttpError } from "../../../gateway/errors.ts";
import { headerValue } from "../../../gateway/http-message.ts";
import { SeatHub } from "../../../gateway/realtime/seat-hub.ts";
import { createSocketServer, type SocketServer } from "../../../gateway/realtime/socket-server.ts";
import { createSseServer, type SseServer } from "../../../gateway/realtime/sse.ts";
import { loadConfig } from "../../../platform/config.ts";
import { createEventFixture } from "../../support/catalog.ts";
import { connectSeatClient, openSse, waitFor, type SeatClient } from "../../support/realtime.ts";
import { pollingHandshake, websocketHandshake } from "../../support/socket-handshake.ts";
import { dropDatabase, startSystem, type TestSystem } from "../../support/system.ts";

const tokens = createTokenVerifier(loadConfig({}));
const identify = (request: http.IncomingMessage) => tokens.verify(headerValue(request.headers.authorization));

function expectRefused(answer: { status: number; headers: unknown; body?: unknown }, limit?: number) {
  expect(answer.status).to.equal(429);
  const headers = answer.headers as any;
  const retryAfter = typeof headers.get === "function" ? headers.get("retry-after") : headers["retry-after"];
  expect(Number(retryAfter)).to.be.at.least(1);
  const body = typeof answer.body === "string" ? JSON.parse(answer.body) : answer.body;
  expect(body.error.code).to.equal("RATE_LIMITED");
  expect(body.error.message).to.be.a("string");
  if (limit !== undefined) expect(body.error.details.limit).to.equal(limit);
}

async function listen(handler?: http.RequestListener): Promise<{ server: http.Server; baseUrl: string }> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe("per-client caps on live connections", function () {
  const hub = new SeatHub({ coalesceMs: 0, fetchVersion: async () => 0 });
  const clients: { close(): void }[] = [];
  const track = <T extends { close(): void }>(client: T): T => (clients.push(client), client);
  const closeAll = () => clients.splice(0).forEach((client) => client.close());
  afterEach(closeAll);
  after(() => hub.close());

  describe("Socket.IO connections per client", function () {
    let sockets: SocketServer;
    let baseUrl: string;
    before(async function () {
      const listening = await listen();
      baseUrl = listening.baseUrl;
      sockets = createSocketServer(listening.server, {
        hub,
        tokens,
        clientOf: clientOf(identify, new Set()),
        connectionsPerClientMax: 3,
        handshakesPerClientPerSecond: 1_000,
      });
    });
    after(() => sockets.close());
    const drained = () =>
      waitFor(() => sockets.io.engine.clientsCount === 0, 5_000, "all connections closed");
    afterEach(() => (closeAll(), drained()));

    it("answers a client past its connections 429 with Retry-After and the error body; others still get in", async function () {
      for (let index = 0; index < 3; index++) track(await connectSeatClient(baseUrl));
      expectRefused(await pollingHandshake(baseUrl), 3);
      expectRefused(await websocketHandshake(baseUrl), 3);
      let refused: unknown;
      await connectSeatClient(baseUrl).then(track, (error) => (refused = error));
      expect(refused, "socket.io-client sees the refusal").to.be.instanceOf(Error);
      // Another address, and a user who signs in with a bearer token at the handshake, are other clients.
      const other = track(await pollingHandshake(baseUrl, { localAddress: "127.0.0.2" }));
      expect(other.status).to.equal(200);
      expect(other.body).to.match(/"sid":"/);
      const token = await tokens.issue({ id: "header-user", role: "user" });
      const user = track(
        await websocketHandshake(baseUrl, { headers: { authorization: `Bearer ${token}` } }),
      );
      expect(user.status).to.equal(101);
      expect(sockets.io.engine.clientsCount).to.equal(5);
    });

    it("releases a client's connections when they close: connect, disconnect, connect again", async function () {
      for (let round = 0; round < 4; round++) {
        const round_: SeatClient[] = [];
        for (let index = 0; index < 3; index++) round_.push(await connectSeatClient(baseUrl));
        expectRefused(await pollingHandshake(baseUrl), 3);
        round_.forEach((client) => client.close());
        await drained();
      }
      // Handshakes Engine.IO refuses after the gate (an unknown transport) hold no slot either.
      for (let index = 0; index < 5; index++) {
        const bad = await fetch(`${baseUrl}/socket.io/?EIO=4&transport=carrier-pigeon`);
        expect(bad.status).to.equal(400);
      }
      for (let index = 0; index < 3; index++) track(await connectSeatClient(baseUrl));
    });

    it("counts a socket that signs in (auth.token) against its user, not its address", async function () {
      const [alice, bob] = await Promise.all([
        tokens.issue({ id: "alice", role: "user" }),
        tokens.issue({ id: "bob", role: "user" }),
      ]);
      for (let index = 0; index < 3; index++) track(await connectSeatClient(baseUrl, { token: alice }));
      // Alice's sockets left the address's count: three anonymous ones still fit.
      const anonymous: SeatClient[] = [];
      for (let index = 0; index < 3; index++) anonymous.push(track(await connectSeatClient(baseUrl)));
      expectRefused(await pollingHandshake(baseUrl), 3);
      anonymous[0].close();
      await waitFor(() => sockets.io.engine.clientsCount === 5);
      // A fourth of Alice's: the handshake fits the address, signing in does not fit Alice.
      let refusal: any;
      const fourth = connectSeatClient(baseUrl, { token: alice });
      await fourth.then(track, (error) => (refusal = error));
      expect(refusal?.data?.error?.code).to.equal("RATE_LIMITED");
      expect(refusal.data.error.details.limit).to.equal(3);
      await waitFor(() => sockets.io.engine.clientsCount <= 6);
      // Bob is someone else.
      track(await connectSeatClient(baseUrl, { token: bob }));
    });
  });

  describe("Socket.IO handshakes per client per second", function () {
    let sockets: SocketServer;
    let baseUrl: string;
    const clock = new ManualClock();
    before(async function () {
      const listening = await listen();
      baseUrl = listening.baseUrl;
      sockets = createSocketServer(listening.server, {
        hub,
        tokens,
        clientOf: clientOf(identify, new Set()),
        connectionsPerClientMax: 1_000,
        handshakesPerClientPerSecond: 5,
        clock,
      });
    });
    after(() => sockets.close());

    it("refuses a client's handshakes past its rate with 429 and Retry-After, until the window passes", async function () {
      const from = { localAddress: "127.0.0.3" };
      for (let index = 0; index < 5; index++) {
        const answer = track(await pollingHandshake(baseUrl, from));
        expect(answer.status, `handshake ${index + 1}`).to.equal(200);
      }
      expectRefused(await pollingHandshake(baseUrl, from), 5);
      expectRefused(await websocketHandshake(baseUrl, from), 5);
      expect(track(await pollingHandshake(baseUrl, { localAddress: "127.0.0.4" })).status).to.equal(200);
      clock.advance(2_000);
      expect(track(await pollingHandshake(baseUrl, from)).status).to.equal(200);
    });
  });

  describe("SSE streams per client", function () {
    let sse: SseServer;
    let server: http.Server;
    let baseUrl: string;
    before(async function () {
      const key = clientOf(identify, new Set());
      const listening = await listen((request, response) => {
        const match = /^\/events\/([^/?]+)\/updates/.exec(request.url ?? "");
        if (!match) return response.writeHead(404).end();
        key(request)
          .then((client) => sse.handle(request, response, match[1], client))
          .catch((error: unknown) => {
            const mapped = toHttpError(error);
            const headers: Record<string, string> = { "content-type": "application/json" };
            if (mapped.retryAfterSeconds) headers["retry-after"] = String(mapped.retryAfterSeconds);
            response.writeHead(mapped.status, headers).end(JSON.stringify(mapped.body));
          });
      });
      ({ server, baseUrl } = listening);
      sse = createSseServer({ hub, heartbeatMs: 10_000, streamsPerClientMax: 2 });
    });
    after(() => {
      sse.close();
      server.close();
    });

    it("answers a client past its streams 429 with Retry-After; another client still gets one; closing frees one", async function () {
      const first = track(await openSse(baseUrl, "/events/ev_a/updates"));
      track(await openSse(baseUrl, "/events/ev_b/updates"));
      expect(first.status).to.equal(200);
      const third = await openSse(baseUrl, "/events/ev_c/updates");
      expectRefused(third, 2);
      const token = await tokens.issue({ id: "carol", role: "user" });
      const carol = track(
        await openSse(baseUrl, "/events/ev_c/updates", { authorization: `Bearer ${token}` }),
      );
      expect(carol.status).to.equal(200);
      expect(sse.clientCount).to.equal(3);
      first.close();
      await waitFor(() => sse.clientCount === 2);
      expect(track(await openSse(baseUrl, "/events/ev_c/updates")).status).to.equal(200);
    });
  });

  describe("through a gateway node (configured caps)", function () {
    let system: TestSystem;
    before(async function () {
      system = await startSystem({
        env: { SOCKET_CONNECTIONS_PER_CLIENT_MAX: "2", SSE_STREAMS_PER_CLIENT_MAX: "1" },
      });
    });
    after(async function () {
      await system?.stop();
      if (system) await dropDatabase(system.databaseUrl);
    });

    it("applies SOCKET_CONNECTIONS_PER_CLIENT_MAX and SSE_STREAMS_PER_CLIENT_MAX, counted in /metrics", async function () {
      const event = await createEventFixture(system, { seats: 4 });
      for (let index = 0; index < 2; index++) track(await connectSeatClient(system.baseUrl));
      expectRefused(await websocketHandshake(system.baseUrl), 2);
      expect(track(await pollingHandshake(system.baseUrl, { localAddress: "127.0.0.2" })).status).to.equal(
        200,
      );

      const path = `/events/${event.eventId}/updates`;
      expect(track(await openSse(system.baseUrl, path)).status).to.equal(200);
      expectRefused(await openSse(system.baseUrl, path), 1);
      const token = await system.token("dave");
      expect(
        track(await openSse(system.baseUrl, path, { authorization: `Bearer ${token}` })).status,
      ).to.equal(200);

      const metrics = await system.request("GET", "/metrics");
      expect(metrics.body).to.match(/^marquee_realtime_refused_total\{[^}]*reason="connections"[^}]*\} 1$/m);
      expect(metrics.body).to.match(/^marquee_realtime_refused_total\{[^}]*reason="streams"[^}]*\} 1$/m);
    });
  });
});
