-- Waiting-room admissions that have taken a hold (domain/seat-state/admission.ts), per event. A token
-- is named by its user and expiry (tokens are deterministic). Once its user holds no seats any more,
-- a used admission is spent: the event's actor refuses it, also after a restart or a failover, since
-- the actor writes these rows in its group commit (with the hold they came with) and loads them at
-- activation. Rows of expired tokens are deleted (a reserve with an expired token is refused anyway).
-- The key leads with the expiry after the event, so deleting the expired ones is a range of it.
CREATE TABLE used_admissions (
  event_id      text   NOT NULL,
  expires_at_ms bigint NOT NULL,
  user_id       text   NOT NULL,
  PRIMARY KEY (event_id, expires_at_ms, user_id)
);
