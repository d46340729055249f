-- Webhook signing secrets are stored sealed (AES-256-GCM under WEBHOOK_SEALING_SECRET, bound to the
-- webhook id: webhooks/secret-sealing.ts), so a dump or a backup holds none in the clear. The key is
-- the server's, not the database's, so this migration cannot seal the existing ones: a dispatcher
-- seals each row it finds still in the clear, and `secret` is emptied as it does. Exactly one of the
-- two is set.
ALTER TABLE webhooks ALTER COLUMN secret DROP NOT NULL;
ALTER TABLE webhooks ADD COLUMN sealed_secret text;
ALTER TABLE webhooks ADD CONSTRAINT webhooks_one_secret CHECK (num_nonnulls(secret, sealed_secret) = 1);
