// Per-client caps on live connections (domain/limits.ts): how many Socket.IO connections and SSE
// streams one client holds on this node, and how many Socket.IO handshakes it starts per second. The
// client is a key from gateway/client-key.ts (user, else address). Counted in memory per node: the
// caps protect this node's own bounds, and a handshake costs no Redis round trip.
import type { Clock } from "../../domain/clock.ts";
import { MarqueeError } from "../../domain/errors.ts";
import { clientConnectionsRetryAfterSeconds, socketHandshakeClientsTrackedMax } from "../../domain/limits.ts";
import { MemoryWindowCounter, waitUntilFitsMs } from "../rate-limit.ts";

/** One connection's place in its client's count; released once, whatever calls release. */
export interface ClientSlot {
  readonly client: string;
  /** Counts the connection against another client instead (a socket that signed in); false when that one is full. */
  moveTo(client: string): boolean;
  release(): void;
}

/** Connections held per client, at most `perClientMax` each; a client without any has no entry. */
export class ClientSlots {
  private readonly held = new Map<string, number>();

  constructor(readonly perClientMax: number) {
    if (!(perClientMax >= 1)) throw new Error("perClientMax must be >= 1");
  }

  /** Connections `client` holds now. */
  count(client: string): number {
    return this.held.get(client) ?? 0;
  }

  /** Clients holding at least one connection. */
  get clientCount(): number {
    return this.held.size;
  }

  /** A slot of `client`; null when it holds `perClientMax` already. */
  take(client: string): ClientSlot | null {
    if (!this.add(client)) return null;
    let current = client;
    let released = false;
    return {
      get client() {
        return current;
      },
      moveTo: (next) => {
        if (released || next === current) return !released;
        if (!this.add(next)) return false;
        this.remove(current);
        current = next;
        return true;
      },
      release: () => {
        if (released) return;
        released = true;
        this.remove(current);
      },
    };
  }

  private add(client: string): boolean {
    const count = this.count(client);
    if (count >= this.perClientMax) return false;
    this.held.set(client, count + 1);
    return true;
  }

  private remove(client: string): void {
    const count = this.count(client);
    if (count <= 1) this.held.delete(client);
    else this.held.set(client, count - 1);
  }
}

const secondMs = 1_000;

/** Handshakes per client over a sliding second (the rate limit's two-window estimate, in memory). */
export class HandshakeRate {
  private readonly counter: MemoryWindowCounter;

  constructor(
    readonly perSecond: number,
    private readonly clock: Clock,
    clientsMax = socketHandshakeClientsTrackedMax,
  ) {
    if (!(perSecond >= 1)) throw new Error("perSecond must be >= 1");
    this.counter = new MemoryWindowCounter(secondMs, clientsMax);
  }

  /** Counts one handshake of `client` if it fits; else the whole seconds until one would (>= 1). */
  hit(client: string): number {
    const now = this.clock.now();
    const counts = this.counter.hit(client, now, this.perSecond);
    if (counts.fits) return 0;
    const elapsedMs = now - Math.floor(now / secondMs) * secondMs;
    return Math.max(1, Math.ceil(waitUntilFitsMs(counts, elapsedMs, secondMs, this.perSecond) / secondMs));
  }
}

/** 429 for a client holding all its slots (`what`: "live connections", "update streams"). */
export const tooManyConnections = (what: string, limit: number): MarqueeError =>
  new MarqueeError(
    "RATE_LIMITED",
    `Too many ${what} from this client; close one or retry later`,
    { limit },
    clientConnectionsRetryAfterSeconds,
  );

/** 429 for a client starting handshakes faster than its rate. */
export const tooManyHandshakes = (perSecond: number, retryAfterSeconds: number): MarqueeError =>
  new MarqueeError(
    "RATE_LIMITED",
    "Too many connection attempts from this client, retry later",
    { limit: perSecond, windowMs: secondMs },
    retryAfterSeconds,
  );
