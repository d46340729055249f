// A bounded concurrent stream of booking requests (reserve, release, confirm) from a Node loop, that
// records every request with when it was sent and answered. The records are what the ledger checks
// against the database afterwards (see ledger.ts). One user never has two requests in flight, so a
// user's operations are ordered; different users race for the same tickets on purpose now and then.
import type { EventFixture } from "../../support/catalog.ts";
import type { JsonAnswer, RequestOptions } from "../../support/system.ts";
import { ticketsPerRequestMax } from "../../../domain/limits.ts";
import { seededRandom } from "../../../domain/random.ts";

export type Operation = "reserve" | "release" | "confirm";

export interface OperationRecord {
  op: Operation;
  userId: string;
  eventId: string;
  ticketIds: string[];
  idempotencyKey?: string;
  sentAt: number;
  answeredAt: number;
  /** 0: no answer (client-side timeout or connection error). */
  status: number;
  /** The contract error code of a non-2xx answer. */
  code?: string;
  /** Set for 201 confirms: the booking the answer names. */
  booking?: { id: string; ticketIds: string[]; paymentId: string; amountCents: number };
  /** Set for answers that are not the contract's shape (a violation by itself). */
  malformed?: string;
  /** Why a request has status 0: the client's timeout, a failed connection, or an answer off the spec. */
  failure?: string;
}

export interface LoadOptions {
  request(method: string, path: string, options?: RequestOptions): Promise<JsonAnswer>;
  token(userId: string): Promise<string>;
  events: EventFixture[];
  users: number;
  concurrency: number;
  /** Include confirms (POST /booking/confirm with tok_ok and an Idempotency-Key). */
  confirm: boolean;
  /** The client gives up after this long (recorded as status 0: a hang); default answerTimeoutMs. */
  requestTimeoutMs?: number;
  seed?: number;
  /** Pause between a worker's requests (keeps the CPU use of a long run bounded). */
  thinkMs?: number;
}

interface UserState {
  id: string;
  token: string;
  busy: boolean;
  /** Tickets a 200 reserve gave this user and no release or booking has taken back (by event). */
  held: Map<string, Set<string>>;
  /** Tickets this user may hold: a reserve whose answer never came or was a 503. */
  maybe: Map<string, Set<string>>;
  booked: Map<string, number>;
  /** A confirm without a final answer, retried with the same key and body. */
  pendingConfirm: { eventId: string; ticketIds: string[]; key: string } | null;
}

const perUserTicketsMax = 10;
/**
 * A request with no answer after this is a hang: above the longest any action may take (a confirm: 30 s,
 * of which up to 15 s waiting for a concurrent request with the same Idempotency-Key).
 */
export const answerTimeoutMs = 35_000;

export class LoadLoop {
  readonly records: OperationRecord[] = [];
  private readonly users: UserState[] = [];
  /** Tickets no user of the load is known or suspected to hold or have booked, by event. */
  private readonly free = new Map<string, Set<string>>();
  private running = false;
  private workers: Promise<void>[] = [];
  private readonly random: () => number;
  private keys = 0;

  constructor(private readonly options: LoadOptions) {
    this.random = seededRandom(options.seed ?? 1);
    for (const event of options.events) this.free.set(event.eventId, new Set(event.ticketIds));
  }

  async start(): Promise<void> {
    for (let index = 0; index < this.options.users; index++) {
      const id = `load-user-${index}`;
      this.users.push({
        id,
        token: await this.options.token(id),
        busy: false,
        held: new Map(),
        maybe: new Map(),
        booked: new Map(),
        pendingConfirm: null,
      });
    }
    this.running = true;
    this.workers = Array.from({ length: this.options.concurrency }, () => this.work());
  }

