// Sealing secrets at rest: AES-256-GCM under a key from a server secret and a purpose, bound to what
// the value belongs to; another secret, another purpose, another owner or a changed byte does not open it.
import { randomBytes } from "node:crypto";
import { expect } from "chai";
import { seal, sealingKey, unseal } from "../../../platform/sealing.ts";
import { ticketSealingKey } from "../../../actors/tickets/ticket-keys.ts";

describe("sealing secrets at rest", () => {
  const key = ticketSealingKey("a server secret");
  const seed = randomBytes(32);
  const sealed = seal(key, "ev_1", seed);

  it("opens with the same secret for the same owner", () => {
    expect(unseal(ticketSealingKey("a server secret"), "ev_1", sealed).equals(seed)).to.equal(true);
    expect(sealed).to.not.contain(seed.toString("base64url"));
    expect(seal(key, "ev_1", seed)).to.not.equal(sealed); // a fresh IV each time
  });

  it("does not open with another secret, another purpose, for another owner, or altered", () => {
    expect(() => unseal(ticketSealingKey("another secret"), "ev_1", sealed)).to.throw();
    expect(() =>
      unseal(sealingKey("a server secret", "marquee/webhook-secrets/v1"), "ev_1", sealed),
    ).to.throw();
    expect(() => unseal(key, "ev_2", sealed)).to.throw();
    const [iv, body, tag] = sealed.split(".");
    const flipped = Buffer.from(body, "base64url");
    flipped[0] ^= 1;
    expect(() => unseal(key, "ev_1", [iv, flipped.toString("base64url"), tag].join("."))).to.throw();
  });
});
