// What every answer of the public contract must look like (CONTRACT.md, "Errors").
import os from "node:os";
import { errorCatalogue, isErrorCode } from "../../domain/errors.ts";

/** Text that must never appear in an answer: stack frames, source paths, SQL, driver text, hosts. */
export const internals = new RegExp(
  [
    String.raw`\bat \S+ \(`, // stack frame
    String.raw`\.ts:\d+`,
    String.raw`node_modules`,
    String.raw`\b(SELECT|INSERT INTO|UPDATE \w+ SET|DELETE FROM)\b`,
    String.raw`\bpg_|postgres|duplicate key|violates`,
    String.raw`127\.0\.0\.1|localhost|ECONNREFUSED`,
    // The host name as a whole token: a short one ("vm") also occurs inside random ids.
    String.raw`(?<![\w-])` + os.hostname().replace(/[.*+?^${}()|[\]\\]/g, "\\$&") + String.raw`(?![\w-])`,
  ].join("|"),
  "i",
);

/**
 * Why a non-2xx answer is not a contract error (null when it is): the body is
 * `{"error": {"code", "message", "details"?}}`, the code is in the catalogue with this very status,
 * nothing else is in it, and it is never a 500.
 */
export function contractErrorProblem(status: number, body: unknown): string | null {
  if (status === 500) return `500: ${JSON.stringify(body).slice(0, 300)}`;
  if (!body || typeof body !== "object" || Array.isArray(body))
    return `${status} with a body that is not a JSON object: ${String(body).slice(0, 200)}`;
  const keys = Object.keys(body);
  const error = (body as { error?: any }).error;
  if (keys.length !== 1 || !error || typeof error !== "object")
    return `${status} body is not {error}: ${JSON.stringify(body).slice(0, 200)}`;
  const code: unknown = error.code;
  if (!isErrorCode(code)) return `${status} with an unknown code ${JSON.stringify(code)}`;
  if (errorCatalogue[code].status !== status)
    return `${code} came with ${status}, the catalogue says ${errorCatalogue[code].status}`;
  if (typeof error.message !== "string" || error.message === "") return `${error.code} without a message`;
  const extra = Object.keys(error).filter((key) => !["code", "message", "details"].includes(key));
  if (extra.length > 0) return `${error.code} carries ${extra.join(", ")}`;
  if (error.details !== undefined && (typeof error.details !== "object" || error.details === null))
    return `${error.code} details is not an object`;
  return null;
}
