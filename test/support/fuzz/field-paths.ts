// The fields of a body schema at every depth (`sections[0].rows[0].seats`), setting one of them in a
// body, and writing a body with raw JSON or raw bytes in it.
import { RawBytes, RawJson } from "./mutations.ts";
import { exampleValue, type JsonSchema } from "./schema-values.ts";

/** A property name, or 0: the first item of an array. */
export type Step = string | 0;

export interface FieldPath {
  steps: Step[];
  /** The schema of the field and of each of its parents (root first). */
  schemas: JsonSchema[];
  /** Whether its parent object requires it (an array item is always required). */
  required: boolean;
  label: string;
}

const labelOf = (steps: Step[]): string =>
  steps.length === 0
    ? "(body)"
    : steps.map((step, index) => (step === 0 ? "[0]" : index === 0 ? step : `.${step}`)).join("");

/** The schemas an object schema's properties come from (its own, or each alternative's). */
const objectSchemas = (schema: JsonSchema): JsonSchema[] => [
  schema,
  ...(schema.oneOf ?? []),
  ...(schema.anyOf ?? []),
];

/** Every field of a schema, the root included, depth first. */
export function fieldPaths(root: JsonSchema, rootRequired: boolean): FieldPath[] {
  const paths = new Map<string, FieldPath>();
  const walk = (
    schema: JsonSchema,
    steps: Step[],
    schemas: JsonSchema[],
    required: boolean,
    depth: number,
  ) => {
    const label = labelOf(steps);
    if (paths.has(label) || depth > 12) return;
    paths.set(label, { steps, schemas: [...schemas, schema], required, label });
    for (const part of objectSchemas(schema)) {
      const requiredKeys = new Set<string>(part.required ?? []);
      for (const [key, child] of Object.entries<JsonSchema>(part.properties ?? {}))
        walk(child, [...steps, key], [...schemas, schema], requiredKeys.has(key), depth + 1);
      if (part.items && typeof part.items === "object")
        walk(part.items, [...steps, 0], [...schemas, schema], true, depth + 1);
    }
  };
  walk(root, [], [], rootRequired, 0);
  return [...paths.values()];
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === "object" && !Array.isArray(value);

/** The value at a path of a body (undefined when a part of the path is missing). */
export function valueAt(body: unknown, steps: Step[]): unknown {
  let node: unknown = body;
  for (const step of steps) {
    if (step === 0) node = Array.isArray(node) ? node[0] : undefined;
    else node = isRecord(node) && Object.hasOwn(node, step) ? node[step] : undefined;
    if (node === undefined) return undefined;
  }
  return node;
}

/** Whether the parent of the field exists in the body (the field itself may be absent). */
export const parentExists = (body: unknown, path: FieldPath): boolean => {
  const parent = path.steps.length === 0 ? undefined : valueAt(body, path.steps.slice(0, -1));
  const last = path.steps.at(-1);
  return path.steps.length === 0 || (last === 0 ? Array.isArray(parent) : isRecord(parent));
};

/** Marks a field to delete instead of set. */
export const absent = Symbol("absent");

/**
 * A copy of `body` with the field at `path` set to `value` (or deleted for `absent`); parents that
 * are missing are made from their schema's example first.
 */
export function withField(
  body: unknown,
  path: FieldPath,
  value: unknown,
  known: Record<string, string[]>,
): unknown {
  if (path.steps.length === 0) return value;
  const copy = structuredClone(body);
  let node: any = copy;
  for (let index = 0; index < path.steps.length - 1; index++) {
    const step = path.steps[index];
    const childSchema = path.schemas[index + 1];
    const existing = step === 0 ? (Array.isArray(node) ? node[0] : undefined) : node[step];
    const fits = path.steps[index + 1] === 0 ? Array.isArray(existing) : isRecord(existing);
    if (!fits) {
      const made = exampleValue(childSchema, known, step === 0 ? "" : step);
      node[step] = path.steps[index + 1] === 0 && !Array.isArray(made) ? [made] : made;
    }
    node = node[step];
  }
  const last = path.steps.at(-1)!;
  if (value === absent) {
    if (last === 0) node.splice(0, 1);
    else delete node[last];
  } else node[last] = value;
  return copy;
}

/** JSON text of a body with RawJson and RawBytes written as they are (then the body is bytes). */
export function bodyText(body: unknown): string | Buffer {
  const raws: (RawJson | RawBytes)[] = [];
  const text = JSON.stringify(body, (_key, value) =>
    value instanceof RawJson || value instanceof RawBytes ? `@@fuzz-raw-${raws.push(value) - 1}@@` : value,
  );
  if (raws.length === 0) return text;
  const parts = text.split(/"@@fuzz-raw-(\d+)@@"/);
  if (raws.every((raw) => raw instanceof RawJson))
    return parts
      .map((part, index) => (index % 2 === 0 ? part : (raws[Number(part)] as RawJson).text))
      .join("");
  return Buffer.concat(
    parts.map((part, index) => {
      if (index % 2 === 0) return Buffer.from(part);
      const raw = raws[Number(part)];
      return raw instanceof RawJson
        ? Buffer.from(raw.text)
        : Buffer.concat([Buffer.from('"'), raw.bytes, Buffer.from('"')]);
    }),
  );
}
