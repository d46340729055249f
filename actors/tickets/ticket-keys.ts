// Each event's Ed25519 key pair for e-ticket codes. Made on first need, by whichever node needs it
// first (INSERT ... ON CONFLICT DO NOTHING, then read back: racing nodes agree on one pair). The
// private seed is stored sealed (platform/sealing.ts) under the server's ticket-key secret, bound to
// the event id, so a database dump alone signs nothing and a sealed seed copied to another event does
// not open. Unsealed keys are kept in memory, bounded.
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from "node:crypto";
import type { Database } from "../../platform/database.ts";
import { seal, sealingKey, unseal } from "../../platform/sealing.ts";
import { notFound } from "../../domain/errors.ts";
import { ticketKeysCachedMax } from "../../domain/limits.ts";

export interface EventTicketKeys {
  eventId: string;
  /** Raw 32-byte public key, base64url (the JWK's `x`). */
  publicKey: string;
  publicKeyObject: KeyObject;
  privateKeyObject: KeyObject;
}

export interface TicketKeyStore {
  /** The event's key pair, made if it has none yet; NOT_FOUND for an unknown event. */
  keysOf(eventId: string): Promise<EventTicketKeys>;
  /** The event's public key if it has a pair; null otherwise (a code of such an event is forged). */
  publicKeyOf(eventId: string): Promise<KeyObject | null>;
}

const sealInfo = "marquee/ticket-keys/v1";

export const ticketSealingKey = (secret: string): Buffer => sealingKey(secret, sealInfo);

const publicKeyObject = (x: string) =>
  createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x }, format: "jwk" });

function keysFromRow(key: Buffer, row: { event_id: string; public_key: string; sealed_seed: string }) {
  const d = unseal(key, row.event_id, row.sealed_seed).toString("base64url");
  const x = row.public_key;
  return {
    eventId: row.event_id,
    publicKey: x,
    publicKeyObject: publicKeyObject(x),
    privateKeyObject: createPrivateKey({ key: { kty: "OKP", crv: "Ed25519", d, x }, format: "jwk" }),
  };
}

export function createTicketKeyStore(db: Database, secret: string): TicketKeyStore {
  const key = ticketSealingKey(secret);
  const cache = new Map<string, EventTicketKeys>();
  const remember = (keys: EventTicketKeys) => {
    cache.delete(keys.eventId);
    cache.set(keys.eventId, keys);
    if (cache.size > ticketKeysCachedMax) cache.delete(cache.keys().next().value!);
    return keys;
  };
  const cached = (eventId: string) => {
    const keys = cache.get(eventId);
    if (keys) remember(keys); // most recently used last
    return keys;
  };
  const read = async (eventId: string) => {
    const { rows } = await db.query("SELECT * FROM event_ticket_keys WHERE event_id = $1", [eventId]);
    return rows[0] ? remember(keysFromRow(key, rows[0])) : null;
  };

  return {
    async keysOf(eventId) {
      const known = cached(eventId) ?? (await read(eventId));
      if (known) return known;
      const pair = generateKeyPairSync("ed25519");
      const jwk = pair.privateKey.export({ format: "jwk" });
      await db.query(
        `INSERT INTO event_ticket_keys (event_id, public_key, sealed_seed)
         SELECT id, $2, $3 FROM events WHERE id = $1 ON CONFLICT (event_id) DO NOTHING`,
        [eventId, jwk.x, seal(key, eventId, Buffer.from(jwk.d!, "base64url"))],
      );
      const stored = await read(eventId); // ours, or the pair a racing node stored first
      if (!stored) throw notFound("Event");
      return stored;
    },
    async publicKeyOf(eventId) {
      return (cached(eventId) ?? (await read(eventId)))?.publicKeyObject ?? null;
    },
  };
}
