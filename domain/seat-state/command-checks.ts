// The shape of a command, checked before decide() routes it. A malformed command (an unknown type, a
// missing or ill-typed field, null where a value belongs, a count out of range, a ticket named twice)
// is refused with a VALIDATION_ERROR outcome naming the field, and nothing changes: it never reaches a
// use case, whose invariants then guard the state only. The booking service builds commands from
// requests the gateway validated, so a refusal here means a caller inside Marquee sent a bad command;
// it must not stop the worker that received it.
import { nameLengthMax, ticketsPerRequestMax } from "../limits.ts";
import { cancelReasonLengthMax } from "../waitlist-limits.ts";
import { fail, type Outcome } from "./decision.ts";

/** What is wrong with a field: its path and a sentence. */
interface Problem {
  field: string;
  message: string;
}
type Check = (value: unknown, field: string) => Problem | null;
type Shape = Record<string, Check>;

/** A check from a test of the value and the sentence for a value that fails it. */
const rule =
  (test: (value: unknown) => boolean, what: string): Check =>
  (value, field) =>
    test(value) ? null : { field, message: `${field} ${what}` };

/** Optional fields may be absent (undefined), never null. */
const optional =
  (check: Check): Check =>
  (value, field) =>
    value === undefined ? null : check(value, field);

const id = rule((value) => typeof value === "string" && value.length > 0, "must be a non-empty string");

const integerIn = (min: number, max: number): Check =>
  rule(
    (value) => Number.isSafeInteger(value) && (value as number) >= min && (value as number) <= max,
    `must be an integer from ${min} to ${max}`,
  );

const boolean = rule((value) => typeof value === "boolean", "must be true or false");

const sectionName = rule(
  (value) => typeof value === "string" && value.length >= 1 && value.length <= nameLengthMax,
  `must be a string of 1 to ${nameLengthMax} characters`,
);

const finiteNumber = rule(
  (value) => typeof value === "number" && Number.isFinite(value),
  "must be a finite number",
);

/** Ticket ordinals: 1 to ticketsPerRequestMax, each a non-negative integer, none twice. */
const ordinals: Check = (value, field) => {
  if (!Array.isArray(value) || value.length < 1 || value.length > ticketsPerRequestMax)
    return { field, message: `${field} must list 1 to ${ticketsPerRequestMax} tickets` };
  if (!value.every((ordinal) => Number.isSafeInteger(ordinal) && ordinal >= 0))
    return { field, message: `${field} must list ticket ordinals (integers from 0)` };
  if (new Set(value).size !== value.length) return { field, message: `${field} must name each ticket once` };
  return null;
};

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** A nested object whose fields are checked by `shape`. */
const object =
  (shape: Shape): Check =>
  (value, field) =>
    isObject(value)
      ? firstProblem(value, shape, `${field}.`)
      : { field, message: `${field} must be an object` };

/** The sale settings an admin change sends: only the fields given, each of its type. */
const settingsShape: Shape = {
  active: optional(boolean),
  onSaleAt: optional(finiteNumber),
  startsAt: optional(finiteNumber),
  ticketsPerUserMax: optional(integerIn(1, Number.MAX_SAFE_INTEGER)),
  holdTtlMs: optional(integerIn(1, Number.MAX_SAFE_INTEGER)),
};

const shapes: Record<string, Shape> = {
  reserve: { userId: id, ordinals, holdId: id },
  reserveBest: {
    userId: id,
    holdId: id,
    quantity: integerIn(1, ticketsPerRequestMax),
    section: optional(sectionName),
    maxPriceCents: optional(integerIn(0, Number.MAX_SAFE_INTEGER)),
    adjacent: optional(boolean),
  },
  release: { userId: id, ordinals },
  expire: {},
  confirmStart: {
    userId: id,
    ordinals,
    paymentId: id,
    idempotencyKey: id,
    requestHash: optional(id),
    keyFreed: optional(boolean),
  },
  confirmComplete: { paymentId: id, bookingId: id, providerRef: optional(id) },
  confirmAbort: { paymentId: id, declined: optional(id) },
  updateSettings: { settings: object(settingsShape) },
  waitlistJoin: { userId: id, quantity: integerIn(1, ticketsPerRequestMax) },
  waitlistLeave: { userId: id },
  cancelBooking: {
    bookingId: id,
    userId: id,
    paymentId: id,
    ordinals,
    reason: rule(
      (value) => typeof value === "string" && value.length <= cancelReasonLengthMax,
      `must be a string of at most ${cancelReasonLengthMax} characters`,
    ),
  },
};

/** The refusal of a malformed command, or null when its shape is right for its type. */
export function commandRefusal(command: unknown): Outcome | null {
  if (!isObject(command))
    return fail("VALIDATION_ERROR", "A command must be an object", { field: "command" });
  const { type } = command;
  if (typeof type !== "string" || !Object.prototype.hasOwnProperty.call(shapes, type))
    return fail("VALIDATION_ERROR", "Unknown command", { field: "type" });
  const problem = firstProblem(command, shapes[type], "");
  return problem && fail("VALIDATION_ERROR", `The command's ${problem.message}`, { field: problem.field });
}

/** The first field of `shape` that fails its check; null when none does. */
function firstProblem(value: Record<string, unknown>, shape: Shape, prefix: string): Problem | null {
  for (const [field, check] of Object.entries(shape)) {
    const problem = check(value[field], prefix + field);
    if (problem) return problem;
  }
  return null;
}
