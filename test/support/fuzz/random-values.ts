// Random values for the property-based fuzz (fast-check): values that (mostly) fit a schema, hostile
// values, and bodies built from a schema and then broken in one way or another.
import fc from "fast-check";
import { knownFor, type JsonSchema } from "./schema-values.ts";

export const hostileStrings = [
  "",
  " ",
  "\t",
  "null",
  "undefined",
  "0",
  "-1",
  "1e309",
  "NaN",
  "true",
  "[]",
  "{}",
  "__proto__",
  "constructor",
  "prototype",
  "../../etc/passwd",
  "..",
  "%00",
  "%",
  "'; DROP TABLE tickets; --",
  "' OR '1'='1",
  "$where",
  '{"$gt": ""}',
  "<script>alert(1)</script>",
  "${7*7}",
  "{{7*7}}",
  "\u202e\u0645\u0631\u062d\u0628\u0627",
  "\ud83d\udca9\ud83d\udca9",
  "\ud800",
  "\udc00",
  "a\ud800b",
  "\udc00\ud800",
  "\uffff",
  "\u0000",
  "e\u0301",
  "a".repeat(129),
  "a".repeat(5_000),
  "ev_0000000000.99999999",
  "2024-02-30T10:00:00Z",
  "9999-12-31T23:59:59Z",
  "0000-01-01T00:00:00Z",
];

const hostileValues: unknown[] = [
  null,
  true,
  false,
  0,
  -1,
  -0,
  0.5,
  1e308,
  -1e308,
  2 ** 53 + 1,
  Number.MAX_SAFE_INTEGER,
  [],
  {},
  [null],
  [[[[[[[[[[]]]]]]]]]],
  { __proto__: null, constructor: { prototype: {} } },
  ...hostileStrings,
];

const anyHostile = fc.constantFrom(...hostileValues);

export function stringArbitrary(schema: JsonSchema): fc.Arbitrary<string> {
  if (typeof schema.pattern === "string") {
    let regex: RegExp | null = null;
    try {
      regex = new RegExp(schema.pattern);
    } catch {
      regex = null;
    }
    if (regex) {
      const maxLength = schema.maxLength;
      return fc
        .stringMatching(regex, { size: "small" })
        .filter((value) => maxLength === undefined || value.length <= maxLength);
    }
  }
  if (schema.format === "date-time")
    return fc
      .date({
        min: new Date("2000-01-01T00:00:00Z"),
        max: new Date("2100-01-01T00:00:00Z"),
        noInvalidDate: true,
      })
      .map((date) => date.toISOString());
  return fc.string({
    minLength: schema.minLength ?? 0,
    maxLength: Math.min(schema.maxLength ?? 40, 200),
    unit: "grapheme",
  });
}

/** Values that (mostly) fit the schema; names with known ids use them now and then. */
export function valueArbitrary(
  schema: JsonSchema,
  known: Record<string, string[]>,
  name = "",
  depth = 0,
): fc.Arbitrary<unknown> {
  const ids = knownFor(known, name);
  const fitting = fittingArbitrary(schema, known, name, depth);
  if (ids && ids.length > 0 && schema.type !== "array") return fc.oneof(fc.constantFrom(...ids), fitting);
  return fitting;
}

function fittingArbitrary(
  schema: JsonSchema,
  known: Record<string, string[]>,
  name: string,
  depth: number,
): fc.Arbitrary<unknown> {
  if (Array.isArray(schema.enum)) return fc.constantFrom(...schema.enum);
  if (schema.const !== undefined) return fc.constant(schema.const);
  const alternatives = schema.oneOf ?? schema.anyOf;
  if (Array.isArray(alternatives) && alternatives.length > 0)
    return fc.oneof(...alternatives.map((item: JsonSchema) => valueArbitrary(item, known, name, depth + 1)));
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case "string":
      return stringArbitrary(schema);
    case "integer":
      return fc.integer({ min: schema.minimum ?? -1_000_000, max: schema.maximum ?? 1_000_000 });
    case "number":
      return fc.double({
        min: schema.minimum ?? -1e6,
        max: schema.maximum ?? 1e6,
        noNaN: true,
        noDefaultInfinity: true,
      });
    case "boolean":
      return fc.boolean();
    case "array": {
      const items = schema.items && typeof schema.items === "object" ? schema.items : {};
      const ids = knownFor(known, name);
      const item =
        ids && ids.length > 0
          ? fc.oneof(fc.constantFrom(...ids), valueArbitrary(items, known, "", depth + 1))
          : valueArbitrary(items, known, "", depth + 1);
      return fc.array(item, {
        minLength: schema.minItems ?? 0,
        maxLength: Math.min(schema.maxItems ?? 4, 4),
      });
    }
    case "object": {
      if (depth > 4 || !schema.properties)
        return fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 });
      const model: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [key, child] of Object.entries<JsonSchema>(schema.properties))
        model[key] = valueArbitrary(child, known, key, depth + 1);
      return fc.record(model, { requiredKeys: (schema.required ?? []) as string[] });
    }
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

/** A body built from the schema, then (most of the time) broken in one way or another. */
export function bodyArbitrary(schema: JsonSchema, known: Record<string, string[]>): fc.Arbitrary<string> {
  const valid = fittingArbitrary(schema, known, "", 0) as fc.Arbitrary<Record<string, unknown>>;
  const keys = Object.keys(schema.properties ?? {});
  const mutated = fc
    .tuple(
      valid,
      fc.constantFrom("drop", "extra", "retype", "hostile", "nested"),
      fc.nat(),
      fc.oneof(fc.jsonValue({ maxDepth: 2 }), anyHostile),
      fc.string({ minLength: 1, maxLength: 12 }),
    )
    .map(([value, how, index, replacement, extraKey]) => {
      const body: Record<string, unknown> = { ...value };
      const present = Object.keys(body);
      const key = keys.length > 0 ? keys[index % keys.length] : extraKey;
      if (how === "drop" && present.length > 0) delete body[present[index % present.length]];
      else if (how === "extra") body[keys.includes(extraKey) ? `${extraKey}_x` : extraKey] = replacement;
      else if (how === "nested") body[key] = { [extraKey]: replacement };
      else body[key] = replacement;
      return JSON.stringify(body);
    });
  const raw = fc.oneof(
    fc.constantFrom(
      "",
      "{",
      "}",
      "null",
      "[]",
      '"a string"',
      "42",
      '{"a":1,"a":2}',
      '{"__proto__": {"admin": true}}',
      '{"constructor": {"prototype": {"admin": true}}}',
      "\ufeff{}",
      '{"a": "\\ud800"}',
      '{"a": 1e999}',
      "[".repeat(20_000) + "]".repeat(20_000),
      `{"a": "${"x".repeat(70_000)}"}`,
      "\u0000",
    ),
    fc.jsonValue().map((value) => JSON.stringify(value) ?? "null"),
    fc.string({ maxLength: 200 }),
  );
  return fc.oneof(
    { weight: 2, arbitrary: valid.map((value) => JSON.stringify(value)) },
    { weight: 5, arbitrary: mutated },
    { weight: 2, arbitrary: raw },
  );
}
