import { expect } from "chai";
import { createHmac } from "node:crypto";
import { retryDelaySeconds, signatureOf } from "../../../domain/webhooks.ts";

describe("webhooks (domain)", () => {
  it("signs t.<body> with HMAC-SHA256 in Stripe's header form", () => {
    const body = '{"id":"evt_1","type":"booking.confirmed","createdAt":"2027-01-01T00:00:00.000Z","data":{}}';
    const header = signatureOf("whsec_test", body, 1_800_000_000.9);
    const expected = createHmac("sha256", "whsec_test").update(`1800000000.${body}`).digest("hex");
    expect(header).to.equal(`t=1800000000,v1=${expected}`);
    expect(signatureOf("whsec_other", body, 1_800_000_000)).to.not.equal(header);
  });

  it("waits the base, then twice as long each time, never over the cap", () => {
    const schedule = { baseSeconds: 5, maxDelaySeconds: 3_600 };
    expect([1, 2, 3, 4, 5].map((n) => retryDelaySeconds(schedule, n))).to.deep.equal([5, 10, 20, 40, 80]);
    expect(retryDelaySeconds(schedule, 10)).to.equal(2_560);
    expect(retryDelaySeconds(schedule, 11)).to.equal(3_600);
    expect(retryDelaySeconds(schedule, 5_000)).to.equal(3_600);
    expect(retryDelaySeconds({ baseSeconds: 0.05, maxDelaySeconds: 3_600 }, 3)).to.equal(0.2);
  });

  it("retries for at least 24 hours with the default schedule before the window ends it", () => {
    // Attempts needed to cover 24 h: the waits add up past 86,400 s only after ~33 attempts.
    const schedule = { baseSeconds: 5, maxDelaySeconds: 3_600 };
    let waited = 0;
    let attempts = 0;
    while (waited < 86_400) waited += retryDelaySeconds(schedule, ++attempts);
    expect(attempts).to.be.within(30, 40);
  });
});
