// A MarqueeError thrown on one node is the same MarqueeError on the node that called it.
import { expect } from "chai";
import { InternalFault, MarqueeError } from "../../../domain/errors.ts";
import { createErrorRegenerator } from "../../../platform/moleculer-errors.ts";

describe("Moleculer error regenerator", function () {
  const regenerator = createErrorRegenerator();
  regenerator.init({ nodeID: "sender" } as any);
  const roundTrip = (error: Error) =>
    regenerator.restore(JSON.parse(JSON.stringify(regenerator.extractPlainError(error))), {
      sender: "sender",
    });

  it("carries code, details and Retry-After across the transporter", function () {
    const restored = roundTrip(new MarqueeError("TICKET_UNAVAILABLE", "Taken", { ticketIds: ["t1"] }, 2));
    expect(restored).to.be.instanceOf(MarqueeError);
    const error = restored as MarqueeError;
    expect([error.code, error.status, error.message, error.retryAfterSeconds]).to.deep.equal([
      "TICKET_UNAVAILABLE",
      409,
      "Taken",
      2,
    ]);
    expect(error.details).to.deep.equal({ ticketIds: ["t1"] });
  });

  it("restores internal faults as InternalFault, retryable where the catalogue says so", function () {
    const restored = roundTrip(new InternalFault("STALE_OWNER", "moved"));
    expect(restored).to.be.instanceOf(InternalFault);
    expect((restored as InternalFault).code).to.equal("STALE_OWNER");
    expect((restored as InternalFault).retryable).to.equal(true);
  });

  it("leaves other errors to Moleculer", function () {
    const restored = roundTrip(Object.assign(new Error("boom"), { code: 500, type: "SOMETHING" }));
    expect(restored).to.not.be.instanceOf(MarqueeError);
    expect((restored as any).type).to.equal("SOMETHING");
  });
});
