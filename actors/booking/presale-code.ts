// The X-Presale-Code of a reserve: looked up by its hash (one indexed read) and handed to the event's
// actor as a PresaleGrant with the command. Only what never changes is read here (which presale, its
// window, its uses per code); whether the window is open now, the code's uses and holds are decided
// by the actor (domain/seat-state/presale.ts). A code that is not one of ours, or is another event's,
// is refused here: a guess never reaches the actor. Codes found are remembered (a presale never
// changes), so a presale rush reads each code once per node; codes not found are not (no memory for
// guesses).
import type { Database } from "../../platform/database.ts";
import { MarqueeError } from "../../domain/errors.ts";
import { hashPresaleCode, normalizePresaleCode } from "../../domain/presale-codes.ts";
import { presaleGrantsCachedMax } from "../../domain/limits.ts";
import type { PresaleGrant } from "../../domain/seat-state/decision.ts";

/** By event and code hash; the Map's order is the eviction order (least recently found first). */
const found = new Map<string, PresaleGrant>();

function remember(key: string, grant: PresaleGrant): void {
  found.delete(key);
  if (found.size >= presaleGrantsCachedMax) found.delete(found.keys().next().value as string);
  found.set(key, grant);
}

const unknownCode = () =>
  new MarqueeError("PRESALE_CODE_INVALID", "This presale code is not valid for this event", {
    reason: "unknown",
  });

export async function findPresaleGrant(db: Database, eventId: string, header: string): Promise<PresaleGrant> {
  const code = normalizePresaleCode(header);
  if (code === null) throw unknownCode();
  const hash = hashPresaleCode(code);
  const key = `${eventId} ${hash}`;
  const known = found.get(key);
  if (known) {
    remember(key, known);
    return { ...known };
  }
  const { rows } = await db.query(
    `SELECT c.id, p.uses_per_code, (extract(epoch FROM p.starts_at) * 1000)::float8 AS starts_ms,
            (extract(epoch FROM p.ends_at) * 1000)::float8 AS ends_ms
     FROM presale_codes c JOIN presales p ON p.id = c.presale_id
     WHERE c.code_hash = $1 AND c.event_id = $2`,
    [hash, eventId],
  );
  const row = rows[0];
  if (!row) throw unknownCode();
  const grant: PresaleGrant = {
    codeId: row.id,
    startsAtMs: Math.round(row.starts_ms),
    endsAtMs: Math.round(row.ends_ms),
    usesPerCode: row.uses_per_code,
  };
  remember(key, grant);
  return { ...grant };
}
