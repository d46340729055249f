// JSON over fetch against the Marquee API: a bearer token, a timeout on every request, and every
// refusal as an ApiError with the contract's code. One typed method per operation a client calls.
import { systemClock, type Clock } from "./clock.ts";
import { ApiError, retryAfterSeconds } from "./errors.ts";
import type {
  BookingList,
  Booking,
  CheckIn,
  TicketKey,
  CompactEventPage,
  CompactSeatMap,
  Confirmation,
  EventPage,
  Hold,
  Layout,
  Payment,
  Query,
  QueueStatus,
  Release,
  RequestBody,
  SearchPage,
  SeatMapAnswer,
} from "./types.ts";

export interface ClientOptions {
  /** The gateway's origin, e.g. `http://127.0.0.1:3000`; "" (the default) for the page's own origin. */
  baseUrl?: string;
  /** The bearer token for routes that need one (read at every request). */
  token?: () => string | null | undefined;
  /** Per request; 15 s by default. */
  timeoutMs?: number;
  fetch?: typeof fetch;
  clock?: Clock;
}

export interface RequestOptions {
  body?: unknown;
  headers?: Record<string, string>;
  /** Send the bearer token (and require one). */
  auth?: boolean;
  timeoutMs?: number;
}

export interface ApiAnswer<T> {
  status: number;
  data: T;
  headers: Headers;
}

export const defaultTimeoutMs = 15_000;

const encode = encodeURIComponent;

function errorOf(status: number, statusText: string, data: any, headers: Headers, nowMs: number): ApiError {
  const error = data?.error;
  return new ApiError({
    code: typeof error?.code === "string" ? error.code : status >= 500 ? "INTERNAL_ERROR" : "NOT_FOUND",
    status,
    message: typeof error?.message === "string" ? error.message : statusText,
    details: error?.details && typeof error.details === "object" ? error.details : undefined,
    retryAfterSeconds: retryAfterSeconds(headers.get("retry-after"), nowMs),
  });
}

export class MarqueeClient {
  readonly clock: Clock;
  private readonly options: ClientOptions;

  constructor(options: ClientOptions = {}) {
    this.options = options;
    this.clock = options.clock ?? systemClock;
  }

  /** One request; a non-2xx answer (or none) throws an ApiError. */
  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<ApiAnswer<T>> {
    const headers: Record<string, string> = { accept: "application/json", ...options.headers };
    if (options.body !== undefined) headers["content-type"] = "application/json";
    if (options.auth) {
      const token = this.options.token?.();
      if (!token) throw new ApiError({ code: "UNAUTHENTICATED", status: 401, message: "Sign in first" });
      headers.authorization = `Bearer ${token}`;
    }
    const signal = AbortSignal.timeout(options.timeoutMs ?? this.options.timeoutMs ?? defaultTimeoutMs);
    let response: Response;
    let text: string;
    try {
      response = await (this.options.fetch ?? fetch)(`${this.options.baseUrl ?? ""}${path}`, {
        method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal,
      });
      text = await response.text();
    } catch (error) {
      const timedOut = signal.aborted;
      throw new ApiError({
        code: timedOut ? "TIMEOUT" : "NETWORK_ERROR",
        status: 0,
        message: timedOut ? "The request timed out" : String((error as Error)?.message ?? error),
      });
    }
    let data: any = null;
    try {
      data = text ? JSON.parse(text) : null;
    } catch {
      data = null;
    }
    if (!response.ok && response.status !== 304)
      throw errorOf(response.status, response.statusText, data, response.headers, this.clock.now());
    return { status: response.status, data: data as T, headers: response.headers };
  }

  private async data<T>(method: string, path: string, options?: RequestOptions): Promise<T> {
    return (await this.request<T>(method, path, options)).data;
  }

  issueDevToken(body: RequestBody<"api.issueDevToken">): Promise<{ token: string }> {
    return this.data("POST", "/auth/token", { body });
  }

  event(eventId: string): Promise<EventPage> {
    return this.data("GET", `/events/${encode(eventId)}`);
  }

  compactEvent(eventId: string): Promise<CompactEventPage> {
    return this.data("GET", `/events/${encode(eventId)}?format=compact`);
  }

  seatMap(eventId: string): Promise<SeatMapAnswer> {
    return this.data("GET", `/events/${encode(eventId)}/tickets`);
  }

  compactSeatMap(eventId: string): Promise<CompactSeatMap> {
    return this.data("GET", `/events/${encode(eventId)}/tickets?format=compact`);
  }

  layout(eventId: string): Promise<Layout> {
    return this.data("GET", `/events/${encode(eventId)}/layout`);
  }

  search(query: Query<"search.search">): Promise<SearchPage> {
    const pairs = Object.entries(query).filter(([, value]) => value !== undefined && value !== "");
    const text = pairs.map(([name, value]) => `${encode(name)}=${encode(String(value))}`).join("&");
    return this.data("GET", `/events/search${text ? `?${text}` : ""}`);
  }

  /** Holds tickets; `admissionToken` for an event whose waiting room is on. */
  reserve(body: RequestBody<"booking.reserve">, admissionToken?: string): Promise<Hold> {
    const headers: Record<string, string> = admissionToken ? { "x-admission-token": admissionToken } : {};
    return this.data("POST", "/booking/reserve", { body, headers, auth: true });
  }

  release(body: RequestBody<"booking.release">): Promise<Release> {
    return this.data("POST", "/booking/release", { body, auth: true });
  }

  /** One confirm attempt under that key; `confirmBooking` (confirm.ts) retries safely. */
  confirm(body: RequestBody<"booking.confirm">, idempotencyKey: string): Promise<Confirmation> {
    return this.data("POST", "/booking/confirm", {
      body,
      headers: { "idempotency-key": idempotencyKey },
      auth: true,
      // tok_slow takes ~2 s; a replay waits for the first attempt to finish.
      timeoutMs: Math.max(this.options.timeoutMs ?? defaultTimeoutMs, 30_000),
    });
  }

  bookings(): Promise<BookingList> {
    return this.data("GET", "/bookings", { auth: true });
  }

  booking(bookingId: string): Promise<Booking> {
    return this.data("GET", `/bookings/${encode(bookingId)}`, { auth: true });
  }

  payment(paymentId: string): Promise<Payment> {
    return this.data("GET", `/payments/${encode(paymentId)}`, { auth: true });
  }

  joinQueue(eventId: string): Promise<QueueStatus> {
    return this.data("POST", `/events/${encode(eventId)}/queue`, { auth: true });
  }

  queueStatus(eventId: string): Promise<QueueStatus> {
    return this.data("GET", `/events/${encode(eventId)}/queue`, { auth: true });
  }

  /** At the door (an admin or scanner token): the first scan 200, a second 409 ALREADY_CHECKED_IN. */
  checkIn(code: string): Promise<CheckIn> {
    return this.data("POST", "/admin/checkin", { body: { code }, auth: true });
  }

  /** The event's public key (admin or scanner token): verifies ticket codes offline. */
  ticketKey(eventId: string): Promise<TicketKey> {
    return this.data("GET", `/admin/events/${encode(eventId)}/ticket-key`, { auth: true });
  }
}
