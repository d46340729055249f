import { expect } from "chai";
import type { IncomingMessage } from "node:http";
import { fits, MemoryWindowCounter, waitUntilFitsMs } from "../../../gateway/rate-limit.ts";
import { addressBucket, clientAddress, parseTrustedProxies } from "../../../gateway/client-address.ts";

describe("sliding window rate limit", () => {
  const windowMs = 1_000;

  it("holds the limit across a window edge: no second full burst right after the first", () => {
    const counter = new MemoryWindowCounter(windowMs, 10);
    for (let index = 0; index < 10; index += 1) expect(counter.hit("a", 990, 10).fits).to.equal(true);
    expect(counter.hit("a", 995, 10).fits).to.equal(false);
    // 10 ms into the next window the last 1,000 ms still hold ~9.9 requests: one more would be 10.9.
    expect(counter.hit("a", 1_010, 10)).to.deep.equal({ fits: false, previous: 10, current: 0 });
    // As the burst slides out of reach, requests fit again one by one.
    expect(counter.hit("a", 1_100, 10).fits).to.equal(true);
    expect(counter.hit("a", 1_100, 10).fits).to.equal(false);
    expect(counter.hit("a", 1_300, 10).fits).to.equal(true);
    // Two windows later nothing of it is left.
    for (let index = 0; index < 10; index += 1) expect(counter.hit("a", 3_000, 10).fits).to.equal(true);
  });

  it("counts only the requests it lets through, per key", () => {
    const counter = new MemoryWindowCounter(windowMs, 10);
    for (let index = 0; index < 50; index += 1) counter.hit("flood", 100, 3);
    expect(counter.hit("flood", 100, 3)).to.deep.equal({ fits: false, previous: 0, current: 3 });
    expect(counter.hit("other", 100, 3)).to.deep.equal({ fits: true, previous: 0, current: 1 });
  });

  it("says exactly how long until the next request fits", () => {
    for (const [previous, current, elapsedMs] of [
      [10, 0, 10],
      [10, 5, 200],
      [0, 10, 500],
      [7, 3, 0],
      [20, 10, 999],
    ]) {
      const counts = { previous, current };
      const wait = waitUntilFitsMs(counts, elapsedMs, windowMs, 10);
      expect(wait, JSON.stringify(counts)).to.be.greaterThan(0);
      // At that moment it fits (in this window, or in the next one with this one as the previous)...
      const at = elapsedMs + wait;
      const then = at < windowMs ? counts : { previous: current, current: 0 };
      expect(fits(then, at % windowMs, windowMs, 10), `${JSON.stringify(counts)} at ${at}`).to.equal(true);
      // ...and 2 ms before, it did not.
      const before = at - 2;
      const earlier = before < windowMs ? counts : { previous: current, current: 0 };
      expect(
        fits(earlier, before % windowMs, windowMs, 10),
        `${JSON.stringify(counts)} at ${before}`,
      ).to.equal(false);
    }
    expect(waitUntilFitsMs({ previous: 0, current: 1 }, 0, windowMs, 10)).to.equal(0);
  });

  it("never holds more keys than its bound, forgetting those idle longest first", () => {
    const counter = new MemoryWindowCounter(60_000, 100);
    for (let index = 0; index < 10_000; index += 1) {
      counter.hit(`client-${index}`, index * 10, 1_000);
      expect(counter.size).to.be.at.most(100);
    }
    // The newest clients are still counted, the oldest were forgotten.
    expect(counter.hit("client-9999", 100_000, 1_000).current).to.equal(2);
    expect(counter.hit("client-0", 100_000, 1_000).current).to.equal(1);
  });

  it("drops windows out of the sliding window's reach as new clients arrive", () => {
    const counter = new MemoryWindowCounter(100, 1_000);
    for (let index = 0; index < 50; index += 1) counter.hit(`old-${index}`, 0, 10);
    counter.hit("new", 500, 10);
    expect(counter.size).to.equal(1);
  });
});

describe("client address", () => {
  const request = (remoteAddress: string, forwardedFor?: string) =>
    ({
      socket: { remoteAddress },
      headers: forwardedFor === undefined ? {} : { "x-forwarded-for": forwardedFor },
    }) as unknown as IncomingMessage;

  it("is the socket peer when no proxy is trusted, whatever X-Forwarded-For says", () => {
    const none = parseTrustedProxies(null);
    expect(clientAddress(request("10.0.0.5", "1.2.3.4"), none)).to.equal("10.0.0.5");
    expect(clientAddress(request("::ffff:10.0.0.5"), none)).to.equal("10.0.0.5");
  });

  it("is the rightmost untrusted X-Forwarded-For entry when the peer is a trusted proxy", () => {
    const proxies = parseTrustedProxies("10.0.0.1, 10.0.0.2");
    expect(clientAddress(request("10.0.0.1", "6.6.6.6, 1.2.3.4"), proxies)).to.equal("1.2.3.4");
    expect(clientAddress(request("10.0.0.1", "6.6.6.6, 1.2.3.4, 10.0.0.2"), proxies)).to.equal("1.2.3.4");
    expect(clientAddress(request("10.0.0.1"), proxies)).to.equal("10.0.0.1");
    expect(clientAddress(request("10.0.0.1", "not-an-address"), proxies)).to.equal("10.0.0.1");
    expect(clientAddress(request("10.0.0.9", "1.2.3.4"), proxies)).to.equal("10.0.0.9");
  });

  it("puts an IPv6 /64 in one bucket and leaves IPv4 alone", () => {
    expect(addressBucket("192.0.2.1")).to.equal("192.0.2.1");
    expect(addressBucket("2001:db8:0:1::5")).to.equal("2001:db8:0:1::/64");
    expect(addressBucket("2001:0db8:0000:0001:aaaa:bbbb:cccc:dddd")).to.equal("2001:db8:0:1::/64");
    expect(addressBucket("::1")).to.equal("0:0:0:0::/64");
  });
});
