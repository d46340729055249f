// A bare `node:http` server answering GET /health/live with the gateway's small JSON, the yardstick of
// the trivial-route phase: `node --import=tsx loadtest/http/bare-server.ts` in a process of its own
// (as the node under test has its own), port 0 on loopback; it tells its parent the port over IPC
// and exits when the parent goes away.
import http from "node:http";
import type { AddressInfo } from "node:net";

const body = JSON.stringify({ status: "ok" });
const server = http.createServer((req, res) => {
  if (req.method === "GET" && req.url === "/health/live") {
    res.writeHead(200, { "Content-Type": "application/json; charset=utf-8" });
    res.end(body);
    return;
  }
  res.writeHead(404).end();
});
// The gateway's keep-alive: idle connections kept as long as a load client leaves them open.
server.keepAliveTimeout = 65_000;
server.listen(0, "127.0.0.1", () => process.send?.({ port: (server.address() as AddressInfo).port }));
process.on("disconnect", () => process.exit(0));