  /** Stops sending; resolves once every request in flight has its answer (or timed out). */
  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.workers);
  }

  /** Records answered since `since` (ms epoch), optionally only for some events. */
  answeredSince(since: number, eventIds?: Set<string>): OperationRecord[] {
    return this.records.filter(
      (record) => record.answeredAt >= since && (!eventIds || eventIds.has(record.eventId)),
    );
  }

  summary(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const record of this.records) {
      const key = `${record.op} ${record.status}${record.code ? ` ${record.code}` : ""}`;
      counts[key] = (counts[key] ?? 0) + 1;
    }
    return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)));
  }

  private pick<T>(items: T[]): T {
    return items[Math.floor(this.random() * items.length)];
  }

  private async work(): Promise<void> {
    while (this.running) {
      const idle = this.users.filter((user) => !user.busy);
      if (idle.length === 0) {
        await new Promise((resolve) => setTimeout(resolve, 5));
        continue;
      }
      const user = this.pick(idle);
      user.busy = true;
      try {
        await this.step(user);
      } finally {
        user.busy = false;
      }
      if (this.options.thinkMs) await new Promise((resolve) => setTimeout(resolve, this.options.thinkMs));
    }
  }

  private async step(user: UserState): Promise<void> {
    if (user.pendingConfirm) {
      const pending = user.pendingConfirm;
      return this.confirm(user, pending.eventId, pending.ticketIds, pending.key);
    }
    const unsure = [...user.maybe.entries()].find(([, tickets]) => tickets.size > 0);
    if (unsure && this.random() < 0.3) return this.releaseUnsure(user, unsure[0]);
    const heldEvents = [...user.held.entries()].filter(([, tickets]) => tickets.size > 0);
    if (heldEvents.length > 0 && this.random() < 0.5) {
      const [eventId, tickets] = this.pick(heldEvents);
      const ticketIds = [...tickets].slice(0, ticketsPerRequestMax);
      if (this.options.confirm && this.random() < 0.6) return this.confirm(user, eventId, ticketIds);
      return this.release(user, eventId, ticketIds);
    }
    return this.reserve(user);
  }

  private async reserve(user: UserState): Promise<void> {
    const event = this.pick(this.options.events);
    const free = this.free.get(event.eventId)!;
    const taken =
      (user.held.get(event.eventId)?.size ?? 0) +
      (user.maybe.get(event.eventId)?.size ?? 0) +
      (user.booked.get(event.eventId) ?? 0);
    const count = Math.min(1 + Math.floor(this.random() * 3), perUserTicketsMax - taken);
    if (count <= 0) {
      // At the per-user cap. Unsure tickets are given back; otherwise wait (and let timers run: a
      // loop of steps that send nothing would starve the event loop).
      if (user.maybe.get(event.eventId)?.size) return this.releaseUnsure(user, event.eventId);
      return new Promise((resolve) => setTimeout(resolve, 5));
    }
    const ticketIds: string[] = [];
    // Now and then a race on purpose: any ticket of the event, free or not.
    const candidates = this.random() < 0.15 || free.size < count ? event.ticketIds : [...free];
    while (ticketIds.length < count && ticketIds.length < candidates.length) {
      const ticketId = this.pick(candidates);
      if (!ticketIds.includes(ticketId)) ticketIds.push(ticketId);
    }
    for (const ticketId of ticketIds) free.delete(ticketId);
    const record = await this.send(user, "reserve", event.eventId, ticketIds, { ticketIds });
    if (record.status === 200) {
      const held = user.held.get(event.eventId) ?? new Set();
      user.held.set(event.eventId, held);
      for (const ticketId of ticketIds) held.add(ticketId);
    } else if (record.status === 0 || record.status >= 500) {
      const maybe = user.maybe.get(event.eventId) ?? new Set();
      user.maybe.set(event.eventId, maybe);
      for (const ticketId of ticketIds) maybe.add(ticketId);
    }
    // A 409 means someone holds them (maybe a reserve whose answer was lost): they stay out of `free`.
  }

  /**
   * Gives back tickets a reserve may have taken (its answer was lost, or a 5xx), as a client unsure of
   * its holds would: after a 200 this user holds none of them; a 403 means someone else holds some,
   * so none goes back to the free set.
   */
  private async releaseUnsure(user: UserState, eventId: string): Promise<void> {
    const maybe = user.maybe.get(eventId)!;
    const ticketIds = [...maybe].slice(0, ticketsPerRequestMax);
    const record = await this.send(user, "release", eventId, ticketIds, { ticketIds });
    if (record.status !== 200 && record.status !== 403) return;
    for (const ticketId of ticketIds) {
      maybe.delete(ticketId);
      if (record.status === 200) this.free.get(eventId)!.add(ticketId);
    }
  }

  private async release(user: UserState, eventId: string, ticketIds: string[]): Promise<void> {
    const record = await this.send(user, "release", eventId, ticketIds, { ticketIds });
    if (record.status === 200) {
      const held = user.held.get(eventId)!;
      for (const ticketId of ticketIds) {
        held.delete(ticketId);
        this.free.get(eventId)!.add(ticketId);
      }
    }
  }

  private async confirm(user: UserState, eventId: string, ticketIds: string[], key?: string): Promise<void> {
    const idempotencyKey = key ?? `load-${user.id}-${++this.keys}`;
    const record = await this.send(
      user,
      "confirm",
      eventId,
      ticketIds,
      { ticketIds, paymentDetails: { token: "tok_ok" } },
      idempotencyKey,
    );
    const held = user.held.get(eventId);
    if (record.status === 201) {
      user.pendingConfirm = null;
      for (const ticketId of ticketIds) held?.delete(ticketId);
      user.booked.set(eventId, (user.booked.get(eventId) ?? 0) + ticketIds.length);
    } else if (record.status === 0 || record.status >= 500) {
      user.pendingConfirm = { eventId, ticketIds, key: idempotencyKey };
    } else {
      // A definite refusal: the seats are not this user's to pay for any more; forget them.
      user.pendingConfirm = null;
      for (const ticketId of ticketIds) held?.delete(ticketId);
    }
  }

  private async send(
    user: UserState,
    op: Operation,
    eventId: string,
    ticketIds: string[],
    body: unknown,
    idempotencyKey?: string,
  ): Promise<OperationRecord> {
    const record: OperationRecord = {
      op,
      userId: user.id,
      eventId,
      ticketIds,
      ...(idempotencyKey ? { idempotencyKey } : {}),
      sentAt: Date.now(),
      answeredAt: 0,
      status: 0,
    };
    try {
      const answer = await this.options.request("POST", `/booking/${op}`, {
        token: user.token,
        body,
        headers: idempotencyKey ? { "idempotency-key": idempotencyKey } : {},
        timeoutMs: this.options.requestTimeoutMs ?? answerTimeoutMs,
      });
      record.status = answer.status;
      if (answer.status >= 300) {
        record.code = answer.body?.error?.code;
        const problem = contractErrorProblem(answer);
        if (problem) record.malformed = problem;
      } else if (op === "confirm" && answer.status === 201) {
        const booking = answer.body?.booking;
        record.booking = {
          id: booking?.id,
          ticketIds: booking?.ticketIds,
          paymentId: booking?.paymentId,
          amountCents: booking?.amountCents,
        };
      }
    } catch (error) {
      record.status = 0; // no answer within the timeout, the connection failed, or an answer off the spec
      record.failure = failureOf(error);
    }
    record.answeredAt = Date.now();
    this.records.push(record);
    return record;
  }
}

