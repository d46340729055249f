// The request moleculer-web hands the gateway, reading one of its headers, writing a JSON answer.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Context } from "moleculer";

export type GatewayRequest = IncomingMessage & { $ctx?: Context<any, any>; $action?: any; body?: unknown };

/** The first value of a header sent more than once. */
export const headerValue = (value: string | string[] | undefined): string | undefined =>
  Array.isArray(value) ? value[0] : value;

/**
 * Answers `body` as JSON. Headers go through setHeader and the status line is left to `end`: the
 * answer then carries Content-Length (not chunked) and Node writes the headers it holds as they are,
 * where `writeHead` with an object, after the request id's setHeader, merged the two on every answer
 * (the raw routes' answers, `/health/live` among them, ~13% more a second: BENCHMARKS.md).
 */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent) return;
  res.statusCode = status;
  res.setHeader("Content-Type", "application/json; charset=utf-8");
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  res.end(JSON.stringify(body));
}
