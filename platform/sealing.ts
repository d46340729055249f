// Secrets Marquee must keep at rest and use again (e-ticket signing keys, webhook signing secrets) are
// stored sealed: AES-256-GCM under a key derived (HKDF-SHA256) from a server secret, with what the
// value belongs to (an event id, a webhook id) bound as associated data, so a database dump alone
// opens nothing and a sealed value copied to another row does not open. Text form:
// `<iv>.<ciphertext>.<tag>`, each base64url.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";

/** A 32-byte sealing key for one purpose (`info`, e.g. "marquee/ticket-keys/v1") from a server secret. */
export function sealingKey(secret: string, info: string): Buffer {
  return Buffer.from(hkdfSync("sha256", secret, "marquee", info, 32));
}

export function seal(key: Buffer, boundTo: string, plain: Buffer): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(Buffer.from(boundTo, "utf8"));
  const sealed = Buffer.concat([cipher.update(plain), cipher.final()]);
  return [iv, sealed, cipher.getAuthTag()].map((part) => part.toString("base64url")).join(".");
}

/** The plain value; throws when the key, the binding or the text is not the one it was sealed with. */
export function unseal(key: Buffer, boundTo: string, text: string): Buffer {
  const [iv, sealed, tag] = text.split(".").map((part) => Buffer.from(part, "base64url"));
  const decipher = createDecipheriv("aes-256-gcm", key, iv);
  decipher.setAAD(Buffer.from(boundTo, "utf8"));
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(sealed), decipher.final()]);
}
