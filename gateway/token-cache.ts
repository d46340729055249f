// Bearer tokens already verified, by their exact text: a client sends the same token with every
// request, and verifying an HS256 signature (jose, WebCrypto) costs more CPU than the rest of a
// request's gateway path together. Only a token that passed verification is kept, with its user and
// `exp`; a hit past `exp` is dropped and verified again (and refused as expired), so the cache never
// accepts what verification would refuse, save a key rotated out of the identity provider's set,
// which it honours within `ttlMs`. Bounded: the least recently used token goes first.
import type { User } from "../domain/request.ts";

interface Entry {
  user: User;
  /** The token's `exp` (seconds since the epoch). */
  expiresAtSeconds: number;
  /** When this entry must be verified again whatever its `exp` (ms since the epoch). */
  cachedUntilMs: number;
}

export class VerifiedTokenCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly entriesMax: number,
    private readonly ttlMs: number,
  ) {
    if (!(entriesMax >= 1) || !(ttlMs >= 1)) throw new Error("token cache bounds must be positive");
  }

  get size(): number {
    return this.entries.size;
  }

  /** The user of a token verified before, while it is still valid at `nowMs`; else undefined. */
  get(token: string, nowMs: number): User | undefined {
    const entry = this.entries.get(token);
    if (entry === undefined) return undefined;
    this.entries.delete(token);
    // jose's rule: a token is expired once the current second reaches `exp`.
    if (Math.floor(nowMs / 1_000) >= entry.expiresAtSeconds || nowMs >= entry.cachedUntilMs) return undefined;
    this.entries.set(token, entry); // most recently used: last in the Map's order
    return { ...entry.user }; // a copy: a request that changes its user changes no other's
  }

  /** Keeps a token that just passed verification at `nowMs`. */
  set(token: string, user: User, expiresAtSeconds: number, nowMs: number): void {
    this.entries.delete(token);
    this.entries.set(token, { user, expiresAtSeconds, cachedUntilMs: nowMs + this.ttlMs });
    if (this.entries.size > this.entriesMax) this.entries.delete(this.entries.keys().next().value!);
  }
}
