// The OpenAPI 3.1 document at `GET /openapi.json`, generated from what actually serves requests:
// the gateway's route aliases and, for each, the fastest-validator `params` schema of the action it
// calls (from the live service registry, so actions of services on other nodes appear as soon as
// those nodes join). Nothing is written by hand twice: the schema that validates is the one documented.
import { aliasOperation, errorContent, rawRouteOperation } from "./operations.ts";
import type { ActionDefinition, RouteAlias } from "./operations.ts";
import { rawRoutes } from "./raw-routes.ts";

export interface OpenApiInput {
  aliases: RouteAlias[];
  /** The registry's definition of an action, or null when no node offers it. */
  actionDefinition(name: string): ActionDefinition | null;
}

type Paths = Record<string, Record<string, unknown>>;

const errorResponses: Record<string, { description: string }> = {
  "400": { description: "VALIDATION_ERROR: malformed JSON, missing/extra/ill-typed field, bad query param" },
  "401": { description: "UNAUTHENTICATED: missing, malformed, expired or badly signed token" },
  "403": { description: "FORBIDDEN (or ADMISSION_REQUIRED): authenticated but not allowed" },
  "404": { description: "NOT_FOUND" },
  "413": { description: "PAYLOAD_TOO_LARGE: body over 64 KiB" },
  "415": { description: "UNSUPPORTED_MEDIA_TYPE: a body that is not JSON" },
  "429": { description: "RATE_LIMITED: per-client rate limit; see Retry-After" },
  "503": { description: "OVERLOADED or UNAVAILABLE: retry after Retry-After" },
};

/** The operations of moleculer-web's aliases, keyed by OpenAPI path template and method. */
function addAliasPaths(paths: Paths, input: OpenApiInput): void {
  const operationIds = new Set<string>();
  for (const alias of input.aliases) {
    if (!alias.fullPath || alias.method === "*") continue;
    const path = alias.fullPath.replace(/:([A-Za-z0-9_]+)/g, "{$1}");
    const action = alias.action ? input.actionDefinition(alias.action) : null;
    const operation = aliasOperation(alias, action);
    // operationId must be unique: an action served at two paths gets the method and path added.
    if (operationIds.has(operation.operationId as string))
      operation.operationId = `${operation.operationId} ${alias.method} ${path}`;
    operationIds.add(operation.operationId as string);
    paths[path] ??= {};
    paths[path][alias.method.toLowerCase()] = operation;
  }
}

function addRawRoutePaths(paths: Paths): void {
  for (const route of rawRoutes) {
    paths[route.path] ??= {};
    paths[route.path][route.method.toLowerCase()] = rawRouteOperation(route);
  }
}

/** The shared parts: bearer auth, the error body, the error answers operations refer to. */
function components(): Record<string, unknown> {
  return {
    securitySchemes: { bearerAuth: { type: "http", scheme: "bearer", bearerFormat: "JWT" } },
    schemas: {
      Error: {
        type: "object",
        required: ["error"],
        additionalProperties: false,
        properties: {
          error: {
            type: "object",
            required: ["code", "message"],
            properties: {
              code: { type: "string", pattern: "^[A-Z_]+$" },
              message: { type: "string" },
              details: { type: "object" },
            },
          },
        },
      },
    },
    responses: Object.fromEntries(
      Object.entries(errorResponses).map(([status, { description }]) => [
        `E${status}`,
        { description, content: errorContent() },
      ]),
    ),
  };
}

export function buildOpenApiDocument(input: OpenApiInput): Record<string, any> {
  const paths: Paths = {};
  addAliasPaths(paths, input);
  addRawRoutePaths(paths);
  return {
    openapi: "3.1.0",
    info: {
      title: "Marquee",
      version: "1.0.0",
      description:
        "Ticket-booking engine for hot on-sales. Every non-2xx answer is " +
        '{"error": {"code", "message", "details"?}}. Generated from the validation schemas in use.',
    },
    paths: Object.fromEntries(Object.entries(paths).sort(([a], [b]) => a.localeCompare(b))),
    components: components(),
  };
}
