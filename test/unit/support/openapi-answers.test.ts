import { expect } from "chai";
import { answerProblem, type ReceivedAnswer } from "../../support/openapi-answers.ts";

const rateLimited = { "RateLimit-Limit": "600", "RateLimit-Remaining": "599", "RateLimit-Reset": "10" };
const jsonType = { "content-type": "application/json; charset=utf-8" };

const hold = { eventId: "ev_1", ticketIds: ["ev_1.0"], expiresAt: "2030-01-01T00:00:00.000Z" };

function answer(
  overrides: Partial<Omit<ReceivedAnswer, "headers">> & { headers?: Record<string, string> },
): ReceivedAnswer {
  return {
    method: "POST",
    path: "/booking/reserve",
    status: 200,
    body: hold,
    ...overrides,
    headers: new Headers(overrides.headers ?? { ...rateLimited, ...jsonType }),
  };
}

describe("answers checked against the OpenAPI document", () => {
  it("accepts an answer as documented", async () => {
    expect(await answerProblem(answer({}))).to.equal(null);
  });

  it("names the route and status of a status the route does not list", async () => {
    const problem = await answerProblem(answer({ status: 418 }));
    expect(problem).to.match(/^POST \/booking\/reserve answered 418, which the document does not list/);
  });

  it("names the path of a field the schema does not list (closed objects)", async () => {
    const problem = await answerProblem(answer({ body: { ...hold, extra: 1 } }));
    expect(problem).to.equal(
      'POST /booking/reserve 200 does not match the OpenAPI document: (the body) has "extra", which the document does not list',
    );
  });

  it("names the path of a value of the wrong type or out of its enum, deep in the body", async () => {
    const event = { eventId: "ev_1", version: 3, tickets: [{ id: "ev_1.0", section: "A", row: "1" }] };
    const tickets = [{ ...event.tickets[0], seat: 1, priceCents: 100, status: "sold" }];
    const problem = await answerProblem(
      answer({
        method: "GET",
        path: "/events/ev_1/tickets?format=full",
        body: { ...event, tickets },
        headers: { ...rateLimited, ...jsonType, ETag: 'W/"1"', "Cache-Control": "public" },
      }),
    );
    expect(problem).to.include("GET /events/{eventId}/tickets 200 does not match");
    expect(problem).to.include("/tickets/0/status must be equal to one of the allowed values");
  });

  it("requires the documented answer headers (Location of a creation, Retry-After of a 429)", async () => {
    const booking = {
      id: "bk_1",
      eventId: "ev_1",
      ticketIds: ["ev_1.0"],
      amountCents: 100,
      status: "confirmed",
      paymentId: "pay_1",
      createdAt: "2030-01-01T00:00:00.000Z",
    };
    const confirmed = answer({ path: "/booking/confirm", status: 201, body: { booking } });
    expect(await answerProblem(confirmed)).to.include("the required header Location is missing");
    const refused = answer({
      status: 429,
      body: { error: { code: "RATE_LIMITED", message: "Too many requests" } },
    });
    expect(await answerProblem(refused)).to.include("the required header Retry-After is missing");
  });

  it("a bodiless 304 conforms; a route the document does not describe is not checked", async () => {
    const notModified = answer({
      method: "GET",
      path: "/events/ev_1/layout",
      status: 304,
      body: null,
      headers: { ...rateLimited, ETag: 'W/"1"' },
    });
    expect(await answerProblem(notModified)).to.equal(null);
    expect(await answerProblem(answer({ path: "/no/such/route", status: 404, body: "nope" }))).to.equal(null);
  });

  it("prefers a literal segment to a parameter (/events/search is not an event id)", async () => {
    const page = { total: 0, totalExact: true, results: [] };
    const searched = answer({
      method: "GET",
      path: "/events/search?term=x",
      body: page,
      headers: { ...rateLimited, ...jsonType, ETag: 'W/"1"' },
    });
    expect(await answerProblem(searched)).to.equal(null);
  });
});
