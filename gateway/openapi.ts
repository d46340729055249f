// The OpenAPI 3.1 document at `GET /openapi.json`, generated from what actually serves requests:
// the gateway's route aliases and, for each, the fastest-validator `params` schema of the action it
// calls (from the live service registry, so actions of services on other nodes appear as soon as
// those nodes join). Nothing is written by hand twice: the schema that validates is the one documented.
import fastestValidator from "fastest-validator";

export type JsonSchema = Record<string, unknown>;

/** Optional documentation an action may carry next to its `params`: `openapi: {summary, ...}`. */
export interface ActionDocumentation {
  summary?: string;
  description?: string;
  /** The status of a successful answer (201 for creations); 200 when absent. */
  successStatus?: number;
}

/** What the generator needs of a moleculer-web alias. */
export interface RouteAlias {
  method: string;
  fullPath: string;
  action: string | null;
  route: { opts: { name?: string; authentication?: boolean; authorization?: boolean } };
}

/** What the generator needs of an action definition from the registry (null: no such action yet). */
export interface ActionDefinition {
  params?: Record<string, unknown>;
  openapi?: ActionDocumentation;
}

/** Routes answered outside moleculer-web's aliases (see `handleRawRoute` in api.service.ts). */
export interface RawRoute {
  method: string;
  path: string;
  summary: string;
  contentType: string;
  responses: Record<string, string>;
  tags?: string[];
  parameters?: Record<string, unknown>[];
  /** A 200 is a stream that stays open (`x-marquee-stream`: clients read it as events, not a body). */
  stream?: boolean;
}

export const rawRoutes: RawRoute[] = [
  {
    method: "GET",
    path: "/health/live",
    summary: "200 while the process runs",
    contentType: "application/json",
    responses: { "200": "alive" },
  },
  {
    method: "GET",
    path: "/health/ready",
    summary: "200 when Postgres and the booking actors can take requests (Redis/NATS down = degraded)",
    contentType: "application/json",
    responses: { "200": "ready (status ok or degraded)", "503": "not ready; the failing parts are named" },
  },
  {
    method: "GET",
    path: "/metrics",
    summary: "Prometheus metrics of this node",
    contentType: "text/plain",
    responses: { "200": "Prometheus text format" },
  },
  {
    method: "GET",
    path: "/events/{eventId}/updates",
    summary:
      "Server-sent events of an event's seat map: `event: seats` frames (the Socket.IO `seats` payload, " +
      "`id` = toVersion), a heartbeat comment every few seconds, `event: resync` when the client must " +
      "refetch /events/{eventId}/tickets; resumes after `Last-Event-ID` while those frames are buffered",
    contentType: "text/event-stream",
    tags: ["realtime"],
    parameters: [
      { name: "eventId", in: "path", required: true, schema: { type: "string" } },
      {
        name: "Last-Event-ID",
        in: "header",
        required: false,
        schema: { type: "string", pattern: "^(0|[1-9][0-9]{0,15})$" },
      },
    ],
    responses: {
      "200": "the stream (stays open)",
      "400": "VALIDATION_ERROR: a malformed event id or Last-Event-ID",
      "404": "NOT_FOUND: unknown event",
      "503": "OVERLOADED: too many streams on this gateway node (Retry-After)",
    },
    stream: true,
  },
];

// fastest-validator is CommonJS whose typings declare an ES default export: unwrap by hand.
type ValidatorClass = typeof fastestValidator.default;
const Validator = ((fastestValidator as any).default ?? fastestValidator) as ValidatorClass;
const shorthandParser = new Validator();

const methodsWithBody = new Set(["POST", "PUT", "PATCH"]);

function ruleObject(rule: unknown): Record<string, any> | null {
  // parseShortHand is public in fastest-validator but missing from its typings.
  if (typeof rule === "string") return (shorthandParser as any).parseShortHand(rule) as Record<string, any>;
  if (rule && typeof rule === "object" && !Array.isArray(rule)) return rule as Record<string, any>;
  return null;
}

const isOptional = (rule: Record<string, any> | null): boolean =>
  rule === null || rule.optional === true || rule.default !== undefined;

/** A RegExp, or its source when it crossed the transporter as a string; null when lost in transit. */
function patternSource(pattern: unknown): string | null {
  if (pattern instanceof RegExp) return pattern.source;
  if (typeof pattern === "string") return pattern;
  return null;
}

function withNullable(schema: JsonSchema, rule: Record<string, any>): JsonSchema {
  if (rule.nullable !== true) return schema;
  if (typeof schema.type === "string") return { ...schema, type: [schema.type, "null"] };
  return { anyOf: [schema, { type: "null" }] };
}

function setIfDefined(target: JsonSchema, key: string, value: unknown): void {
  if (value !== undefined && value !== null && typeof value !== "function") target[key] = value;
}

