// What a JSON schema of the OpenAPI document allows: the JSON types it takes, a valid example value
// (deterministic, so a replayed run sends the same bodies) and whether a value fits it. The fitting
// check is what tells the field sweep whether a mutated request must be refused.
import fc from "fast-check";

export type JsonSchema = Record<string, any>;
export type JsonType = "null" | "boolean" | "integer" | "number" | "string" | "array" | "object";

export const jsonTypes: JsonType[] = ["null", "boolean", "integer", "number", "string", "array", "object"];

/** The document with every local `$ref` replaced by what it points to (schemas are small trees). */
export function inlineRefs(value: unknown, document: any, depth = 0): any {
  if (depth > 32 || value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((item) => inlineRefs(item, document, depth + 1));
  const record = value as Record<string, unknown>;
  if (typeof record.$ref === "string" && record.$ref.startsWith("#/")) {
    const target = record.$ref
      .slice(2)
      .split("/")
      .reduce<any>((node, key) => node?.[key.replace(/~1/g, "/").replace(/~0/g, "~")], document);
    return inlineRefs(target ?? {}, document, depth + 1);
  }
  return Object.fromEntries(
    Object.entries(record).map(([key, item]) => [key, inlineRefs(item, document, depth + 1)]),
  );
}

const typeOfValue = (value: unknown): JsonType => {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value as JsonType;
};

/** The JSON types a schema accepts; null when it says nothing about types (anything goes). */
export function typesOf(schema: JsonSchema): Set<JsonType> | null {
  if (Array.isArray(schema.enum)) return new Set(schema.enum.map(typeOfValue));
  if (schema.const !== undefined) return new Set([typeOfValue(schema.const)]);
  const alternatives: JsonSchema[] | undefined = schema.oneOf ?? schema.anyOf;
  if (Array.isArray(alternatives)) {
    const union = new Set<JsonType>();
    for (const alternative of alternatives) {
      const types = typesOf(alternative);
      if (types === null) return null;
      for (const type of types) union.add(type);
    }
    return union;
  }
  if (schema.type === undefined) return schema.properties ? new Set(["object"]) : null;
  const types = new Set<JsonType>(Array.isArray(schema.type) ? schema.type : [schema.type]);
  if (schema.nullable === true) types.add("null");
  if (types.has("number")) types.add("integer");
  return types;
}

/** Ids the fuzz knows to exist, by the name of the field or parameter (`ticketIds` -> `ticketId`). */
export const knownFor = (known: Record<string, string[]>, name: string): string[] =>
  known[name] ?? known[name.replace(/s$/, "")] ?? [];

const regexOf = (pattern: unknown): RegExp | null => {
  if (typeof pattern !== "string") return null;
  try {
    return new RegExp(pattern, "u");
  } catch {
    return null;
  }
};

/** A string that fits `schema` (the same one every run). */
function exampleString(schema: JsonSchema): string {
  if (schema.format === "date-time") return "2031-06-01T19:00:00.000Z";
  const regex = regexOf(schema.pattern);
  const minLength = schema.minLength ?? 0;
  const maxLength = schema.maxLength ?? Infinity;
  for (const candidate of ["fuzz", "a", "fuzz-1", "1", "fuzz.1", ""]) {
    const fits = candidate.length >= minLength && candidate.length <= maxLength;
    if (fits && (!regex || regex.test(candidate))) return candidate;
  }
  if (regex) {
    const samples = fc.sample(
      fc
        .stringMatching(regex, { size: "xsmall" })
        .filter((value) => value.length >= minLength && value.length <= maxLength),
      { seed: 1, numRuns: 1 },
    );
    if (samples.length > 0) return samples[0];
  }
  return "f".repeat(Math.max(1, Math.min(minLength, maxLength)));
}

/**
 * A value that fits `schema`: known ids where the name has some, every property of an object when
 * `full` (else the required ones only).
 */
export function exampleValue(
  schema: JsonSchema,
  known: Record<string, string[]>,
  name = "",
  full = true,
  depth = 0,
): unknown {
  if (Array.isArray(schema.enum)) return schema.enum[0];
  if (schema.const !== undefined) return schema.const;
  const alternative = (schema.oneOf ?? schema.anyOf)?.[0];
  if (alternative) return exampleValue(alternative, known, name, full, depth + 1);
  const types = typesOf(schema);
  const type = types ? [...types].find((candidate) => candidate !== "null") : "string";
  switch (type) {
    case "string":
      return knownFor(known, name)[0] ?? exampleString(schema);
    case "integer":
    case "number":
      return Math.min(Math.max(schema.minimum ?? 1, 1), schema.maximum ?? Infinity);
    case "boolean":
      return true;
    case "array": {
      const items = schema.items ?? {};
      const ids = knownFor(known, name);
      const count = Math.max(schema.minItems ?? 1, 1);
      return Array.from({ length: count }, (_, index) =>
        ids.length > 0 ? ids[index % ids.length] : exampleValue(items, known, "", full, depth + 1),
      );
    }
    case "object": {
      if (depth > 8) return {};
      const required = new Set<string>(schema.required ?? []);
      const result: Record<string, unknown> = {};
      for (const [key, child] of Object.entries<JsonSchema>(schema.properties ?? {}))
        if (full || required.has(key)) result[key] = exampleValue(child, known, key, full, depth + 1);
      return result;
    }
    default:
      return null;
  }
}

/** Whether a string is valid Unicode: no surrogate without its pair. */
export const isWellFormed = (text: string): boolean =>
  !/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(text);

function fitsString(value: string, schema: JsonSchema): boolean {
  if (!isWellFormed(value)) return false;
  const length = [...value].length;
  if (length < (schema.minLength ?? 0) || length > (schema.maxLength ?? Infinity)) return false;
  const regex = regexOf(schema.pattern);
  return !regex || regex.test(value);
}

function fitsNumber(value: number, schema: JsonSchema): boolean {
  if (!Number.isFinite(value)) return false;
  if (schema.minimum !== undefined && value < schema.minimum) return false;
  if (schema.maximum !== undefined && value > schema.maximum) return false;
  if (schema.exclusiveMinimum !== undefined && value <= schema.exclusiveMinimum) return false;
  if (schema.exclusiveMaximum !== undefined && value >= schema.exclusiveMaximum) return false;
  return schema.multipleOf === undefined || Number.isInteger(value / schema.multipleOf);
}

function fitsArray(value: unknown[], schema: JsonSchema): boolean {
  if (value.length < (schema.minItems ?? 0) || value.length > (schema.maxItems ?? Infinity)) return false;
  if (schema.uniqueItems === true && new Set(value.map((item) => JSON.stringify(item))).size !== value.length)
    return false;
  return value.every((item) => fitsSchema(item, schema.items ?? {}));
}

function fitsObject(value: Record<string, unknown>, schema: JsonSchema): boolean {
  const properties: Record<string, JsonSchema> = schema.properties ?? {};
  for (const key of schema.required ?? []) if (!Object.hasOwn(value, key)) return false;
  for (const [key, item] of Object.entries(value)) {
    if (!isWellFormed(key)) return false;
    const child = Object.hasOwn(properties, key) ? properties[key] : schema.additionalProperties;
    if (child === false) return false;
    if (child && typeof child === "object" && !fitsSchema(item, child)) return false;
  }
  return true;
}

/** Whether `value` fits `schema` (the subset of JSON Schema the gateway's document uses). */
export function fitsSchema(value: unknown, schema: JsonSchema): boolean {
  if (Array.isArray(schema.enum))
    return schema.enum.some((option: unknown) => JSON.stringify(option) === JSON.stringify(value));
  if (schema.const !== undefined) return JSON.stringify(schema.const) === JSON.stringify(value);
  if (Array.isArray(schema.oneOf))
    return schema.oneOf.filter((alternative: JsonSchema) => fitsSchema(value, alternative)).length === 1;
  if (Array.isArray(schema.anyOf))
    return schema.anyOf.some((alternative: JsonSchema) => fitsSchema(value, alternative));
  const types = typesOf(schema);
  const type = typeOfValue(value);
  if (types !== null && !types.has(type)) return false;
  switch (type) {
    case "string":
      return fitsString(value as string, schema);
    case "integer":
    case "number":
      return fitsNumber(value as number, schema);
    case "array":
      return fitsArray(value as unknown[], schema);
    case "object":
      return fitsObject(value as Record<string, unknown>, schema);
    default:
      return true;
  }
}
