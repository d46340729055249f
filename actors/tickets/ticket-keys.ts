// Each event's Ed25519 key pair for e-ticket codes. Made on first need, by whichever node needs it
// first (INSERT ... ON CONFLICT DO NOTHING, then read back: racing nodes agree on one pair). The
// private seed is stored sealed with AES-256-GCM under a key derived (HKDF-SHA256) from the server's
// ticket-key secret, the event id bound as associated data, so a database dump alone signs nothing
// and a sealed seed copied to another event does not open. Unsealed keys are kept in memory, bounded.
import {
  createCipheriv,
  createDecipheriv,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  hkdfSync,
  randomBytes,
  type KeyObject,
} from "node:crypto";
import type { Database } from "../../platform/database.ts";
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

export function sealingKey(secret: string): Buffer {
  return Buffer.from(hkdfSync("sha256", secret, "marquee", sealInfo, 32));
}

export function sealSeed(key: Buffer, eventId: string, seed: Buffer): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(Buffer.from(eventId, "utf8"));
  const sealed = Buffer.concat([cipher.update(seed), cipher.final()]);
  return [iv, sealed, cipher.getAuthTag()].map((part) => part.toString("base64url")).join(".");
}

export function unsealSeed(key: Buffer, eventId: string, text: string): Buffer {
  const [iv, sealed, tag] = text.split(".").map((part) => Buffer.from(part, "base64url"));
  const decipher = createDecipheriv("aes-256-gcm", key, iv);
  decipher.setAAD(Buffer.from(eventId, "utf8"));
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(sealed), decipher.final()]);
}

const publicKeyObject = (x: string) =>
  createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x }, format: "jwk" });

function keysFromRow(key: Buffer, row: { event_id: string; public_key: string; sealed_seed: string }) {
  const d = unsealSeed(key, row.event_id, row.sealed_seed).toString("base64url");
  const x = row.public_key;
  return {
    eventId: row.event_id,
    publicKey: x,
    publicKeyObject: publicKeyObject(x),
    privateKeyObject: createPrivateKey({ key: { kty: "OKP", crv: "Ed25519", d, x }, format: "jwk" }),
  };
}

export function createTicketKeyStore(db: Database, secret: string): TicketKeyStore {
  const key = sealingKey(secret);
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
        [eventId, jwk.x, sealSeed(key, eventId, Buffer.from(jwk.d!, "base64url"))],
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
