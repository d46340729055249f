// Requests that are not even valid HTTP (a bad header line, oversized headers, a body that never
// arrives) never reach moleculer-web: Node answers them itself, with an empty body. This mixin makes
// those answers follow the contract's error body too, and closes the connection.
import type { Socket } from "node:net";
import type { ServiceSchema } from "moleculer";
import { errorCatalogue, type ErrorCode } from "../domain/errors.ts";
import { httpHeaderBytesMax } from "../domain/limits.ts";

const reasons: Partial<Record<ErrorCode, string>> = {
  VALIDATION_ERROR: "Bad Request",
  REQUEST_TIMEOUT: "Request Timeout",
  HEADERS_TOO_LARGE: "Request Header Fields Too Large",
};

function answer(socket: Socket, code: ErrorCode, message: string): void {
  const body = JSON.stringify({ error: { code, message } });
  socket.end(
    `HTTP/1.1 ${errorCatalogue[code].status} ${reasons[code]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

export function onClientError(error: Error & { code?: string }, socket: Socket): void {
  if (!socket.writable || (error.code === "ECONNRESET" && socket.destroyed)) {
    socket.destroy();
    return;
  }
  if (error.code === "HPE_HEADER_OVERFLOW")
    return answer(socket, "HEADERS_TOO_LARGE", `Request headers are over ${httpHeaderBytesMax} bytes`);
  if (error.code === "ERR_HTTP_REQUEST_TIMEOUT")
    return answer(socket, "REQUEST_TIMEOUT", "The request did not arrive in time");
  answer(socket, "VALIDATION_ERROR", "Malformed HTTP request");
}

/** Mixed into the gateway with moleculer-web (which creates `this.server` in its `created`). */
export const clientErrorMixin: Partial<ServiceSchema> = {
  started(this: any) {
    if (!this.server) throw new Error("the gateway has no HTTP server to guard");
    this.server.on("clientError", onClientError);
  },
};
