// One OpenAPI operation per route: from a moleculer-web alias and its action's params schema, or from
// the table of routes the gateway answers itself.
import { isForbidden, isOptional, objectSchema, ruleObject, ruleToJsonSchema } from "./json-schema.ts";
import type { RawRoute } from "./raw-routes.ts";

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
  if (parameters.length > 0) operation.parameters = parameters;
}

const pathParameterNames = (fullPath: string): string[] =>
  [...fullPath.matchAll(/:([A-Za-z0-9_]+)/g)].map((match) => match[1]);

/** The success answer and a reference to each error answer the route can give. */
function aliasResponses(alias: RouteAlias, action: ActionDefinition | null): Operation {
  const authenticated = alias.route.opts.authentication === true;
  const successStatus = String(action?.openapi?.successStatus ?? 200);
  const responses: Operation = {
    [successStatus]: { description: "Success", content: { "application/json": { schema: {} } } },
  };
  const applicable = ["400"];
  if (authenticated) applicable.push("401", "403");
  if (pathParameterNames(alias.fullPath).length > 0) applicable.push("404");
  if (methodsWithBody.has(alias.method.toUpperCase())) applicable.push("413", "415");
  applicable.push("429", "503");
  for (const status of applicable) responses[status] = { $ref: `#/components/responses/E${status}` };
  return responses;
}

/** The operation of a moleculer-web alias; `action` null when no node offers its action right now. */
export function aliasOperation(alias: RouteAlias, action: ActionDefinition | null): Operation {
  const operation: Operation = {
    operationId: alias.action ?? `${alias.method.toUpperCase()} ${alias.fullPath}`,
    summary: action?.openapi?.summary ?? alias.action ?? undefined,
    tags: [alias.action ? alias.action.split(".")[0] : "gateway"],
  };
  if (action?.openapi?.description) operation.description = action.openapi.description;
  addInputs(operation, alias, action);
  if (alias.route.opts.authentication === true) operation.security = [{ bearerAuth: [] }];
  operation.responses = aliasResponses(alias, action);
  if (action === null) {
    // The route is wired but no node runs its service right now: it answers 503 until one does.
    operation["x-marquee-available"] = false;
  }
  return operation;
}

/** The operation of a route the gateway answers itself. */
export function rawRouteOperation(route: RawRoute): Operation {
  return {
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
            route.stream && Number(status) >= 400 ? errorContent() : { [route.contentType]: { schema: {} } },
        },
      ]),
    ),
  };
}
