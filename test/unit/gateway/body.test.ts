// The JSON body step over a real node:http server and one keep-alive connection, requests sent as raw
// bytes: a POST without a body (no Content-Length at all, as load tools and some clients send it;
// or Content-Length: 0) is `{}` whether it was read whole before the step ran or not, bodies are still
// read (also when they arrive in pieces after the step started), refusals are as before, and the
// connection carries on after each.
import http from "node:http";
import net from "node:net";
import type { AddressInfo } from "node:net";
import { expect } from "chai";
import { jsonBody } from "../../../gateway/body.ts";

type Answer = { status: number; body: string };

function startServer(): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const run = () =>
      jsonBody(req as http.IncomingMessage & { body?: unknown }, res, (error?: any) => {
        const status = error ? 400 : 200;
        // A refusal by its status code (forMiddleware's wrapping), else the body read.
        const text = error ? String(error.code ?? error.message) : JSON.stringify((req as any).body);
        res.writeHead(status, { "content-type": "text/plain", "content-length": Buffer.byteLength(text) });
        res.end(text);
      });
    // Later, as in the gateway (the rate limit's round trip comes first); under /now at once.
    if (req.url?.startsWith("/now")) run();
    else setTimeout(run, 5);
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

/** One connection; `send` writes raw bytes (in pieces, with pauses) and reads one answer. */
function connect(port: number) {
  const socket = net.connect(port, "127.0.0.1");
  let buffered = "";
  let waiting: (() => void) | null = null;
  socket.setEncoding("latin1");
  socket.on("data", (chunk: string) => {
    buffered += chunk;
    waiting?.();
  });
  const answer = (): Answer | null => {
    const end = buffered.indexOf("\r\n\r\n");
    if (end === -1) return null;
    const head = buffered.slice(0, end);
    const length = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? 0);
    if (buffered.length < end + 4 + length) return null;
    const body = buffered.slice(end + 4, end + 4 + length);
    buffered = buffered.slice(end + 4 + length);
    return { status: Number(head.split(" ")[1]), body };
  };
  return {
    async send(...pieces: string[]): Promise<Answer> {
      for (const [index, piece] of pieces.entries()) {
        if (index > 0) await new Promise((resolve) => setTimeout(resolve, 20));
        socket.write(piece);
      }
      for (;;) {
        const got = answer();
        if (got) return got;
        await new Promise<void>((resolve) => (waiting = resolve));
      }
    },
    close: () => socket.destroy(),
  };
}

describe("JSON body step", () => {
  let server: http.Server;
  before(async () => {
    server = await startServer();
  });
  after(() => server.close());

  it("reads no body as {} and every body as before, on one keep-alive connection", async () => {
    const client = connect((server.address() as AddressInfo).port);
    try {
      const post = (path: string, headers = "") => `POST ${path} HTTP/1.1\r\nHost: t\r\n${headers}\r\n`;
      const json = "content-type: application/json\r\n";
      expect(await client.send(post("/join"))).to.deep.equal({ status: 200, body: "{}" });
      expect(await client.send(post("/now/join"))).to.deep.equal({ status: 200, body: "{}" });
      expect(await client.send(post("/zero", "content-length: 0\r\n"))).to.deep.equal({
        status: 200,
        body: "{}",
      });
      expect(await client.send(post("/one", `${json}content-length: 7\r\n`) + '{"a":1}')).to.deep.equal({
        status: 200,
        body: '{"a":1}',
      });
      // The body's end arrives after the step started: it waits for it.
      const chunked = post("/chunked", `${json}transfer-encoding: chunked\r\n`);
      expect(await client.send(chunked + '7\r\n{"b":2}\r\n', "0\r\n\r\n")).to.deep.equal({
        status: 200,
        body: '{"b":2}',
      });
      expect(await client.send(post("/now/late", `${json}content-length: 7\r\n`), '{"c":3}')).to.deep.equal({
        status: 200,
        body: '{"c":3}',
      });
      expect(
        await client.send(post("/text", "content-type: text/plain\r\ncontent-length: 1\r\n") + "x"),
      ).to.deep.equal({ status: 400, body: "415" });
      expect(
        await client.send(post("/empty-chunked", "transfer-encoding: chunked\r\n") + "0\r\n\r\n"),
      ).to.deep.equal({
        status: 200,
        body: "{}",
      });
      expect(await client.send(post("/join"))).to.deep.equal({ status: 200, body: "{}" });
    } finally {
      client.close();
    }
  });
});
