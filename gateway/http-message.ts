// The request moleculer-web hands the gateway, reading one of its headers, writing a JSON answer.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Context } from "moleculer";

export type GatewayRequest = IncomingMessage & { $ctx?: Context<any, any>; $action?: any; body?: unknown };

/** The first value of a header sent more than once. */
export const headerValue = (value: string | string[] | undefined): string | undefined =>
  Array.isArray(value) ? value[0] : value;

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent) return;
  res.writeHead(status, { "Content-Type": "application/json; charset=utf-8", ...headers });
  res.end(JSON.stringify(body));
}
