// The mutations of one field of a request body, from its schema: null, every wrong JSON type, wrong
// types nested inside arrays and objects, boundary numbers, invalid Unicode (lone surrogates as a
// hostile client writes them, `"\ud800"`, and bytes that are not UTF-8), long strings, oversized
// arrays and extra fields. Each says whether the gateway must refuse the request it ends up in.
import { hostileStrings } from "./random-values.ts";
import { exampleValue, fitsSchema, typesOf, type JsonSchema, type JsonType } from "./schema-values.ts";

/** JSON text put into a body as is (numbers JSON.stringify cannot write: 1e309, -0, 9007199254740993). */
export class RawJson {
  constructor(readonly text: string) {}
}

/** The content of a JSON string as raw bytes that are not UTF-8 (the body is sent as bytes). */
export class RawBytes {
  constructor(readonly bytes: Buffer) {}
}

export type MutationKind =
  | "null"
  | "wrong type"
  | "nested"
  | "boundary"
  | "invalid unicode"
  | "long string"
  | "oversized array"
  | "extra field"
  | "hostile";

export interface Mutation {
  kind: MutationKind;
  label: string;
  value: unknown;
}

/**
 * What the answer to a mutated request must be: `refused` (the value breaks the field's schema: 400
 * VALIDATION_ERROR, or 413 for a body over the limit), `nullOptional` (null in an optional field:
 * refused, or treated exactly as if the field were absent), or `any` (the value fits: anything but a
 * 5xx or a broken contract).
 */
export type Expectation = "refused" | "nullOptional" | "any";

export function expectationOf(mutation: Mutation, schema: JsonSchema, required: boolean): Expectation {
  const value = mutation.value;
  if (value instanceof RawBytes) return "refused";
  let parsed: unknown = value;
  if (value instanceof RawJson) {
    try {
      parsed = JSON.parse(value.text);
    } catch {
      return "refused";
    }
  }
  if (fitsSchema(parsed, schema)) return "any";
  return parsed === null && !required ? "nullOptional" : "refused";
}

/** One value of each JSON type (fractions apart from integers), for the wrong-type mutations. */
const typeRepresentatives: [JsonType, string, unknown][] = [
  ["string", "a string", "fuzz"],
  ["integer", "an integer", 7],
  ["number", "a fraction", 1.5],
  ["boolean", "a boolean", true],
  ["object", "an object", {}],
  ["array", "an array", []],
];

/** null and a value of every JSON type the schema does not take: every field gets these every run. */
export function mandatoryMutations(schema: JsonSchema): Mutation[] {
  const mutations: Mutation[] = [{ kind: "null", label: "null", value: null }];
  const types = typesOf(schema);
  if (types === null) return mutations;
  for (const [type, label, value] of typeRepresentatives)
    if (!types.has(type)) mutations.push({ kind: "wrong type", label, value });
  return mutations;
}

const deep = (open: string, close: string, depth: number): RawJson =>
  new RawJson(open.repeat(depth) + "1" + close.repeat(depth));

function nestedMutations(current: unknown): Mutation[] {
  const nested = (label: string, value: unknown): Mutation => ({ kind: "nested", label, value });
  return [
    nested("[null]", [null]),
    nested("[value]", [current]),
    nested('{"value": value}', { value: current }),
    nested('{"value": null}', { value: null }),
    nested("[{}]", [{}]),
    nested("[[[[]]]]", [[[[]]]]),
    nested("arrays 64 deep", deep("[", "]", 64)),
    nested("objects 64 deep", deep('{"a":', "}", 64)),
  ];
}

const invalidUtf8: [string, number[]][] = [
  ["byte 0xFF", [0x66, 0xff]],
  ["overlong '/' (C0 AF)", [0xc0, 0xaf]],
  ["a surrogate in UTF-8 (ED A0 80)", [0xed, 0xa0, 0x80]],
  ["a truncated sequence (E2 82)", [0x61, 0xe2, 0x82]],
];

function stringMutations(schema: JsonSchema, current: unknown): Mutation[] {
  const text = typeof current === "string" ? current : "fuzz";
  const minLength: number = schema.minLength ?? 0;
  const maxLength: number | undefined = schema.maxLength;
  const mutations: Mutation[] = [
    { kind: "boundary", label: "empty string", value: "" },
    { kind: "boundary", label: "a space", value: " " },
    { kind: "boundary", label: "value with a trailing space", value: `${text} ` },
    { kind: "boundary", label: "upper-cased value", value: text.toUpperCase() },
    { kind: "long string", label: "60,000 characters", value: "a".repeat(60_000) },
    { kind: "invalid unicode", label: "lone high surrogate", value: "\ud800" },
    { kind: "invalid unicode", label: "lone low surrogate", value: "\udfff" },
    { kind: "invalid unicode", label: "value + lone surrogate", value: `${text}\ud800` },
    { kind: "invalid unicode", label: "reversed surrogate pair", value: "\udc00\ud800" },
    { kind: "hostile", label: "NUL character", value: `${text}\u0000` },
    ...invalidUtf8.map(([label, bytes]): Mutation => ({
      kind: "invalid unicode",
      label: `not UTF-8: ${label}`,
      value: new RawBytes(Buffer.concat([Buffer.from(text), Buffer.from(bytes)])),
    })),
    ...hostileStrings.map((value): Mutation => ({
      kind: "hostile",
      label: JSON.stringify(value).slice(0, 40),
      value,
    })),
  ];
  if (minLength > 1)
    mutations.push({ kind: "boundary", label: "minLength - 1", value: "a".repeat(minLength - 1) });
  if (maxLength !== undefined && maxLength < 60_000) {
    mutations.push({ kind: "boundary", label: "maxLength", value: "a".repeat(maxLength) });
    mutations.push({ kind: "long string", label: "maxLength + 1", value: "a".repeat(maxLength + 1) });
  }
  return mutations;
}

