// The gateway's one error mapping: catalogue codes, internal codes answered as their public stand-in,
// Moleculer's and moleculer-web's refusals by their codes, anything else a bare 500.
import { expect } from "chai";
import Moleculer from "moleculer";
import ApiGateway from "moleculer-web";
import { InternalFault, MarqueeError } from "../../../domain/errors.ts";
import { forMiddleware } from "../../../platform/moleculer-errors.ts";
import { toHttpError } from "../../../gateway/errors.ts";

const web = (ApiGateway as any).Errors;

describe("gateway error mapping (toHttpError)", function () {
  it("answers a MarqueeError with its code, message, details and Retry-After", function () {
    const mapped = toHttpError(new MarqueeError("OVERLOADED", "Busy", { eventId: "e1" }, 3));
    expect(mapped.status).to.equal(503);
    expect(mapped.body.error).to.deep.equal({
      code: "OVERLOADED",
      message: "Busy",
      details: { eventId: "e1" },
    });
    expect(mapped.retryAfterSeconds).to.equal(3);
  });

  it("keeps the details of a MarqueeError a middleware handed to moleculer-web", function () {
    const wrapped = forMiddleware(
      new MarqueeError("VALIDATION_ERROR", "Malformed JSON body", { field: "body" }),
    );
    expect(wrapped).to.be.instanceOf(Moleculer.Errors.MoleculerError);
    expect(toHttpError(wrapped).body.error).to.deep.equal({
      code: "VALIDATION_ERROR",
      message: "Malformed JSON body",
      details: { field: "body" },
    });
  });

  it("answers internal faults as their public code, without their message or details", function () {
    const stale = toHttpError(
      new InternalFault("STALE_OWNER", "worker w3 of node-7 lost ev_1", { eventId: "ev_1" }),
    );
    expect(stale.status).to.equal(503);
    expect(stale.body.error.code).to.equal("OVERLOADED");
    expect(JSON.stringify(stale.body)).to.not.include("node-7");
    expect(stale.retryAfterSeconds).to.equal(1);
    const broken = toHttpError(new InternalFault("INVARIANT_VIOLATION", "seat 7 booked twice"));
    expect(broken.status).to.equal(500);
    expect(broken.body.error).to.deep.equal({ code: "INTERNAL_ERROR", message: "Internal error" });
  });

  it("maps Moleculer's and moleculer-web's refusals by their codes", function () {
    const cases: [unknown, number, string][] = [
      [new Moleculer.Errors.ServiceNotFoundError({ action: "booking.reserve" }), 503, "UNAVAILABLE"],
      [
        new Moleculer.Errors.RequestTimeoutError({ action: "booking.reserve", nodeID: "n" }),
        503,
        "OVERLOADED",
      ],
      [new Moleculer.Errors.QueueIsFullError({ action: "booking.reserve", nodeID: "n" }), 503, "OVERLOADED"],
      [new web.ServiceUnavailableError(), 503, "UNAVAILABLE"],
      [new web.NotFoundError(), 404, "NOT_FOUND"],
      [new web.BadRequestError("UNABLE_DECODE_PARAM", {}), 400, "VALIDATION_ERROR"],
      [new web.PayloadTooLarge(), 413, "PAYLOAD_TOO_LARGE"],
      [new web.UnAuthorizedError("NO_TOKEN"), 401, "UNAUTHENTICATED"],
      [new web.RateLimitExceeded(), 429, "RATE_LIMITED"],
      [new web.ForbiddenError("ORIGIN_NOT_ALLOWED"), 403, "FORBIDDEN"],
    ];
    for (const [error, status, code] of cases) {
      const mapped = toHttpError(error);
      expect([mapped.status, mapped.body.error.code], String((error as Error).name)).to.deep.equal([
        status,
        code,
      ]);
    }
  });

  it("answers an unknown error as a bare 500 and a lost database as 503", function () {
    const unknown = toHttpError(new Error('relation "secret_table" does not exist at host db-7'));
    expect(unknown.status).to.equal(500);
    expect(unknown.body.error).to.deep.equal({ code: "INTERNAL_ERROR", message: "Internal error" });
    const lost = toHttpError(Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }));
    expect([lost.status, lost.body.error.code]).to.deep.equal([503, "UNAVAILABLE"]);
  });
});
