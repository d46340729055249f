// Every request gets an id, sent back as X-Request-ID and carried by the Moleculer calls it makes
// (moleculer-web's ctx.requestID), so a client's report and the log lines of every node match. A
// client's own X-Request-ID (or X-Correlation-ID) is kept when it is a short plain token; anything
// else gets a fresh one (the header ends up in logs: no free text from clients there).
import { randomUUID } from "node:crypto";
import type { ServerResponse } from "node:http";
import { requestIdLengthMax } from "../domain/limits.ts";
import { headerValue, type GatewayRequest } from "./http-message.ts";

const requestIdPattern = new RegExp(`^[A-Za-z0-9._:-]{1,${requestIdLengthMax}}$`);

export function assignRequestId(req: GatewayRequest, res: ServerResponse): string {
  const offered = headerValue(req.headers["x-request-id"]) ?? headerValue(req.headers["x-correlation-id"]);
  const id = offered !== undefined && requestIdPattern.test(offered) ? offered : randomUUID();
  // moleculer-web takes the call's requestID from these headers (X-Correlation-ID first).
  req.headers["x-request-id"] = id;
  // Only when sent: deleting a property turns the headers object into a slower dictionary.
  if (req.headers["x-correlation-id"] !== undefined) delete req.headers["x-correlation-id"];
  res.setHeader("X-Request-ID", id);
  return id;
}
