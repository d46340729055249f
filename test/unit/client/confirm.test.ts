import { expect } from "chai";
import { ApiError, MarqueeClient, confirmBooking, newIdempotencyKey } from "../../../client/src/index.ts";
import { errorBody, recordingClock, scriptedFetch, type Scripted } from "./fake-api.ts";

const booking = {
  id: "bk_1",
  eventId: "ev_1",
  ticketIds: ["ev_1.0"],
  amountCents: 5000,
  status: "confirmed",
  paymentId: "pay_1",
  createdAt: "2030-01-01T00:00:00.000Z",
};
const request = { ticketIds: ["ev_1.0"], paymentDetails: { token: "tok_ok" } };

function clientAnswering(answers: Scripted[]) {
  const scripted = scriptedFetch(answers);
  const clock = recordingClock();
  const client = new MarqueeClient({
    baseUrl: "http://marquee.test",
    token: () => "t0k",
    fetch: scripted.fetch,
    clock,
  });
  return { client, clock, sent: scripted.sent };
}

describe("client: confirmBooking", () => {
  it("retries a lost answer and a 503 with the same Idempotency-Key, waiting the server's Retry-After", async () => {
    const { client, clock, sent } = clientAnswering([
      "network-error",
      { status: 503, body: errorBody("OVERLOADED"), headers: { "retry-after": "3" } },
      { status: 201, body: { booking }, headers: { location: "/bookings/bk_1" } },
    ]);
    const result = await confirmBooking(client, request, { retryDelayMs: 100 });
    expect(result.booking).to.deep.equal(booking);
    expect(result.attempts).to.equal(3);
    const keys = sent.map((each) => each.headers["idempotency-key"]);
    expect(new Set(keys).size).to.equal(1);
    expect(keys[0])
      .to.equal(result.idempotencyKey)
      .and.match(/^[\x21-\x7e]{8,128}$/);
    expect(sent.every((each) => each.url === "http://marquee.test/booking/confirm")).to.equal(true);
    expect(sent.every((each) => each.headers.authorization === "Bearer t0k")).to.equal(true);
    expect(sent.map((each) => each.body)).to.deep.equal([request, request, request]);
    expect(clock.sleeps).to.deep.equal([100, 3_000]);
  });

  it("never retries a definitive refusal (402 declined, 409 hold expired)", async () => {
    for (const [status, code] of [
      [402, "PAYMENT_DECLINED"],
      [409, "HOLD_EXPIRED"],
    ] as const) {
      const { client, sent } = clientAnswering([{ status, body: errorBody(code) }]);
      const failure = await confirmBooking(client, request).catch((error) => error);
      expect(failure).to.be.instanceOf(ApiError).and.include({ status, code });
      expect(sent).to.have.length(1);
    }
  });

  it("keeps a key it is given, and stops after its attempts with the last error", async () => {
    const { client, sent } = clientAnswering([
      { status: 503, body: errorBody("OVERLOADED"), headers: { "retry-after": "1" } },
      { status: 429, body: errorBody("RATE_LIMITED"), headers: { "retry-after": "2" } },
    ]);
    const failure = await confirmBooking(client, request, {
      idempotencyKey: "purchase-42",
      attempts: 2,
    }).catch((error) => error);
    expect(failure)
      .to.be.instanceOf(ApiError)
      .and.include({ status: 429, code: "RATE_LIMITED", retryAfterSeconds: 2 });
    expect(sent.map((each) => each.headers["idempotency-key"])).to.deep.equal(["purchase-42", "purchase-42"]);
  });

  it("generates a new key per purchase", () => {
    expect(newIdempotencyKey()).to.not.equal(newIdempotencyKey());
  });
});