const rawNumbers = [
  "-0",
  "9007199254740993",
  "1e309",
  "-1e309",
  "1.0",
  "1E0",
  "1e-400",
  "NaN",
  "Infinity",
  "01",
  "+1",
];
const numbersAsStrings = ["1", "NaN", "Infinity", "-Infinity", "0x10", "1e3", " 1", ""];

function numberMutations(schema: JsonSchema): Mutation[] {
  const boundary = (label: string, value: unknown): Mutation => ({ kind: "boundary", label, value });
  const mutations: Mutation[] = [
    boundary("0", 0),
    boundary("-1", -1),
    boundary("2^53", 2 ** 53),
    boundary("1e308", 1e308),
    boundary("-1e308", -1e308),
    boundary("5e-324", 5e-324),
    boundary("0.5", 0.5),
    ...rawNumbers.map((text) => boundary(`raw ${text}`, new RawJson(text))),
    ...numbersAsStrings.map((text) => boundary(`the string ${JSON.stringify(text)}`, text)),
  ];
  if (typeof schema.minimum === "number")
    mutations.push(
      boundary("minimum", schema.minimum),
      boundary("minimum - 1", schema.minimum - 1),
      boundary("minimum + 0.5", schema.minimum + 0.5),
    );
  if (typeof schema.maximum === "number")
    mutations.push(boundary("maximum", schema.maximum), boundary("maximum + 1", schema.maximum + 1));
  return mutations;
}

function booleanMutations(): Mutation[] {
  return ["true", "false", 0, 1, "yes"].map((value) => ({
    kind: "boundary",
    label: `${JSON.stringify(value)} for a boolean`,
    value,
  }));
}

function arrayMutations(
  schema: JsonSchema,
  current: unknown,
  known: Record<string, string[]>,
  name: string,
): Mutation[] {
  const item =
    Array.isArray(current) && current.length > 0 ? current[0] : exampleValue(schema.items ?? {}, known, name);
  const copies = (count: number, value: unknown = item) => Array.from({ length: count }, () => value);
  const array = (kind: MutationKind, label: string, value: unknown): Mutation => ({ kind, label, value });
  const mutations: Mutation[] = [
    array("boundary", "[]", []),
    array("boundary", "[item, item] (a duplicate)", copies(2)),
    array("nested", "[item, null]", [item, null]),
    array("oversized array", "10,000 items", copies(10_000)),
    array("oversized array", "10,000 nulls", copies(10_000, null)),
  ];
  const minItems: number = schema.minItems ?? 0;
  const maxItems: number | undefined = schema.maxItems;
  if (minItems > 1) mutations.push(array("boundary", "minItems - 1", copies(minItems - 1)));
  if (maxItems !== undefined && maxItems < 10_000) {
    mutations.push(array("boundary", "maxItems", copies(maxItems)));
    mutations.push(array("oversized array", "maxItems + 1", copies(maxItems + 1)));
  }
  return mutations;
}

function objectMutations(current: unknown): Mutation[] {
  const base = current && typeof current === "object" && !Array.isArray(current) ? current : {};
  const extra = (label: string, value: unknown): Mutation => ({ kind: "extra field", label, value });
  return [
    { kind: "boundary", label: "{}", value: {} },
    extra("an extra field", { ...base, fuzzExtra: 1 }),
    extra("an extra null field", { ...base, fuzzExtra: null }),
    extra("a lone surrogate as a key", { ...base, "\ud800": 1 }),
    extra("__proto__", { ...base, ["__proto__"]: { admin: true } }),
    extra("constructor.prototype", { ...base, constructor: { prototype: { admin: true } } }),
  ];
}

/** Every mutation but the mandatory ones, for the types the schema takes (sampled per run). */
export function sampledMutations(
  schema: JsonSchema,
  current: unknown,
  known: Record<string, string[]>,
  name: string,
): Mutation[] {
  const types = typesOf(schema);
  const takes = (type: JsonType) => types === null || types.has(type);
  const mutations = nestedMutations(current);
  if (takes("string") || Array.isArray(schema.enum)) mutations.push(...stringMutations(schema, current));
  if (takes("integer") || takes("number")) mutations.push(...numberMutations(schema));
  if (takes("boolean")) mutations.push(...booleanMutations());
  if (takes("array")) mutations.push(...arrayMutations(schema, current, known, name));
  if (takes("object")) mutations.push(...objectMutations(current));
  return mutations;
}
