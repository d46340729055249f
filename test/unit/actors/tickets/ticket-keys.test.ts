// The sealing of an event's private seed: AES-256-GCM under a key from the server's secret, bound to
// the event id; another secret, another event or a changed byte does not open it.
import { randomBytes } from "node:crypto";
import { expect } from "chai";
import { sealSeed, sealingKey, unsealSeed } from "../../../../actors/tickets/ticket-keys.ts";

describe("ticket keys: the sealed private seed", () => {
  const key = sealingKey("a server secret");
  const seed = randomBytes(32);
  const sealed = sealSeed(key, "ev_1", seed);

  it("opens with the same secret for the same event", () => {
    expect(unsealSeed(sealingKey("a server secret"), "ev_1", sealed).equals(seed)).to.equal(true);
    expect(sealed).to.not.contain(seed.toString("base64url"));
    expect(sealSeed(key, "ev_1", seed)).to.not.equal(sealed); // a fresh IV each time
  });

  it("does not open with another secret, for another event, or altered", () => {
    expect(() => unsealSeed(sealingKey("another secret"), "ev_1", sealed)).to.throw();
    expect(() => unsealSeed(key, "ev_2", sealed)).to.throw();
    const [iv, body, tag] = sealed.split(".");
    const flipped = Buffer.from(body, "base64url");
    flipped[0] ^= 1;
    expect(() => unsealSeed(key, "ev_1", [iv, flipped.toString("base64url"), tag].join("."))).to.throw();
  });
});
