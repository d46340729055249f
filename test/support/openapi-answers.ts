// Every answer a test receives through the test HTTP client (system.ts) is checked against the OpenAPI
// document (gateway/openapi/, built in process as a node with every service serves it): its status
// is one the route documents, the required answer headers are there, and a JSON body validates
// against the documented schema (closed objects: an undocumented field is a mismatch). Routes the
// document does not describe (the web UI's pages, unknown paths) are not checked.
import { Ajv2020, type ErrorObject, type ValidateFunction } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import { buildStandaloneDocument } from "../../gateway/openapi/standalone.ts";

// ajv-formats is CommonJS whose typings declare an ES default export: unwrap by hand.
const addFormats = ((addFormatsModule as any).default ?? addFormatsModule) as typeof addFormatsModule.default;

export interface ReceivedAnswer {
  method: string;
  /** Path and query, as requested. */
  path: string;
  status: number;
  headers: Headers;
  /** The parsed JSON, or the text when it is not JSON; null for an empty body. */
  body: unknown;
}

interface Route {
  method: string;
  template: string;
  pattern: RegExp;
  parameters: number;
  operation: Record<string, any>;
}

interface Checker {
  document: Record<string, any>;
  routes: Route[];
  ajv: Ajv2020;
  validators: Map<string, ValidateFunction>;
}

const methods = ["get", "post", "put", "patch", "delete"];

function routesOf(document: Record<string, any>): Route[] {
  const routes: Route[] = [];
  for (const [template, item] of Object.entries<Record<string, any>>(document.paths)) {
    const source = template.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\{[^}]+\}/g, "[^/]+");
    for (const method of methods.filter((name) => item[name]))
      routes.push({
        method: method.toUpperCase(),
        template,
        pattern: new RegExp(`^${source}$`),
        parameters: (template.match(/\{/g) ?? []).length,
        operation: item[method],
      });
  }
  // A literal segment wins over a parameter: /events/search is not /events/{eventId}.
  return routes.sort((a, b) => a.parameters - b.parameters);
}

let checker: Promise<Checker> | null = null;

async function createChecker(): Promise<Checker> {
  const document = await buildStandaloneDocument();
  // The document is the schema registry: component references resolve inside it.
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema(document, "openapi");
  return { document, routes: routesOf(document), ajv, validators: new Map() };
}

/** `#/components/...` of the document, dereferenced (an OpenAPI Reference Object). */
function resolve(document: Record<string, any>, value: any): any {
  if (!value || typeof value.$ref !== "string") return value;
  return value.$ref
    .slice(2)
    .split("/")
    .reduce((node: any, key: string) => node?.[key.replace(/~1/g, "/").replace(/~0/g, "~")], document);
}

function validatorOf(check: Checker, key: string, schema: unknown): ValidateFunction {
  let validate = check.validators.get(key);
  if (!validate) {
    // References inside the schema name the document's components, registered as "openapi".
    const text = JSON.stringify(schema).replaceAll('"$ref":"#/', '"$ref":"openapi#/');
    validate = check.ajv.compile(JSON.parse(text));
    check.validators.set(key, validate);
  }
  return validate;
}

function describeError(error: ErrorObject): string {
  const where = error.instancePath || "(the body)";
  if (error.keyword === "additionalProperties")
    return `${where} has "${error.params.additionalProperty}", which the document does not list`;
  if (error.keyword === "enum") return `${where} ${error.message}: ${error.params.allowedValues.join(", ")}`;
  return `${where} ${error.message}`;
}

function headerProblems(document: Record<string, any>, response: any, headers: Headers): string[] {
  const problems: string[] = [];
  for (const [name, raw] of Object.entries<any>(response.headers ?? {})) {
    const header = resolve(document, raw);
    const value = headers.get(name);
    if (value === null) {
      if (header.required) problems.push(`the required header ${name} is missing`);
    } else if (header.schema?.type === "integer" && !/^\d+$/.test(value))
      problems.push(`the header ${name} is not an integer: ${JSON.stringify(value)}`);
  }
  return problems;
}

function bodyProblems(check: Checker, key: string, response: any, answer: ReceivedAnswer): string[] {
  const type = answer.headers.get("content-type") ?? "";
  const content = response.content as Record<string, any> | undefined;
  if (!content)
    return answer.body === null || answer.body === "" ? [] : ["a body where the document has none"];
  const mediaType = Object.keys(content).find((name) => type.startsWith(name));
  if (!mediaType)
    return [`content-type ${type || "(none)"}, the document has ${Object.keys(content).join(", ")}`];
  if (mediaType !== "application/json") return [];
  const validate = validatorOf(check, key, content[mediaType].schema ?? {});
  if (validate(answer.body)) return [];
  return (validate.errors ?? []).slice(0, 5).map(describeError);
}

/** What is wrong with an answer according to the document; null when it conforms or is not described. */
export async function answerProblem(answer: ReceivedAnswer): Promise<string | null> {
  checker ??= createChecker();
  const check = await checker;
  const path = answer.path.split("?")[0];
  const route = check.routes.find(
    (each) => each.method === answer.method.toUpperCase() && each.pattern.test(path),
  );
  if (!route) return null;
  const name = `${route.method} ${route.template}`;
  const documented = route.operation.responses as Record<string, unknown>;
  const response = resolve(check.document, documented[String(answer.status)]);
  if (!response)
    return `${name} answered ${answer.status}, which the document does not list (it lists ${Object.keys(documented).join(", ")})`;
  const problems = [
    ...headerProblems(check.document, response, answer.headers),
    ...bodyProblems(check, `${name} ${answer.status}`, response, answer),
  ];
  if (problems.length === 0) return null;
  return `${name} ${answer.status} does not match the OpenAPI document: ${problems.join("; ")}`;
}
