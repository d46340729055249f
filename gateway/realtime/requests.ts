// Validation of what real-time clients send (Socket.IO messages, SSE query and headers): every bad
// input gets the contract's error body and changes nothing.
import { idPattern } from "../../catalog/schemas.ts";
import { MarqueeError } from "../../domain/errors.ts";
import type { SubscribeRequest } from "./protocol.ts";

const invalid = (field: string, message: string) => new MarqueeError("VALIDATION_ERROR", message, { field });

export function validEventId(value: unknown, field = "eventId"): string {
  if (typeof value !== "string" || !idPattern.test(value))
    throw invalid(field, `${field} must be an event id (1-100 of A-Z a-z 0-9 _ . -)`);
  return value;
}

export function validVersion(value: unknown, field = "version"): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0)
    throw invalid(field, `${field} must be a non-negative integer`);
  return value;
}

function plainObject(value: unknown, allowed: string[]): Record<string, unknown> {
  if (!value || typeof value !== "object" || Array.isArray(value))
    throw invalid("", "The message must be an object");
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) throw invalid(key, `Unknown field ${key}`);
  }
  return value as Record<string, unknown>;
}

export function parseSubscribe(value: unknown): SubscribeRequest {
  const body = plainObject(value, ["eventId", "version", "format"]);
  const request: SubscribeRequest = { eventId: validEventId(body.eventId) };
  if (body.version !== undefined) request.version = validVersion(body.version);
  if (body.format !== undefined) {
    if (body.format !== "full" && body.format !== "compact")
      throw invalid("format", "format must be full or compact");
    request.format = body.format;
  }
  return request;
}

export function parseUnsubscribe(value: unknown): { eventId: string } {
  const body = plainObject(value, ["eventId"]);
  return { eventId: validEventId(body.eventId) };
}

/** `Last-Event-ID` (or the `lastEventId` query parameter, for clients that cannot set headers). */
export function parseLastEventId(raw: string | undefined): number | undefined {
  if (raw === undefined || raw === "") return undefined;
  if (!/^(0|[1-9][0-9]{0,15})$/.test(raw))
    throw invalid("Last-Event-ID", "Last-Event-ID must be a seat version");
  return validVersion(Number(raw), "Last-Event-ID");
}

/** Names a service may push to a user's sockets through `realtime.toUser` (not the seat events). */
export function validUserEventName(name: unknown): name is string {
  return (
    typeof name === "string" &&
    /^[a-z][A-Za-z0-9.:-]{0,63}$/.test(name) &&
    name !== "seats" &&
    name !== "resync"
  );
}
