// Sending one fuzz request exactly as built: node:http does not normalise the path, and a body may
// be bytes that are not UTF-8 (what a hostile client can send).
import http from "node:http";

export interface FuzzRequest {
  method: string;
  /** Already percent-encoded where it should be (and deliberately not, sometimes). */
  path: string;
  headers: Record<string, string>;
  body?: string | Buffer;
}

export interface FuzzAnswer {
  status: number;
  text: string;
  body: unknown;
}

const bodyLength = (body: string | Buffer): number =>
  typeof body === "string" ? Buffer.byteLength(body) : body.length;

/** Sends one request as is (node:http: no client-side normalisation of the path). */
export function send(baseUrl: string, request: FuzzRequest, timeoutMs: number): Promise<FuzzAnswer> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const outgoing = http.request(
      {
        host: url.hostname,
        port: url.port,
        method: request.method,
        path: request.path,
        // Framed explicitly: Node sends a GET's body unframed, which reads as a second, malformed request.
        headers:
          request.body === undefined
            ? request.headers
            : { ...request.headers, "content-length": String(bodyLength(request.body)) },
        agent: false,
        timeout: timeoutMs,
      },
      (response) => {
        if (String(response.headers["content-type"] ?? "").startsWith("text/event-stream")) {
          // A stream (SSE) is an answer once its headers are in: do not wait for its end.
          response.destroy();
          return resolve({ status: response.statusCode ?? 0, text: "", body: null });
        }
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let body: unknown = text;
          try {
            body = text ? JSON.parse(text) : null;
          } catch {
            /* not JSON */
          }
          resolve({ status: response.statusCode ?? 0, text, body });
        });
        response.on("error", reject);
      },
    );
    outgoing.on("timeout", () => outgoing.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    outgoing.on("error", reject);
    if (request.body !== undefined) outgoing.end(request.body);
    else outgoing.end();
  });
}

/** A request as one line for a report: method, path, body (bytes outside printable ASCII as \xNN). */
export function describeRequest(request: FuzzRequest, bodyChars = 300): string {
  const body =
    request.body === undefined
      ? ""
      : typeof request.body === "string"
        ? request.body
        : request.body
            .toString("latin1")
            .replace(
              /[^\x20-\x7e]/g,
              (char) => `\\x${char.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}`,
            );
  const shown = body.length > bodyChars ? `${body.slice(0, bodyChars)}... (${body.length} chars)` : body;
  return `${request.method} ${request.path.length > 200 ? request.path.slice(0, 200) + "..." : request.path}${shown ? ` ${shown}` : ""}`;
}
