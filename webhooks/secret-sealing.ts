// Receivers' signing secrets are needed in the clear to sign each delivery, so they cannot be hashed:
// they are stored sealed (platform/sealing.ts) under WEBHOOK_SEALING_SECRET, bound to the webhook id,
// so a database dump or backup holds no usable secret. Rows written before sealing existed (migration
// 0370) keep theirs in `secret` until a dispatcher reads them and seals them.
import type { Database } from "../platform/database.ts";
import type { Receiver, StoredReceiver } from "./deliveries.repository.ts";
import { seal, sealingKey, unseal } from "../platform/sealing.ts";

export interface SecretSealer {
  seal(webhookId: string, secret: string): string;
  /** The secret; throws when it was sealed under another WEBHOOK_SEALING_SECRET (or altered). */
  open(webhookId: string, sealed: string): string;
}

export function createSecretSealer(sealingSecret: string): SecretSealer {
  const key = sealingKey(sealingSecret, "marquee/webhook-secrets/v1");
  return {
    seal: (webhookId, secret) => seal(key, webhookId, Buffer.from(secret, "utf8")),
    open: (webhookId, sealed) => unseal(key, webhookId, sealed).toString("utf8"),
  };
}

/**
 * The receivers with their secrets opened. A secret still in the clear is sealed on the way (racing
 * nodes agree: only the row still holding it changes). One that does not open (sealed under another
 * WEBHOOK_SEALING_SECRET) is left out, with `unopened` told: its deliveries wait, none is signed wrong.
 */
export async function openReceivers(
  db: Database,
  sealer: SecretSealer,
  stored: StoredReceiver[],
  unopened: (webhookId: string, error: unknown) => void,
): Promise<Receiver[]> {
  const receivers: Receiver[] = [];
  for (const { id, url, secret, sealed_secret } of stored) {
    if (secret !== null) {
      await db.query("UPDATE webhooks SET sealed_secret = $2, secret = NULL WHERE id = $1 AND secret = $3", [
        id,
        sealer.seal(id, secret),
        secret,
      ]);
      receivers.push({ id, url, secret });
      continue;
    }
    try {
      receivers.push({ id, url, secret: sealer.open(id, sealed_secret!) });
    } catch (error) {
      unopened(id, error);
    }
  }
  return receivers;
}
