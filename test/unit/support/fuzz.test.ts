// The fuzzer's own parts (test/support/fuzz/): every field path of a schema, at every depth, gets null
// and every wrong JSON type every run; sampling is fixed by the seed; raw JSON and bytes reach the
// body as written; a mutation's expectation follows the schema; the crash counter is read from
// Prometheus text.
import { expect } from "chai";
import { counterTotal } from "../../support/fuzz/checks.ts";
import { bodyText, fieldPaths } from "../../support/fuzz/field-paths.ts";
import { sweepCases } from "../../support/fuzz/field-sweep.ts";
import { expectationOf, RawBytes, RawJson } from "../../support/fuzz/mutations.ts";
import type { FuzzContext } from "../../support/fuzz/context.ts";
import type { FuzzOperation } from "../../support/fuzz/operations.ts";

const schema = {
  type: "object",
  properties: {
    eventId: { type: "string", pattern: "^[a-z_]{1,20}$" },
    quantity: { type: "integer", minimum: 1, maximum: 10 },
    sections: {
      type: "array",
      maxItems: 3,
      items: {
        type: "object",
        properties: {
          rows: { type: "array", items: { type: "object", properties: { seats: { type: "integer" } } } },
        },
        required: ["rows"],
        additionalProperties: false,
      },
    },
  },
  required: ["eventId"],
  additionalProperties: false,
};

const operation: FuzzOperation = {
  method: "POST",
  path: "/things/{thingId}",
  parameters: [{ name: "thingId", in: "path", required: true, schema: { type: "string" } }],
  body: schema,
  bodyRequired: true,
  secured: true,
  tags: [],
};

const context: FuzzContext = {
  baseUrl: "http://127.0.0.1:1",
  tokens: { user: "u", otherUser: "o", admin: "a" },
  knownIds: { eventId: ["ev_a"], thingId: ["th_1"] },
  bodies: { "POST /things/{thingId}": [{ eventId: "ev_a", quantity: 2 }] },
};

describe("fuzz support: the field sweep", () => {
  it("gives every field path, at every depth, a null and every wrong JSON type every run", () => {
    const labels = fieldPaths(schema, true).map((path) => path.label);
    expect(labels).to.deep.equal([
      "(body)",
      "eventId",
      "quantity",
      "sections",
      "sections[0]",
      "sections[0].rows",
      "sections[0].rows[0]",
      "sections[0].rows[0].seats",
    ]);
    const cases = sweepCases(operation, context, { seed: 1, samples: 0 });
    for (const label of labels) {
      const own = cases.filter((entry) => entry.target === `body ${label}`);
      expect(
        own.some((entry) => entry.kind === "null"),
        `${label}: null`,
      ).to.equal(true);
      expect(
        own.filter((entry) => entry.kind === "wrong type").length,
        `${label}: wrong types`,
      ).to.be.at.least(4);
    }
    const deepest = cases.find(
      (entry) => entry.target === "body sections[0].rows[0].seats" && entry.label === "a fraction",
    );
    // In the first base that has the field: here the schema's full example (the exemplar has no sections).
    expect(JSON.parse(deepest!.request().body as string)).to.deep.equal({
      eventId: "ev_a",
      quantity: 1,
      sections: [{ rows: [{ seats: 1.5 }] }],
    });
    expect(deepest!.expectation).to.equal("refused");
    expect(
      cases.some((entry) => entry.target === "path thingId" && entry.kind === "invalid unicode"),
    ).to.equal(true);
  });

  it("samples the same cases for the same seed, other ones for another seed", () => {
    const sampled = (seed: number) =>
      sweepCases(operation, context, { seed, samples: 40 })
        .filter((entry) => !entry.mandatory)
        .map((entry) => `${entry.target} ${entry.label}`);
    expect(sampled(7)).to.have.length(40);
    expect(sampled(7)).to.deep.equal(sampled(7));
    expect(sampled(7)).to.not.deep.equal(sampled(8));
  });

  it("writes raw JSON and bytes that are not UTF-8 into the body as they are", () => {
    expect(bodyText({ a: new RawJson("1e309"), b: "\ud800" })).to.equal('{"a":1e309,"b":"\\ud800"}');
    const bytes = bodyText({ s: new RawBytes(Buffer.from([0x61, 0xff])) });
    expect(
      Buffer.isBuffer(bytes) &&
        bytes.equals(Buffer.from([...Buffer.from('{"s":"a'), 0xff, ...Buffer.from('"}')])),
    ).to.equal(true);
  });

  it("expects a refusal for values outside the schema, and null in an optional field refused or read as absent", () => {
    const quantity = schema.properties.quantity;
    const expectation = (value: unknown, required = false) =>
      expectationOf({ kind: "boundary", label: "", value }, quantity, required);
    expect(expectation(null)).to.equal("nullOptional");
    expect(expectation(null, true)).to.equal("refused");
    expect(expectation(1.5)).to.equal("refused");
    expect(expectation(11)).to.equal("refused");
    expect(expectation(new RawJson("1e309"))).to.equal("refused");
    expect(expectation(new RawJson("1.0"))).to.equal("any");
    expect(expectation(10)).to.equal("any");
    const text = { type: "string", maxLength: 5 };
    expect(expectationOf({ kind: "invalid unicode", label: "", value: "a\ud800" }, text, true)).to.equal(
      "refused",
    );
    expect(
      expectationOf(
        { kind: "invalid unicode", label: "", value: new RawBytes(Buffer.from([0xff])) },
        text,
        true,
      ),
    ).to.equal("refused");
  });

  it("reads the crash counter from Prometheus text: summed over labels, 0 when declared without samples", () => {
    const name = "marquee_actor_worker_crashes_total";
    expect(counterTotal(`# TYPE ${name} counter\n`, name)).to.equal(0);
    expect(
      counterTotal(`${name}{reason="exit"} 2\n${name}{reason="invariant"} 1\n${name}_other 9\n`, name),
    ).to.equal(3);
    expect(counterTotal("other_total 1\n", name)).to.equal(null);
  });
});