/** One fastest-validator rule (object, shorthand string or array of alternatives) as JSON Schema. */
export function ruleToJsonSchema(raw: unknown): JsonSchema {
  if (Array.isArray(raw)) return { oneOf: raw.map(ruleToJsonSchema) };
  const rule = ruleObject(raw);
  if (rule === null) return {};
  if (rule.$$type !== undefined) {
    // "$$type" shorthand: an object whose props are the other keys.
    const { $$type, ...props } = rule;
    return ruleToJsonSchema({ ...ruleObject($$type), type: "object", props });
  }
  const schema: JsonSchema = {};
  switch (rule.type) {
    case "string": {
      schema.type = "string";
      setIfDefined(schema, "minLength", rule.min ?? rule.length ?? (rule.empty === false ? 1 : undefined));
      setIfDefined(schema, "maxLength", rule.max ?? rule.length);
      const pattern = patternSource(rule.pattern);
      if (pattern !== null) schema.pattern = pattern;
      else if (rule.numeric) schema.pattern = "^-?[0-9]+(\\.[0-9]+)?$";
      else if (rule.alpha) schema.pattern = "^[a-zA-Z]+$";
      else if (rule.alphanum) schema.pattern = "^[a-zA-Z0-9]+$";
      else if (rule.alphadash) schema.pattern = "^[a-zA-Z0-9_-]+$";
      else if (rule.hex) schema.pattern = "^([0-9a-fA-F]{2})+$";
      setIfDefined(schema, "enum", rule.enum);
      // Not a fastest-validator property: a hint for readers of the document ("date-time").
      if (typeof rule.format === "string") schema.format = rule.format;
      break;
    }
    case "number": {
      schema.type = rule.integer ? "integer" : "number";
      setIfDefined(schema, "minimum", rule.min);
      setIfDefined(schema, "maximum", rule.max);
      setIfDefined(schema, "const", rule.equal);
      if (rule.positive) schema.exclusiveMinimum = 0;
      if (rule.negative) schema.exclusiveMaximum = 0;
      break;
    }
    case "boolean":
      schema.type = "boolean";
      break;
    case "enum":
      schema.enum = rule.values;
      break;
    case "equal":
      schema.const = rule.value;
      break;
    case "email":
      Object.assign(schema, { type: "string", format: "email" });
      setIfDefined(schema, "maxLength", rule.max);
      break;
    case "url":
      Object.assign(schema, { type: "string", format: "uri" });
      break;
    case "uuid":
      Object.assign(schema, { type: "string", format: "uuid" });
      break;
    case "date":
      Object.assign(schema, { type: "string", format: "date-time" });
      break;
    case "array": {
      schema.type = "array";
      if (rule.items !== undefined) schema.items = ruleToJsonSchema(rule.items);
      if (rule.enum !== undefined) schema.items = { enum: rule.enum };
      setIfDefined(schema, "minItems", rule.min ?? rule.length ?? (rule.empty === false ? 1 : undefined));
      setIfDefined(schema, "maxItems", rule.max ?? rule.length);
      if (rule.unique) schema.uniqueItems = true;
      break;
    }
    case "tuple": {
      schema.type = "array";
      if (Array.isArray(rule.items)) {
        schema.prefixItems = rule.items.map(ruleToJsonSchema);
        schema.items = false;
        schema.minItems = rule.items.length;
      }
      break;
    }
    case "object": {
      const props = rule.props ?? rule.properties;
      Object.assign(schema, props ? objectSchema(props, rule.strict === true) : { type: "object" });
      setIfDefined(schema, "minProperties", rule.minProps);
      setIfDefined(schema, "maxProperties", rule.maxProps);
      break;
    }
    case "record": {
      schema.type = "object";
      if (rule.value !== undefined) schema.additionalProperties = ruleToJsonSchema(rule.value);
      if (rule.key !== undefined) schema.propertyNames = ruleToJsonSchema(rule.key);
      break;
    }
    case "multi":
      return withNullable({ oneOf: (rule.rules ?? []).map(ruleToJsonSchema) }, rule);
    case "forbidden":
      return { not: {} };
    default:
      // any, custom, class, function...: nothing a JSON Schema can state.
      break;
  }
  setIfDefined(schema, "default", rule.default);
  setIfDefined(schema, "description", rule.description);
  return withNullable(schema, rule);
}

/** A fastest-validator `props` object (or a whole params schema) as a JSON Schema object. */
export function objectSchema(props: Record<string, unknown>, strict: boolean): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  for (const [name, rule] of Object.entries(props)) {
    if (name.startsWith("$$")) continue;
    const schema = ruleToJsonSchema(rule);
    if ((schema as { not?: unknown }).not !== undefined) continue; // forbidden: never present
    properties[name] = schema;
    if (!isOptional(ruleObject(rule))) required.push(name);
  }
  const schema: JsonSchema = { type: "object", properties };
  if (required.length > 0) schema.required = required;
  if (strict) schema.additionalProperties = false;
  return schema;
}

const errorResponse = (description: string) => ({
  description,
  content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
});

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

