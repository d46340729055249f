// The broker's validator refuses null for every field, required or optional, at any depth, unless
// the schema says `nullable: true`; absent optional fields stay fine.
import { expect } from "chai";
import { ServiceBroker } from "moleculer";
import { strictValidator } from "../../../platform/validator.ts";
import { toHttpError } from "../../../gateway/errors.ts";
import { validationProblemsMax } from "../../../domain/limits.ts";
import { bestAvailableSchema, ticketSelectionSchema } from "../../../actors/booking/action-schemas.ts";

describe("strict validator (null is not absent)", function () {
  const broker = new ServiceBroker({ logger: false, validator: strictValidator() });
  const received: unknown[] = [];

  before(async () => {
    broker.createService({
      name: "probe",
      actions: {
        reserve: {
          params: { ...ticketSelectionSchema, ...bestAvailableSchema, $$strict: true },
          handler: (ctx) => received.push(ctx.params),
        },
        nested: {
          params: {
            section: {
              type: "object",
              strict: true,
              props: {
                name: { type: "string" },
                rows: { type: "array", optional: true, items: { type: "number" } },
                note: { type: "string", optional: true, nullable: true },
              },
            },
            $$strict: true,
          },
          handler: (ctx) => received.push(ctx.params),
        },
      },
    });
    await broker.start();
  });
  after(() => broker.stop());
  beforeEach(() => (received.length = 0));

  /** The field the gateway would name in its 400, or "passed" when the call went through. */
  async function refusedField(action: string, params: Record<string, unknown>): Promise<string> {
    try {
      await broker.call(action, params);
      return "passed";
    } catch (error) {
      const answer = toHttpError(error);
      expect(answer.status).to.equal(400);
      expect(answer.body.error.code).to.equal("VALIDATION_ERROR");
      return String(answer.body.error.details?.field);
    }
  }

  it("refuses null in optional fields, as the issue's requests sent them", async () => {
    expect(await refusedField("probe.reserve", { eventId: "ev_1", quantity: null })).to.equal("quantity");
    expect(await refusedField("probe.reserve", { eventId: null, quantity: 1 })).to.equal("eventId");
    expect(await refusedField("probe.reserve", { eventId: "ev_1", quantity: 1, section: null })).to.equal(
      "section",
    );
    expect(
      await refusedField("probe.reserve", { eventId: "ev_1", quantity: 1, maxPriceCents: null }),
    ).to.equal("maxPriceCents");
    expect(await refusedField("probe.reserve", { ticketIds: null })).to.equal("ticketIds");
    expect(received).to.deep.equal([]);
  });

  it("refuses null at any depth, and in required fields", async () => {
    expect(await refusedField("probe.nested", { section: null })).to.equal("section");
    expect(await refusedField("probe.nested", { section: { name: null } })).to.equal("section.name");
    expect(await refusedField("probe.nested", { section: { name: "A", rows: null } })).to.equal(
      "section.rows",
    );
    expect(await refusedField("probe.nested", { section: { name: "A", rows: [1, null] } })).to.match(
      /^section\.rows/,
    );
    expect(await refusedField("probe.reserve", { ticketIds: ["ev_1.1", null] })).to.match(/^ticketIds/);
    expect(received).to.deep.equal([]);
  });

  it("names at most validationProblemsMax problems (10,000 bad items make a small answer)", async () => {
    try {
      await broker.call("probe.reserve", { ticketIds: new Array(10_000).fill(null) });
      expect.fail("the call went through");
    } catch (error) {
      const problems = (error as { data: unknown[] }).data;
      expect(problems).to.have.length(validationProblemsMax);
      expect(JSON.stringify(problems).length).to.be.below(10_000);
    }
    expect(received).to.deep.equal([]);
  });

  it("lets absent optional fields and `nullable: true` fields through", async () => {
    expect(await refusedField("probe.reserve", { eventId: "ev_1", quantity: 2 })).to.equal("passed");
    expect(await refusedField("probe.nested", { section: { name: "A", note: null } })).to.equal("passed");
    expect(received).to.deep.equal([
      { eventId: "ev_1", quantity: 2 },
      { section: { name: "A", note: null } },
    ]);
  });
});