/** A request's failure in one line: the timeout, the connection's error, or the spec's complaint. */
export function failureOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : "";
  return `${error.name}: ${error.message}${cause}`.slice(0, 300);
}

/** Why an error answer is not the contract's `{error: {code, message, details?}}` (null when it is). */
export function contractErrorProblem(answer: JsonAnswer): string | null {
  const error = answer.body?.error;
  if (!answer.body || typeof answer.body !== "object") return `non-JSON ${answer.status} body`;
  if (!error || typeof error.code !== "string" || !/^[A-Z_]+$/.test(error.code))
    return `${answer.status} without an error code: ${JSON.stringify(answer.body).slice(0, 200)}`;
  if (typeof error.message !== "string") return `${answer.status} ${error.code} without a message`;
  if (answer.status === 500) return `500 ${error.code}: ${error.message}`;
  return null;
}

export interface ProbeRecord {
  method: string;
  path: string;
  sentAt: number;
  answeredAt: number;
  status: number;
  code?: string;
  retryAfter?: string | null;
  malformed?: string;
  /** Why a probe has status 0 (see OperationRecord.failure). */
  failure?: string;
}

/**
 * Requests sent one after another in a loop (reads, health, waiting-room joins) while a fault lasts: shows
 * what clients see (fail fast with a contract error, or keep being served).
 */
export class ProbeLoop {
  readonly records: ProbeRecord[] = [];
  private running = false;
  private loop: Promise<void> | null = null;

  constructor(
    private readonly request: LoadOptions["request"],
    private readonly probes: { method: string; path: string; token?: string; body?: unknown }[],
    private readonly options: { intervalMs?: number; requestTimeoutMs?: number } = {},
  ) {}

  start(): void {
    this.running = true;
    this.loop = (async () => {
      while (this.running) {
        for (const probe of this.probes) {
          const record: ProbeRecord = {
            method: probe.method,
            path: probe.path,
            sentAt: Date.now(),
            answeredAt: 0,
            status: 0,
          };
          try {
            const answer = await this.request(probe.method, probe.path, {
              token: probe.token,
              body: probe.body,
              timeoutMs: this.options.requestTimeoutMs ?? answerTimeoutMs,
            });
            record.status = answer.status;
            record.retryAfter = answer.headers.get("retry-after");
            if (answer.status >= 300) {
              record.code = answer.body?.error?.code;
              // Health answers have their own shape ({status, checks}); everything else is an error body.
              const problem = probe.path.startsWith("/health/") ? null : contractErrorProblem(answer);
              if (problem) record.malformed = problem;
            }
          } catch (error) {
            record.status = 0;
            record.failure = failureOf(error);
          }
          record.answeredAt = Date.now();
          this.records.push(record);
        }
        await new Promise((resolve) => setTimeout(resolve, this.options.intervalMs ?? 100));
      }
    })();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  between(from: number, to: number, path?: string): ProbeRecord[] {
    return this.records.filter(
      (record) =>
        record.sentAt >= from && record.sentAt <= to && (path === undefined || record.path === path),
    );
  }
}
