import { expect } from "chai";
import { buildOpenApiDocument } from "../../../gateway/openapi/document.ts";
import { objectSchema, ruleToJsonSchema } from "../../../gateway/openapi/json-schema.ts";

describe("OpenAPI generation from fastest-validator schemas", () => {
  it("translates rule objects", () => {
    expect(ruleToJsonSchema({ type: "string", min: 2, max: 5, pattern: /^a+$/ })).to.deep.equal({
      type: "string",
      minLength: 2,
      maxLength: 5,
      pattern: "^a+$",
    });
    expect(ruleToJsonSchema({ type: "number", integer: true, min: 1, max: 10, default: 3 })).to.deep.equal({
      type: "integer",
      minimum: 1,
      maximum: 10,
      default: 3,
    });
    expect(ruleToJsonSchema({ type: "number", positive: true, nullable: true })).to.deep.equal({
      type: ["number", "null"],
      exclusiveMinimum: 0,
    });
    expect(ruleToJsonSchema({ type: "enum", values: ["a", "b"] })).to.deep.equal({ enum: ["a", "b"] });
    expect(ruleToJsonSchema({ type: "equal", value: true })).to.deep.equal({ const: true });
    expect(ruleToJsonSchema({ type: "array", items: "string", min: 1, max: 10, unique: true })).to.deep.equal(
      {
        type: "array",
        items: { type: "string" },
        minItems: 1,
        maxItems: 10,
        uniqueItems: true,
      },
    );
    expect(ruleToJsonSchema({ type: "tuple", items: ["number", "string"] })).to.deep.equal({
      type: "array",
      prefixItems: [{ type: "number" }, { type: "string" }],
      items: false,
      minItems: 2,
    });
    expect(ruleToJsonSchema({ type: "record", key: "string", value: "number" })).to.deep.equal({
      type: "object",
      additionalProperties: { type: "number" },
      propertyNames: { type: "string" },
    });
    expect(ruleToJsonSchema([{ type: "string" }, { type: "number" }])).to.deep.equal({
      oneOf: [{ type: "string" }, { type: "number" }],
    });
    expect(ruleToJsonSchema({ type: "email" })).to.deep.equal({ type: "string", format: "email" });
    expect(ruleToJsonSchema({ type: "any" })).to.deep.equal({});
  });

  it("translates shorthand strings", () => {
    expect(ruleToJsonSchema("string|min:3|max:9")).to.deep.equal({
      type: "string",
      minLength: 3,
      maxLength: 9,
    });
    expect(ruleToJsonSchema("string[]")).to.deep.equal({ type: "array", items: { type: "string" } });
  });

  it("makes strict objects closed and lists required fields (optional or defaulted ones are not)", () => {
    const schema = objectSchema(
      {
        name: "string",
        genre: { type: "string", optional: true },
        limit: { type: "number", default: 20 },
        inner: { type: "object", strict: true, props: { a: "boolean" } },
        $$strict: true,
      },
      true,
    );
    expect(schema.required).to.deep.equal(["name", "inner"]);
    expect(schema.additionalProperties).to.equal(false);
    expect((schema.properties as any).inner).to.deep.equal({
      type: "object",
      properties: { a: { type: "boolean" } },
      required: ["a"],
      additionalProperties: false,
    });
  });

  it("documents routes of services that are not running yet, marked unavailable", () => {
    const document = buildOpenApiDocument({
      aliases: [
        {
          method: "GET",
          fullPath: "/things/:thingId",
          action: "things.get",
          route: { opts: { authentication: true } },
        },
      ],
      actionDefinition: () => null,
    });
    const operation = document.paths["/things/{thingId}"].get;
    expect(operation["x-marquee-available"]).to.equal(false);
    expect(operation.parameters).to.deep.equal([
      { name: "thingId", in: "path", required: true, schema: { type: "string" } },
    ]);
    expect(operation.security).to.deep.equal([{ bearerAuth: [] }]);
    expect(Object.keys(operation.responses)).to.include.members(["200", "401", "404", "429"]);
  });
});
