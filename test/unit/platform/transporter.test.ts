// A publish over NATS's max_payload must not stop the node: the transporter turns nats.js's synchronous
// throw into a rejection, which Moleculer's transit catches and logs.
import { expect } from "chai";
import { BoundedNatsTransporter, transporterOption } from "../../../platform/transporter.ts";

describe("bounded NATS transporter", () => {
  it("turns a synchronous publish failure into a rejected promise", async () => {
    const transporter = new BoundedNatsTransporter({ url: "nats://127.0.0.1:4222" }) as any;
    transporter.client = {
      publish() {
        throw Object.assign(new Error("MAX_PAYLOAD_EXCEEDED"), { code: "MAX_PAYLOAD_EXCEEDED" });
      },
    };
    let sent: Promise<void> | undefined;
    expect(() => (sent = transporter.send("MOL.RES.node", Buffer.alloc(10), {}))).not.to.throw();
    const error = await sent!.then(
      () => null,
      (reason: Error) => reason,
    );
    expect(error?.message).to.equal("MAX_PAYLOAD_EXCEEDED");
  });

  it("is used for NATS URLs only", () => {
    expect(transporterOption(null)).to.equal(undefined);
    expect(transporterOption("nats://127.0.0.1:4222")).to.be.instanceOf(BoundedNatsTransporter);
    expect(transporterOption("TCP")).to.equal("TCP");
  });
});
