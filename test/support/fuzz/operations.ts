// The operations of the live OpenAPI document (GET /openapi.json): a route added to the gateway is
// fuzzed without touching the fuzzer.
import { inlineRefs, type JsonSchema } from "./schema-values.ts";

export interface FuzzParameter {
  name: string;
  in: "path" | "query" | "header";
  required: boolean;
  schema: JsonSchema;
}

export interface FuzzOperation {
  method: string;
  /** OpenAPI path template, e.g. /events/{eventId}. */
  path: string;
  parameters: FuzzParameter[];
  body: JsonSchema | null;
  /** Whether the document says the body is required (else a request without one is valid). */
  bodyRequired: boolean;
  secured: boolean;
  tags: string[];
}

/** `POST /booking/reserve`: how operations are named in reports and in the context's exemplars. */
export const operationName = (operation: { method: string; path: string }): string =>
  `${operation.method} ${operation.path}`;

/** The operations of an OpenAPI document (every path and method), its `$ref`s inlined. */
export function operationsOf(document: any): FuzzOperation[] {
  const operations: FuzzOperation[] = [];
  for (const [path, methods] of Object.entries<any>(document.paths ?? {}))
    for (const [method, raw] of Object.entries<any>(methods)) {
      const operation = inlineRefs(raw, document);
      // A stream stays open on success; its refusals are tested with the real-time suite.
      if (operation["x-marquee-stream"] === true) continue;
      const body = operation.requestBody?.content?.["application/json"]?.schema ?? null;
      operations.push({
        method: method.toUpperCase(),
        path,
        parameters: (operation.parameters ?? [])
          .filter((parameter: any) => ["path", "query", "header"].includes(parameter.in))
          .map((parameter: any) => ({
            name: parameter.name,
            in: parameter.in,
            required: parameter.required === true,
            schema: parameter.schema ?? {},
          })),
        body,
        bodyRequired: operation.requestBody?.required === true,
        secured: Array.isArray(operation.security) && operation.security.length > 0,
        tags: Array.isArray(operation.tags) ? operation.tags : [],
      });
    }
  return operations;
}

const methodOrder = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"];

/**
 * Reads first, then creations, changes and deletions last: a PATCH that turns a known event's waiting
 * room on, or a DELETE of it, would leave little for the operations after it to reach.
 */
export const byMethod = (a: FuzzOperation, b: FuzzOperation): number =>
  methodOrder.indexOf(a.method) - methodOrder.indexOf(b.method);

/** Whether the operation is an admin one (its token must have the admin role to get past auth). */
export const isAdminOperation = (operation: FuzzOperation): boolean => operation.path.startsWith("/admin/");