function operationFor(alias: RouteAlias, action: ActionDefinition | null): Record<string, unknown> {
  const method = alias.method.toUpperCase();
  const pathParameters = [...alias.fullPath.matchAll(/:([A-Za-z0-9_]+)/g)].map((match) => match[1]);
  const params = (action?.params ?? {}) as Record<string, unknown>;
  const strict = params.$$strict === true;
  const parameters: Record<string, unknown>[] = pathParameters.map((name) => ({
    name,
    in: "path",
    required: true,
    schema: params[name] !== undefined ? ruleToJsonSchema(params[name]) : { type: "string" },
  }));
  const rest = Object.fromEntries(
    Object.entries(params).filter(([name]) => !name.startsWith("$$") && !pathParameters.includes(name)),
  );
  const operation: Record<string, unknown> = {
    operationId: alias.action ?? `${method} ${alias.fullPath}`,
    summary: action?.openapi?.summary ?? alias.action ?? undefined,
    tags: [alias.action ? alias.action.split(".")[0] : "gateway"],
  };
  if (action?.openapi?.description) operation.description = action.openapi.description;
  if (methodsWithBody.has(method)) {
    const body = objectSchema(rest, strict);
    operation.requestBody = {
      required: Array.isArray(body.required) && body.required.length > 0,
      content: { "application/json": { schema: body } },
    };
  } else {
    for (const [name, rule] of Object.entries(rest)) {
      const schema = ruleToJsonSchema(rule);
      if ((schema as { not?: unknown }).not !== undefined) continue;
      parameters.push({ name, in: "query", required: !isOptional(ruleObject(rule)), schema });
    }
  }
  if (parameters.length > 0) operation.parameters = parameters;
  const authenticated = alias.route.opts.authentication === true;
  if (authenticated) operation.security = [{ bearerAuth: [] }];
  const successStatus = String(action?.openapi?.successStatus ?? 200);
  const responses: Record<string, unknown> = {
    [successStatus]: { description: "Success", content: { "application/json": { schema: {} } } },
  };
  const applicable = ["400"];
  if (authenticated) applicable.push("401", "403");
  if (pathParameters.length > 0) applicable.push("404");
  if (methodsWithBody.has(method)) applicable.push("413", "415");
  applicable.push("429", "503");
  for (const status of applicable) responses[status] = { $ref: `#/components/responses/E${status}` };
  operation.responses = responses;
  if (action === null) {
    // The route is wired but no node runs its service right now: it answers 503 until one does.
    operation["x-marquee-available"] = false;
  }
  return operation;
}

export interface OpenApiInput {
  aliases: RouteAlias[];
  /** The registry's definition of an action, or null when no node offers it. */
  actionDefinition(name: string): ActionDefinition | null;
}

export function buildOpenApiDocument(input: OpenApiInput): Record<string, any> {
  const paths: Record<string, Record<string, unknown>> = {};
  const operationIds = new Set<string>();
  for (const alias of input.aliases) {
    if (!alias.fullPath || alias.method === "*") continue;
    const path = alias.fullPath.replace(/:([A-Za-z0-9_]+)/g, "{$1}");
    const action = alias.action ? input.actionDefinition(alias.action) : null;
    const operation = operationFor(alias, action);
    // operationId must be unique: an action served at two paths gets the method and path added.
    if (operationIds.has(operation.operationId as string))
      operation.operationId = `${operation.operationId} ${alias.method} ${path}`;
    operationIds.add(operation.operationId as string);
    paths[path] ??= {};
    paths[path][alias.method.toLowerCase()] = operation;
  }
  for (const route of rawRoutes) {
    paths[route.path] ??= {};
    paths[route.path][route.method.toLowerCase()] = {
      operationId: `${route.method} ${route.path}`,
      summary: route.summary,
      tags: route.tags ?? ["operations"],
      ...(route.parameters ? { parameters: route.parameters } : {}),
      ...(route.stream ? { "x-marquee-stream": true } : {}),
      responses: Object.fromEntries(
        Object.entries(route.responses).map(([status, description]) => [
          status,
          {
            description,
            // A stream's refusals come before it starts, as the contract's error body (health answers
            // are their own JSON).
            content:
              route.stream && Number(status) >= 400
                ? { "application/json": { schema: { $ref: "#/components/schemas/Error" } } }
                : { [route.contentType]: { schema: {} } },
          },
        ]),
      ),
    };
  }
  const sortedPaths = Object.fromEntries(Object.entries(paths).sort(([a], [b]) => a.localeCompare(b)));
  return {
    openapi: "3.1.0",
    info: {
      title: "Marquee",
      version: "1.0.0",
      description:
        "Ticket-booking engine for hot on-sales. Every non-2xx answer is " +
        '{"error": {"code", "message", "details"?}}. Generated from the validation schemas in use.',
    },
    paths: sortedPaths,
    components: {
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
          errorResponse(description),
        ]),
      ),
    },
  };
}
