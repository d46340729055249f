import { expect } from "chai";
import { ManualClock } from "../../../../domain/clock.ts";
import { ClientSlots, HandshakeRate, tooManyConnections } from "../../../../gateway/realtime/client-caps.ts";

describe("client caps", () => {
  describe("ClientSlots", () => {
    it("gives a client at most perClientMax slots, other clients their own", () => {
      const slots = new ClientSlots(2);
      const a1 = slots.take("a");
      const a2 = slots.take("a");
      expect(a1).to.not.equal(null);
      expect(a2).to.not.equal(null);
      expect(slots.take("a")).to.equal(null);
      expect(slots.take("b")).to.not.equal(null);
      expect(slots.count("a")).to.equal(2);
      a1!.release();
      expect(slots.count("a")).to.equal(1);
      expect(slots.take("a")).to.not.equal(null);
    });

    it("releases a slot once, however often release is called, and forgets clients without slots", () => {
      const slots = new ClientSlots(3);
      const slot = slots.take("a")!;
      slots.take("a");
      slot.release();
      slot.release();
      expect(slots.count("a")).to.equal(1);
      expect(slot.moveTo("b"), "a released slot moves nowhere").to.equal(false);
      expect(slots.count("b")).to.equal(0);
      const last = slots.take("c")!;
      last.release();
      expect(slots.clientCount).to.equal(1); // only "a"
    });

    it("moves a slot to another client only when that one has room, keeping it where it was otherwise", () => {
      const slots = new ClientSlots(1);
      const address = slots.take("address:1")!;
      expect(address.moveTo("user:u")).to.equal(true);
      expect(address.client).to.equal("user:u");
      expect(slots.count("address:1")).to.equal(0);
      const other = slots.take("address:1")!;
      expect(other.moveTo("user:u"), "u holds its one slot").to.equal(false);
      expect(other.client).to.equal("address:1");
      expect(slots.count("address:1")).to.equal(1);
      expect(address.moveTo("user:u"), "moving to where it is").to.equal(true);
      address.release();
      expect(slots.count("user:u")).to.equal(0);
    });
  });

  describe("HandshakeRate", () => {
    it("lets perSecond handshakes of a client through per second, then names the wait in whole seconds", () => {
      const clock = new ManualClock(1_000_000);
      const rate = new HandshakeRate(3, clock);
      expect([rate.hit("a"), rate.hit("a"), rate.hit("a")]).to.deep.equal([0, 0, 0]);
      const wait = rate.hit("a");
      expect(wait).to.be.at.least(1);
      expect(wait).to.be.at.most(2);
      expect(rate.hit("b"), "another client").to.equal(0);
      clock.advance(wait * 1_000);
      expect(rate.hit("a"), "after the wait it names").to.equal(0);
    });

    it("does not let a client spend two seconds' worth at a window edge", () => {
      const clock = new ManualClock(1_000_999); // 1 ms before a window ends
      const rate = new HandshakeRate(4, clock);
      for (let index = 0; index < 4; index++) expect(rate.hit("a")).to.equal(0);
      clock.advance(2); // the next window
      expect(rate.hit("a")).to.be.at.least(1);
    });
  });

  it("refuses with the contract's RATE_LIMITED, the limit and a Retry-After", () => {
    const error = tooManyConnections("live connections", 7);
    expect(error.code).to.equal("RATE_LIMITED");
    expect(error.details).to.deep.equal({ limit: 7 });
    expect(error.retryAfterSeconds).to.be.at.least(1);
  });
});
