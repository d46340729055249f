// The OpenAPI 3.1 document at `GET /openapi.json`, generated from what actually serves requests:
// the gateway's route aliases and, for each, the fastest-validator `params` schema of the action it
// calls (from the live service registry, so actions of services on other nodes appear as soon as
// those nodes join), with what each action answers (route-answers.ts, schemas/). The schema that
// validates a request is the one documented; every answer's schema is written once, here.
import { publicErrorCodes, errorCatalogue } from "../../domain/errors.ts";
import { answerHeaders, headerRefs, rateLimitHeaderNames, requestHeaders } from "./headers.ts";
import { aliasOperation, errorContent, rawRouteOperation } from "./operations.ts";
import type { ActionDefinition, RouteAlias } from "./operations.ts";
import { rawRoutes } from "./raw-routes.ts";
import { answerSchemas } from "./schemas/index.ts";

export interface OpenApiInput {
  aliases: RouteAlias[];
  /** The registry's definition of an action, or null when no node offers it. */
  actionDefinition(name: string): ActionDefinition | null;
}

type Paths = Record<string, Record<string, unknown>>;

const errorAnswers: Record<string, string> = {
  "400":
    "Malformed JSON, a missing, extra or ill-typed field, a bad query parameter (details.field names it)",
  "401": "A missing, malformed, expired or badly signed token",
  "402": "The payment provider declined",
  "403": "Authenticated but not allowed",
  "404": "Unknown, or not the caller's (no existence leak)",
  "409": "The request conflicts with the current state",
  "413": "A body over 64 KiB",
  "415": "A body that is not JSON",
  "429": "Too many requests from this client: retry after Retry-After",
  "503": "Overloaded or a dependency unavailable: retry after Retry-After",
};

/** The shared error answer of a status: the codes that come with it, the headers it carries. */
function errorAnswer(status: string): Record<string, unknown> {
  const codes = publicErrorCodes.filter((code) => String(errorCatalogue[code].status) === status);
  const retry = status === "429" || status === "503";
  return {
    description: `${codes.join(" or ")}: ${errorAnswers[status]}`,
    headers: headerRefs([...rateLimitHeaderNames, ...(retry ? ["Retry-After"] : [])]),
    content: errorContent(),
  };
}

/** The operations of moleculer-web's aliases, keyed by OpenAPI path template and method. */
function addAliasPaths(paths: Paths, input: OpenApiInput): void {
  const operationIds = new Set<string>();
  for (const alias of input.aliases) {
    if (!alias.fullPath || alias.method === "*") continue;
    const path = alias.fullPath.replace(/:([A-Za-z0-9_]+)/g, "{$1}");
    const action = alias.action ? input.actionDefinition(alias.action) : null;
    const operation = aliasOperation(alias, action);
    // operationId must be unique: an action served at a second path gets the method added.
    if (operationIds.has(operation.operationId as string))
      operation.operationId = `${operation.operationId}.${alias.method.toLowerCase()}${operationIds.size}`;
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

/** The shared parts: security schemes, answer schemas, headers, the error answers. */
function components(): Record<string, unknown> {
  return {
    securitySchemes: {
      bearerAuth: {
        type: "http",
        scheme: "bearer",
        bearerFormat: "JWT",
        description:
          "Claims sub (user id), role (user | admin), exp; `POST /auth/token` issues one in development",
      },
      metricsToken: {
        type: "http",
        scheme: "bearer",
        description: "METRICS_TOKEN, when the node is configured with one",
      },
    },
    schemas: answerSchemas,
    headers: answerHeaders,
    parameters: requestHeaders,
    responses: Object.fromEntries(
      Object.keys(errorAnswers).map((status) => [`E${status}`, errorAnswer(status)]),
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
      license: { name: "MIT", identifier: "MIT" },
    },
    servers: [
      { url: "/", description: "The node that serves this document" },
      { url: "http://127.0.0.1:3000", description: "`npm start` on this machine" },
    ],
    paths: Object.fromEntries(Object.entries(paths).sort(([a], [b]) => a.localeCompare(b))),
    components: components(),
  };
}
