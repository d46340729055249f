import { expect } from "chai";
import { MarqueeClient, waitForAdmission } from "../../../client/src/index.ts";
import { errorBody, recordingClock, scriptedFetch } from "./fake-api.ts";

const waiting = (position: number) => ({ status: "waiting", position, estimatedWaitSeconds: position * 2 });

describe("client: waitForAdmission", () => {
  it("joins, polls at its interval, waits out Retry-After on 429/503 and returns the admission token", async () => {
    const { fetch, sent } = scriptedFetch([
      { status: 503, body: errorBody("OVERLOADED"), headers: { "retry-after": "7" } },
      { status: 200, body: waiting(3) },
      { status: 429, body: errorBody("RATE_LIMITED"), headers: { "retry-after": "4" } },
      { status: 200, body: waiting(1) },
      {
        status: 200,
        body: { status: "admitted", position: 0, estimatedWaitSeconds: 0, admissionToken: "adm" },
      },
    ]);
    const clock = recordingClock();
    const client = new MarqueeClient({ token: () => "t0k", fetch, clock });
    const seen: unknown[] = [];
    const token = await waitForAdmission(client, "ev_1", {
      pollIntervalMs: 2_000,
      onStatus: (s) => seen.push(s),
    });
    expect(token).to.equal("adm");
    expect(sent.map((each) => `${each.method} ${each.url}`)).to.deep.equal([
      "POST /events/ev_1/queue",
      "POST /events/ev_1/queue",
      "GET /events/ev_1/queue",
      "GET /events/ev_1/queue",
      "GET /events/ev_1/queue",
    ]);
    // Retry-After when it is longer than the poll interval, the interval otherwise.
    expect(clock.sleeps).to.deep.equal([7_000, 2_000, 4_000, 2_000]);
    expect(seen).to.have.length(3);
  });

  it("joins again when the place is lost (404) and stops on a refusal that waiting cannot cure", async () => {
    const { fetch, sent } = scriptedFetch([
      { status: 200, body: waiting(2) },
      { status: 404, body: errorBody("NOT_FOUND") },
      { status: 409, body: errorBody("NOT_ON_SALE") },
    ]);
    const client = new MarqueeClient({ token: () => "t0k", fetch, clock: recordingClock() });
    const failure = await waitForAdmission(client, "ev_1").catch((error) => error);
    expect(failure).to.include({ status: 409, code: "NOT_ON_SALE" });
    expect(sent.map((each) => each.method)).to.deep.equal(["POST", "GET", "POST"]);
  });

  it("answers at once for an event without a waiting room (admitted, no token)", async () => {
    const { fetch } = scriptedFetch([
      { status: 200, body: { status: "admitted", position: 0, estimatedWaitSeconds: 0 } },
    ]);
    const clock = recordingClock();
    const client = new MarqueeClient({ token: () => "t0k", fetch, clock });
    expect(await waitForAdmission(client, "ev_1")).to.equal(undefined);
    expect(clock.sleeps).to.deep.equal([]);
  });
});
