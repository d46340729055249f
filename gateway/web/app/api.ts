// JSON over fetch against the contract: bearer token, timeouts, and one error type carrying the
// contract's code, details and Retry-After, so every page shows the same clear messages.
import { currentToken, signOut } from "./session.ts";
import { networkErrorCode, timeoutErrorCode } from "./messages.ts";
import { ApiError, type ApiErrorFacts, type ErrorCode } from "../../../client/src/index.ts";

// The typed client's error type: the pages and the client's helpers read the same facts.
export { ApiError };

export const requestTimeoutMs = 15_000;

export const toApiError = (error: unknown): ApiError =>
  error instanceof ApiError
    ? error
    : new ApiError({
        code: "INTERNAL_ERROR",
        status: 0,
        message: String((error as Error)?.message ?? error),
      });

export interface ApiOptions {
  body?: unknown;
  /** Send the bearer token (and require one). */
  auth?: boolean;
  headers?: Record<string, string>;
  timeoutMs?: number;
}

export interface ApiAnswer<T> {
  status: number;
  data: T;
  headers: Headers;
}

/** Server clock minus ours (from the Date header), so countdowns follow the server's expiresAt. */
let serverClockOffsetMs = 0;
export const serverNow = (): number => Date.now() + serverClockOffsetMs;

function noteServerDate(headers: Headers): void {
  const date = Date.parse(headers.get("date") ?? "");
  if (Number.isNaN(date)) return;
  // The header has whole seconds: smaller offsets are rounding, not skew.
  const offset = date - Date.now();
  serverClockOffsetMs = Math.abs(offset) < 1_500 ? 0 : offset;
}

function retryAfter(headers: Headers): number | undefined {
  const raw = headers.get("retry-after");
  if (!raw) return undefined;
  const secondsValue = Number(raw);
  if (Number.isFinite(secondsValue)) return Math.max(0, secondsValue);
  const date = Date.parse(raw);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - Date.now()) / 1000));
}

export async function api<T>(method: string, path: string, options: ApiOptions = {}): Promise<ApiAnswer<T>> {
  const headers: Record<string, string> = { accept: "application/json", ...options.headers };
  if (options.body !== undefined) headers["content-type"] = "application/json";
  if (options.auth) {
    const token = currentToken();
    if (!token) throw new ApiError({ code: "UNAUTHENTICATED", status: 401, message: "Sign in first" });
    headers.authorization = `Bearer ${token}`;
  }
  const controller = new AbortController();
  const timer = window.setTimeout(() => controller.abort(), options.timeoutMs ?? requestTimeoutMs);
  let response: Response;
  let text: string;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: controller.signal,
      cache: "no-store",
    });
    text = await response.text();
  } catch (error) {
    const timedOut = controller.signal.aborted;
    throw new ApiError({
      code: timedOut ? timeoutErrorCode : networkErrorCode,
      status: 0,
      message: timedOut ? "Request timed out" : String((error as Error)?.message ?? error),
    });
  } finally {
    window.clearTimeout(timer);
  }
  noteServerDate(response.headers);
  let data: any = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!response.ok) {
    const error = data?.error;
    const facts: ApiErrorFacts = {
      code:
        typeof error?.code === "string"
          ? (error.code as ErrorCode)
          : response.status >= 500
            ? "INTERNAL_ERROR"
            : "NOT_FOUND",
      status: response.status,
      message: typeof error?.message === "string" ? error.message : response.statusText,
      details: error?.details && typeof error.details === "object" ? error.details : undefined,
      retryAfterSeconds: retryAfter(response.headers),
    };
    // A token the server no longer accepts is dropped, so the page offers to sign in again.
    if (response.status === 401 && options.auth) signOut();
    throw new ApiError(facts);
  }
  return { status: response.status, data: data as T, headers: response.headers };
}
