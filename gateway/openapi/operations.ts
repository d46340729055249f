// One OpenAPI operation per route: from a moleculer-web alias, its action's params schema and what the
// action answers (route-answers.ts), or from the table of routes the gateway answers itself.
import { headerRefs, parameterRef, rateLimitHeaderNames } from "./headers.ts";
import { isForbidden, isOptional, objectSchema, ruleObject, ruleToJsonSchema } from "./json-schema.ts";
import type { RawRoute } from "./raw-routes.ts";
import { routeAnswers, type RouteAnswers } from "./route-answers.ts";

/** Optional documentation an action may carry next to its `params`: `openapi: {summary, ...}`. */
export interface ActionDocumentation {
  summary?: string;
  description?: string;
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

type Operation = Record<string, unknown>;

const methodsWithBody = new Set(["POST", "PUT", "PATCH"]);

/** The content of an error answer: the contract's error body. */
export const errorContent = () => ({
  "application/json": { schema: { $ref: "#/components/schemas/Error" } },
});

/** Path parameters, then (for methods without a body) query parameters, or else the JSON body. */
function addInputs(operation: Operation, alias: RouteAlias, action: ActionDefinition | null): void {
  const pathParameters = pathParameterNames(alias.fullPath);
  const params = (action?.params ?? {}) as Record<string, unknown>;
  const parameters: Record<string, unknown>[] = pathParameters.map((name) => ({
    name,
    in: "path",
    required: true,
    schema: params[name] !== undefined ? ruleToJsonSchema(params[name]) : { type: "string" },
  }));
  const rest = Object.fromEntries(
    Object.entries(params).filter(([name]) => !name.startsWith("$$") && !pathParameters.includes(name)),
  );
  if (methodsWithBody.has(alias.method.toUpperCase())) {
    const body = objectSchema(rest, params.$$strict === true);
    operation.requestBody = {
      required: Array.isArray(body.required) && body.required.length > 0,
      content: { "application/json": { schema: body } },
    };
  } else {
    for (const [name, rule] of Object.entries(rest)) {
      const schema = ruleToJsonSchema(rule);
      if (isForbidden(schema)) continue;
      parameters.push({ name, in: "query", required: !isOptional(ruleObject(rule)), schema });
    }
  }
  const answers = alias.action ? routeAnswers[alias.action] : undefined;
  for (const name of answers?.requestHeaders ?? []) parameters.push(parameterRef(name));
  if (answers?.conditional) parameters.push(parameterRef("IfNoneMatch"));
  if (parameters.length > 0) operation.parameters = parameters;
}

const pathParameterNames = (fullPath: string): string[] =>
  [...fullPath.matchAll(/:([A-Za-z0-9_]+)/g)].map((match) => match[1]);

/** A reference to a shared error answer, with what that status means on this route when it says. */
const errorRef = (status: string, description?: string) => ({
  $ref: `#/components/responses/E${status}`,
  ...(description ? { description } : {}),
});

/** The statuses every route of this kind answers (see route-answers.ts). */
function kindErrorStatuses(alias: RouteAlias): string[] {
  const statuses = ["400"];
  if (alias.route.opts.authentication === true) statuses.push("401");
  if (alias.route.opts.authorization === true) statuses.push("403");
  if (pathParameterNames(alias.fullPath).length > 0) statuses.push("404");
  if (methodsWithBody.has(alias.method.toUpperCase())) statuses.push("413", "415");
  statuses.push("429", "503");
  return statuses;
}

/** The success answer (with its headers) and a reference to each error answer the route gives. */
function aliasResponses(alias: RouteAlias, answers: RouteAnswers | undefined): Operation {
  const success = answers ?? { status: 200, description: "Success", schema: {} };
  const responses: Operation = {
    [String(success.status)]: {
      description: success.description,
      headers: headerRefs([...rateLimitHeaderNames, ...(success.headers ?? [])]),
      content: { [success.contentType ?? "application/json"]: { schema: success.schema } },
    },
  };
  if (success.conditional)
    responses["304"] = {
      description: "Not modified: the If-None-Match sent names the current answer (no body)",
      headers: headerRefs([...rateLimitHeaderNames, "ETag"]),
    };
  const statuses = new Set([...kindErrorStatuses(alias), ...Object.keys(success.errors ?? {})]);
  for (const status of [...statuses].sort()) responses[status] = errorRef(status, success.errors?.[status]);
  return responses;
}

/** The operation of a moleculer-web alias; `action` null when no node offers its action right now. */
export function aliasOperation(alias: RouteAlias, action: ActionDefinition | null): Operation {
  const operation: Operation = {
    // The action's name: unique and URL-safe (letters, digits, `.` and `-`).
    operationId:
      alias.action ?? `${alias.method.toLowerCase()}${alias.fullPath.replace(/[^A-Za-z0-9]+/g, "-")}`,
    summary: action?.openapi?.summary ?? alias.action ?? undefined,
    tags: [alias.action ? alias.action.split(".")[0] : "gateway"],
  };
  if (action?.openapi?.description) operation.description = action.openapi.description;
  addInputs(operation, alias, action);
  operation.security = alias.route.opts.authentication === true ? [{ bearerAuth: [] }] : [];
  operation.responses = aliasResponses(alias, alias.action ? routeAnswers[alias.action] : undefined);
  if (action === null) {
    // The route is wired but no node runs its service right now: it answers 503 until one does.
    operation["x-marquee-available"] = false;
  }
  return operation;
}

/** The operation of a route the gateway answers itself. */
export function rawRouteOperation(route: RawRoute): Operation {
  return {
    operationId: route.operationId,
    summary: route.summary,
    ...(route.description ? { description: route.description } : {}),
    tags: route.tags ?? ["operations"],
    security: route.security ?? [],
    ...(route.parameters ? { parameters: route.parameters } : {}),
    ...(route.stream ? { "x-marquee-stream": true } : {}),
    responses: route.responses,
  };
}
