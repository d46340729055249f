// Slow clients and connection floods are bounded: headers trickled in (slowloris) are cut after the
// headers timeout with the contract's error body, connections past the node's maximum are closed at
// once, and the gateway keeps serving everyone else meanwhile and afterwards. A request waiting on a
// slow action keeps its connection until the action's timeout has answered it.
import net from "node:net";
import { expect } from "chai";
import { dropDatabase, startSystem, type TestSystem } from "../../support/system.ts";
import { actionTimeoutMsMax, httpAnswerMarginMs } from "../../../gateway/http-limits.ts";

const headersTimeoutMs = 1_000;
const connectionsMax = 30;

interface RawConnection {
  socket: net.Socket;
  openedAt: number;
  closedAt: number | null;
  received: string;
  closed: Promise<void>;
}

function connect(port: number): Promise<RawConnection> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1");
    const connection: RawConnection = {
      socket,
      openedAt: Date.now(),
      closedAt: null,
      received: "",
      closed: new Promise((done) =>
        socket.once("close", () => {
          connection.closedAt = Date.now();
          done();
        }),
      ),
    };
    socket.on("data", (chunk) => (connection.received += chunk.toString("latin1")));
    socket.on("error", () => {}); // a reset flood connection is what we expect
    socket.once("connect", () => resolve(connection));
    socket.once("error", reject);
  });
}

describe("gateway: slow clients and connection floods", function () {
  this.timeout(60_000);
  let system: TestSystem;
  let port: number;

  before(async () => {
    system = await startSystem({
      env: {
        HTTP_HEADERS_TIMEOUT_MS: String(headersTimeoutMs),
        HTTP_CONNECTIONS_MAX: String(connectionsMax),
      },
    });
    port = Number(new URL(system.baseUrl).port);
  });
  after(async () => {
    await system.stop();
    await dropDatabase(system.databaseUrl);
  });

  it("cuts clients that trickle their headers (slowloris) with a 408 error body, and serves others meanwhile", async () => {
    const slow = await Promise.all(Array.from({ length: 10 }, () => connect(port)));
    const trickle = setInterval(() => {
      for (const connection of slow)
        if (connection.closedAt === null)
          connection.socket.write(connection.received ? "" : `X-Slow-${Date.now()}: still coming\r\n`);
    }, 200);
    for (const connection of slow) connection.socket.write("GET /events/search HTTP/1.1\r\nHost: x\r\n");
    try {
      // Others are served while the slow clients hold their connections.
      const live = await system.request("GET", "/health/live", { timeoutMs: 2_000 });
      expect(live.status).to.equal(200);
      await Promise.all(slow.map((connection) => connection.closed));
    } finally {
      clearInterval(trickle);
    }
    for (const connection of slow) {
      // Cut after the headers timeout, within the next check of Node's connection sweep (1 s) and slack.
      expect(connection.closedAt! - connection.openedAt).to.be.within(
        headersTimeoutMs - 50,
        headersTimeoutMs + 3_000,
      );
      expect(connection.received).to.match(/^HTTP\/1\.1 408 /);
      const body = JSON.parse(connection.received.slice(connection.received.indexOf("\r\n\r\n") + 4));
      expect(body.error.code).to.equal("REQUEST_TIMEOUT");
      expect(body.error.message).to.be.a("string");
    }
  });

  it("closes connections past the node's maximum at once, and recovers when the flood ends", async () => {
    const flood = await Promise.all(Array.from({ length: connectionsMax * 3 }, () => connect(port)));
    await new Promise((resolve) => setTimeout(resolve, 300));
    const server = (system.node.broker.getLocalService("api") as any).server as import("node:http").Server;
    const open = await new Promise<number>((resolve, reject) =>
      server.getConnections((error, count) => (error ? reject(error) : resolve(count))),
    );
    expect(open).to.be.at.most(connectionsMax);
    const closedAtOnce = flood.filter(
      (connection) => connection.closedAt !== null && connection.closedAt - connection.openedAt < 300,
    );
    expect(closedAtOnce.length).to.be.at.least(connectionsMax * 2);
    for (const connection of closedAtOnce) expect(connection.received).to.equal("");
    // The ones let in but silent are cut by the headers timeout too: a flood cannot hold the node.
    await Promise.all(flood.map((connection) => connection.closed));
    const live = await system.request("GET", "/health/live", { timeoutMs: 2_000 });
    expect(live.status).to.equal(200);
  });

  it("keeps a waiting request's connection open past the timeout of every action it may call", () => {
    const broker = system.node.broker;
    const server = (broker.getLocalService("api") as any).server as import("node:http").Server;
    const actions = (broker.registry as any).getActionList({ skipInternal: true }) as {
      name: string;
      action?: { timeout?: number };
    }[];
    expect(actions.map((entry) => entry.name)).to.include.members(["booking.confirm", "catalog.createEvent"]);
    const longest = Math.max(
      broker.options.requestTimeout!,
      ...actions.map((entry) => entry.action?.timeout ?? 0),
    );
    expect(longest, "actionTimeoutMsMax names the longest action timeout").to.equal(actionTimeoutMsMax);
    // Node destroys a connection silent this long: a call answered 503 at its timeout must get there first.
    expect(server.timeout).to.be.at.least(longest + httpAnswerMarginMs);
  });
});
