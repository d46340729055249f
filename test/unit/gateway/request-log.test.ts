// What the gateway logs of a failed request (gateway/error-answer.ts) and the request id it gives
// every request (gateway/request-id.ts).
import { expect } from "chai";
import { IncomingMessage, ServerResponse } from "node:http";
import { Socket } from "node:net";
import { MarqueeError } from "../../../domain/errors.ts";
import { createErrorAnswer } from "../../../gateway/error-answer.ts";
import { assignRequestId } from "../../../gateway/request-id.ts";

function exchange(url: string, headers: Record<string, string> = {}, alias?: string) {
  const req = new IncomingMessage(new Socket()) as IncomingMessage & { $alias?: { fullPath: string } };
  req.method = "POST";
  req.url = url;
  req.headers = headers;
  if (alias) req.$alias = { fullPath: alias };
  const res = new ServerResponse(req);
  res.end = (() => res) as any;
  return { req, res };
}

function recordingLogger() {
  const lines: { level: string; facts: Record<string, unknown>; message: string }[] = [];
  const at = (level: string) => (facts: object, message: string) =>
    lines.push({ level, facts: facts as Record<string, unknown>, message });
  return { logger: { debug: at("debug"), warn: at("warn"), error: at("error") }, lines };
}

describe("request ids", () => {
  it("keeps a client's plain id, replaces anything else, and echoes it in X-Request-ID", () => {
    const kept = exchange("/", { "x-request-id": "client-id.42:a_b" });
    expect(assignRequestId(kept.req, kept.res)).to.equal("client-id.42:a_b");
    expect(kept.res.getHeader("x-request-id")).to.equal("client-id.42:a_b");

    const correlation = exchange("/", { "x-correlation-id": "corr-1" });
    expect(assignRequestId(correlation.req, correlation.res)).to.equal("corr-1");
    expect(correlation.req.headers).to.deep.equal({ "x-request-id": "corr-1" });

    for (const offered of ["has space", "x".repeat(129), "<script>", "ünï"]) {
      const replaced = exchange("/", { "x-request-id": offered });
      const id = assignRequestId(replaced.req, replaced.res);
      expect(id, offered).to.match(/^[0-9a-f-]{36}$/);
      expect(replaced.req.headers["x-request-id"]).to.equal(id);
    }
  });
});

describe("failed request logs", () => {
  const onError = createErrorAnswer();

  it("logs a server fault as an error with code, status, route template, request id and the error", () => {
    const { logger, lines } = recordingLogger();
    const { req, res } = exchange("/bookings/bk_1?x=1", {}, "/bookings/:bookingId");
    res.setHeader("X-Request-ID", "req-1");
    const fault = new Error("boom");
    onError.call({ logger }, req, res, fault);
    expect(res.statusCode).to.equal(500);
    expect(lines).to.have.length(1);
    expect(lines[0]).to.deep.include({ level: "error", message: "request failed" });
    expect(lines[0].facts).to.deep.include({
      code: "INTERNAL_ERROR",
      status: 500,
      method: "POST",
      route: "/bookings/{bookingId}",
      requestId: "req-1",
      err: fault,
    });
  });

  it("logs refusals without a stack: warnings (sampled) for limits and credentials, debug for the rest", () => {
    const { logger, lines } = recordingLogger();
    const refuse = (error: MarqueeError, url = "/events/ev_1/tickets") => {
      const { req, res } = exchange(url);
      res.setHeader("X-Request-ID", "req-2");
      onError.call({ logger }, req, res, error);
    };
    refuse(new MarqueeError("NOT_FOUND", "Event not found"));
    refuse(new MarqueeError("RATE_LIMITED", "slow down", undefined, 3));
    refuse(new MarqueeError("RATE_LIMITED", "slow down", undefined, 3)); // within the second: counted
    expect(lines.map((line) => [line.level, line.facts.code])).to.deep.equal([
      ["debug", "NOT_FOUND"],
      ["warn", "RATE_LIMITED"],
    ]);
    for (const line of lines) expect(line.facts).to.not.have.property("err");
    expect(lines[0].facts).to.deep.include({ status: 404, path: "/events/ev_1/tickets", requestId: "req-2" });
    expect(lines[1].facts).to.deep.include({ status: 429, notLoggedSinceLast: 0 });
  });
});
