// What the gateway tells a service about the request it forwards (Moleculer's `ctx.meta`).

export type Role = "user" | "admin";

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
  /** Set by a service: the HTTP status of a success (201...). */
  $statusCode?: number;
  $responseHeaders?: Record<string, string>;
}
