// What the gateway tells a service about the request it forwards (Moleculer's `ctx.meta`).
import { MarqueeError } from "./errors.ts";

/** `scanner` checks tickets in at the door and may do nothing else (v1.1). */
export type Role = "user" | "admin" | "scanner";

export const roles: readonly Role[] = ["user", "admin", "scanner"];

/** The caller, from a verified bearer token. */
export interface User {
  id: string;
  role: Role;
}

export interface GatewayMeta {
  user?: User;
  clientAddress?: string;
  idempotencyKey?: string;
  admissionToken?: string;
  /** X-Presale-Code (reserve only). */
  presaleCode?: string;
  /** The request's Accept-Encoding (answers compressed ahead pick from it). */
  acceptEncoding?: string;
  /** Set by a service: the HTTP status of a success (201...). */
  $statusCode?: number;
  $responseHeaders?: Record<string, string>;
}

/** The caller of an action that needs one: 401 without a valid token. */
export function requireUser(meta: GatewayMeta): User {
  if (!meta.user) throw new MarqueeError("UNAUTHENTICATED", "A bearer token is required");
  return meta.user;
}
