// The HTTP headers of the API: request headers as `components.parameters`, answer headers as
// `components.headers`, each described once and referred to by the operations that use it.
import { idempotencyKeyLengthMax, idempotencyKeyLengthMin } from "../../domain/limits.ts";
import type { JsonSchema } from "./json-schema.ts";

const header = (description: string, schema: JsonSchema, required = false) => ({
  description,
  required,
  schema,
});

const seconds: JsonSchema = { type: "integer", minimum: 0 };

export const answerHeaders: Record<string, Record<string, unknown>> = {
  "RateLimit-Limit": header("Requests this client may make per window", seconds, true),
  "RateLimit-Remaining": header("Requests left in the current window", seconds, true),
  "RateLimit-Reset": header("Seconds until the window resets", seconds, true),
  "Retry-After": header("Seconds to wait before trying again", seconds, true),
  ETag: header(
    "Names the answer's content: send it back as If-None-Match to get a 304 while it is unchanged",
    { type: "string" },
    true,
  ),
  "Cache-Control": header(
    "Seat maps: `public, max-age=1, stale-while-revalidate=10`; layouts: a day, immutable",
    { type: "string" },
    true,
  ),
  Location: header("Where the created resource is read", { type: "string" }, true),
};

/** The answer headers' references by name, as an operation's response lists them. */
export const headerRefs = (names: string[]): Record<string, unknown> =>
  Object.fromEntries(names.map((name) => [name, { $ref: `#/components/headers/${name}` }]));

export const rateLimitHeaderNames = ["RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"];

/** Request headers an operation may name (`components.parameters`). */
export const requestHeaders: Record<string, Record<string, unknown>> = {
  IdempotencyKey: {
    name: "Idempotency-Key",
    in: "header",
    required: true,
    description:
      "Makes the confirm safe to retry: the same key with the same body answers the same booking " +
      "(201 again) and charges nothing more; with another body, 409 IDEMPOTENCY_CONFLICT. Generate one " +
      "per purchase (a UUID) and keep it for every retry of that purchase.",
    schema: {
      type: "string",
      pattern: `^[\\x21-\\x7e]{${idempotencyKeyLengthMin},${idempotencyKeyLengthMax}}$`,
    },
  },
  AdmissionToken: {
    name: "X-Admission-Token",
    in: "header",
    required: false,
    description:
      "Required when the event's waiting room is on: the `admissionToken` of `POST /events/{eventId}/queue` " +
      "once admitted (without one: 403 ADMISSION_REQUIRED)",
    schema: { type: "string", minLength: 1 },
  },
  PresaleCode: {
    name: "X-Presale-Code",
    in: "header",
    required: false,
    description:
      "Before the event's onSaleAt, a presale code (from an organiser) opens reserve during its presale's " +
      "window; spaces, dashes and case are ignored. Wrong, another event's, used up or outside the window: " +
      "403 PRESALE_CODE_INVALID. Not needed (and not used) once the sale is open; confirm needs none",
    schema: { type: "string", minLength: 1 },
  },
  IfNoneMatch: {
    name: "If-None-Match",
    in: "header",
    required: false,
    description: "An ETag of an earlier answer: 304 without a body while the content is unchanged",
    schema: { type: "string" },
  },
  LastEventId: {
    name: "Last-Event-ID",
    in: "header",
    required: false,
    description: "The `id` (a toVersion) of the last frame received: the stream resumes after it",
    schema: { type: "string", pattern: "^(0|[1-9][0-9]{0,15})$" },
  },
};

export const parameterRef = (name: string) => ({ $ref: `#/components/parameters/${name}` });
