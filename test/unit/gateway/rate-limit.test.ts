import { expect } from "chai";
import type { IncomingMessage } from "node:http";
import { MemoryWindowCounter } from "../../../gateway/rate-limit.ts";
import { addressBucket, clientAddress, parseTrustedProxies } from "../../../gateway/client-address.ts";

describe("MemoryWindowCounter", () => {
  it("counts per key within a window and starts over when it ends", () => {
    const counter = new MemoryWindowCounter(1_000, 10);
    expect(counter.hit("a", 0)).to.deep.equal({ count: 1, resetMs: 1_000 });
    expect(counter.hit("a", 400)).to.deep.equal({ count: 2, resetMs: 600 });
    expect(counter.hit("b", 400)).to.deep.equal({ count: 1, resetMs: 1_000 });
    expect(counter.hit("a", 1_000)).to.deep.equal({ count: 1, resetMs: 1_000 });
  });

  it("never holds more keys than its bound, forgetting the oldest windows first", () => {
    const counter = new MemoryWindowCounter(60_000, 100);
    for (let index = 0; index < 10_000; index += 1) {
      counter.hit(`client-${index}`, index);
      expect(counter.size).to.be.at.most(100);
    }
    // The newest clients are still counted, the oldest were forgotten.
    expect(counter.hit("client-9999", 10_000).count).to.equal(2);
    expect(counter.hit("client-0", 10_000).count).to.equal(1);
  });

  it("drops expired windows as new clients arrive", () => {
    const counter = new MemoryWindowCounter(100, 1_000);
    for (let index = 0; index < 50; index += 1) counter.hit(`old-${index}`, 0);
    counter.hit("new", 500);
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
