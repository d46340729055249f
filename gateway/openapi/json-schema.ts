// fastest-validator rules as JSON Schema: the schema that validates an action's params is the one the
// OpenAPI document shows.
import fastestValidator from "fastest-validator";

export type JsonSchema = Record<string, unknown>;
type Rule = Record<string, any>;

// fastest-validator is CommonJS whose typings declare an ES default export: unwrap by hand.
type ValidatorClass = typeof fastestValidator.default;
const Validator = ((fastestValidator as any).default ?? fastestValidator) as ValidatorClass;
const shorthandParser = new Validator();

/** A rule as an object (a shorthand string parsed); null when it is neither. */
export function ruleObject(rule: unknown): Rule | null {
  // parseShortHand is public in fastest-validator but missing from its typings.
  if (typeof rule === "string") return (shorthandParser as any).parseShortHand(rule) as Rule;
  if (rule && typeof rule === "object" && !Array.isArray(rule)) return rule as Rule;
  return null;
}

export const isOptional = (rule: Rule | null): boolean =>
  rule === null || rule.optional === true || rule.default !== undefined;

/** A `forbidden` rule's schema: the field is never present, so it is left out of the document. */
export const isForbidden = (schema: JsonSchema): boolean => (schema as { not?: unknown }).not !== undefined;

/** A RegExp, or its source when it crossed the transporter as a string; null when lost in transit. */
function patternSource(pattern: unknown): string | null {
  if (pattern instanceof RegExp) return pattern.source;
  if (typeof pattern === "string") return pattern;
  return null;
}

function withNullable(schema: JsonSchema, rule: Rule): JsonSchema {
  if (rule.nullable !== true) return schema;
  if (typeof schema.type === "string") return { ...schema, type: [schema.type, "null"] };
  return { anyOf: [schema, { type: "null" }] };
}

function setIfDefined(target: JsonSchema, key: string, value: unknown): void {
  if (value !== undefined && value !== null && typeof value !== "function") target[key] = value;
}

// The string rule's character-class flags, in the order fastest-validator checks them.
const stringFlagPatterns: [flag: string, pattern: string][] = [
  ["numeric", "^-?[0-9]+(\\.[0-9]+)?$"],
  ["alpha", "^[a-zA-Z]+$"],
  ["alphanum", "^[a-zA-Z0-9]+$"],
  ["alphadash", "^[a-zA-Z0-9_-]+$"],
  ["hex", "^([0-9a-fA-F]{2})+$"],
];

function stringSchema(rule: Rule): JsonSchema {
  const schema: JsonSchema = { type: "string" };
  setIfDefined(schema, "minLength", rule.min ?? rule.length ?? (rule.empty === false ? 1 : undefined));
  setIfDefined(schema, "maxLength", rule.max ?? rule.length);
  const pattern = patternSource(rule.pattern) ?? stringFlagPatterns.find(([flag]) => rule[flag])?.[1];
  if (pattern !== undefined) schema.pattern = pattern;
  setIfDefined(schema, "enum", rule.enum);
  // Not a fastest-validator property: a hint for readers of the document ("date-time").
  if (typeof rule.format === "string") schema.format = rule.format;
  return schema;
}

function numberSchema(rule: Rule): JsonSchema {
  const schema: JsonSchema = { type: rule.integer ? "integer" : "number" };
  setIfDefined(schema, "minimum", rule.min);
  setIfDefined(schema, "maximum", rule.max);
  setIfDefined(schema, "const", rule.equal);
  if (rule.positive) schema.exclusiveMinimum = 0;
  if (rule.negative) schema.exclusiveMaximum = 0;
  return schema;
}

function emailSchema(rule: Rule): JsonSchema {
  const schema: JsonSchema = { type: "string", format: "email" };
  setIfDefined(schema, "maxLength", rule.max);
  return schema;
}

