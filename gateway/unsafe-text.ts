// Text a request may not carry, wherever it sits (at most jsonDepthMax levels deep): strings and keys that are not well-formed Unicode
// (a lone surrogate such as the JSON escape "\ud800": PostgreSQL cannot store it and jsonb refuses
// its escape, so it used to end as a 500), NUL characters (PostgreSQL text cannot hold them), and
// a `__proto__` key (it would set the prototype of the params object moleculer-web builds with
// Object.assign, and its fields would pass strict validation unseen). Each is a 400 naming the field.
import { MarqueeError } from "../domain/errors.ts";
import { jsonDepthMax } from "../domain/limits.ts";

/** The refusal for the first unsafe string or key of a parsed JSON value; null when there is none. */
export function findUnsafeText(value: unknown, field = ""): MarqueeError | null {
  return visit(value, field, 0);
}

function visit(value: unknown, field: string, depth: number): MarqueeError | null {
  if (typeof value === "string") return unsafeString(value, field === "" ? "body" : field);
  if (value === null || typeof value !== "object") return null;
  if (depth >= jsonDepthMax)
    return new MarqueeError("VALIDATION_ERROR", `The body is nested deeper than ${jsonDepthMax} levels`, {
      field: field === "" ? "body" : field,
    });
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index++) {
      const refusal = visit(value[index], `${field}[${index}]`, depth + 1);
      if (refusal) return refusal;
    }
    return null;
  }
  for (const key of Object.keys(value)) {
    const path = field === "" ? key : `${field}.${key}`;
    if (key === "__proto__")
      return new MarqueeError("VALIDATION_ERROR", `Unknown field '${path}'`, { field: path });
    const refusal =
      unsafeString(key, path, "name") ?? visit((value as Record<string, unknown>)[key], path, depth + 1);
    if (refusal) return refusal;
  }
  return null;
}

/** ES2024's String.prototype.isWellFormed (Node 20 has it; the project's TypeScript lib is ES2023). */
const isWellFormed = (text: string): boolean =>
  (text as unknown as { isWellFormed(): boolean }).isWellFormed();

function unsafeString(text: string, field: string, what = "field"): MarqueeError | null {
  if (!isWellFormed(text))
    return new MarqueeError(
      "VALIDATION_ERROR",
      `The '${field}' ${what} is not well-formed Unicode (a lone surrogate)`,
      { field },
    );
  if (text.includes("\u0000"))
    return new MarqueeError("VALIDATION_ERROR", `The '${field}' ${what} contains a NUL character`, {
      field,
    });
  return null;
}

/**
 * The refusal for a query string whose names or values do not decode as UTF-8 (e.g. `%ED%A0%80`, a
 * surrogate's bytes, or a stray `%FF`): moleculer-web's parser would pass them on undecoded, as
 * literal text. Null when every part decodes.
 */
export function queryEncodingProblem(url: string | undefined): MarqueeError | null {
  const start = (url ?? "").indexOf("?");
  if (start === -1) return null;
  for (const pair of url!.slice(start + 1).split("&")) {
    const equals = pair.indexOf("=");
    const rawName = equals === -1 ? pair : pair.slice(0, equals);
    const name = decoded(rawName);
    if (name === null)
      return new MarqueeError("VALIDATION_ERROR", "A query parameter name is not valid UTF-8", {
        field: "query",
      });
    if (equals !== -1 && decoded(pair.slice(equals + 1)) === null)
      return new MarqueeError("VALIDATION_ERROR", `The '${name}' query parameter is not valid UTF-8`, {
        field: name,
      });
  }
  return null;
}

function decoded(part: string): string | null {
  try {
    return decodeURIComponent(part.replace(/\+/g, " "));
  } catch {
    return null;
  }
}