function arraySchema(rule: Rule): JsonSchema {
  const schema: JsonSchema = { type: "array" };
  if (rule.items !== undefined) schema.items = ruleToJsonSchema(rule.items);
  if (rule.enum !== undefined) schema.items = { enum: rule.enum };
  setIfDefined(schema, "minItems", rule.min ?? rule.length ?? (rule.empty === false ? 1 : undefined));
  setIfDefined(schema, "maxItems", rule.max ?? rule.length);
  if (rule.unique) schema.uniqueItems = true;
  return schema;
}

function tupleSchema(rule: Rule): JsonSchema {
  const schema: JsonSchema = { type: "array" };
  if (Array.isArray(rule.items)) {
    schema.prefixItems = rule.items.map(ruleToJsonSchema);
    schema.items = false;
    schema.minItems = rule.items.length;
  }
  return schema;
}

function objectRuleSchema(rule: Rule): JsonSchema {
  const props = rule.props ?? rule.properties;
  const schema: JsonSchema = props ? objectSchema(props, rule.strict === true) : { type: "object" };
  setIfDefined(schema, "minProperties", rule.minProps);
  setIfDefined(schema, "maxProperties", rule.maxProps);
  return schema;
}

function recordSchema(rule: Rule): JsonSchema {
  const schema: JsonSchema = { type: "object" };
  if (rule.value !== undefined) schema.additionalProperties = ruleToJsonSchema(rule.value);
  if (rule.key !== undefined) schema.propertyNames = ruleToJsonSchema(rule.key);
  return schema;
}

// Types missing here (any, custom, class, function...) state nothing a JSON Schema can: `{}`.
const schemaOfType = new Map<string, (rule: Rule) => JsonSchema>([
  ["string", stringSchema],
  ["number", numberSchema],
  ["boolean", () => ({ type: "boolean" })],
  ["enum", (rule) => ({ enum: rule.values })],
  ["equal", (rule) => ({ const: rule.value })],
  ["email", emailSchema],
  ["url", () => ({ type: "string", format: "uri" })],
  ["uuid", () => ({ type: "string", format: "uuid" })],
  ["date", () => ({ type: "string", format: "date-time" })],
  ["array", arraySchema],
  ["tuple", tupleSchema],
  ["object", objectRuleSchema],
  ["record", recordSchema],
]);

/** One fastest-validator rule (object, shorthand string or array of alternatives) as JSON Schema. */
export function ruleToJsonSchema(raw: unknown): JsonSchema {
  if (Array.isArray(raw)) return { oneOf: raw.map(ruleToJsonSchema) };
  const rule = ruleObject(raw);
  if (rule === null) return {};
  if (rule.$$type !== undefined) {
    // "$$type" shorthand: an object whose props are the other keys.
    const { $$type, ...props } = rule;
    return ruleToJsonSchema({ ...ruleObject($$type), type: "object", props });
  }
  if (rule.type === "multi") return withNullable({ oneOf: (rule.rules ?? []).map(ruleToJsonSchema) }, rule);
  if (rule.type === "forbidden") return { not: {} };
  const schema = schemaOfType.get(rule.type)?.(rule) ?? {};
  setIfDefined(schema, "default", rule.default);
  setIfDefined(schema, "description", rule.description);
  return withNullable(schema, rule);
}

/** A fastest-validator `props` object (or a whole params schema) as a JSON Schema object. */
export function objectSchema(props: Record<string, unknown>, strict: boolean): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  for (const [name, rule] of Object.entries(props)) {
    if (name.startsWith("$$")) continue;
    const schema = ruleToJsonSchema(rule);
    if (isForbidden(schema)) continue;
    properties[name] = schema;
    if (!isOptional(ruleObject(rule))) required.push(name);
  }
  const schema: JsonSchema = { type: "object", properties };
  if (required.length > 0) schema.required = required;
  if (strict) schema.additionalProperties = false;
  return schema;
}
