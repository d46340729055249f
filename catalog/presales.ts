// Presales of an event (issue 18): `POST /admin/events/:eventId/presales` creates a window with codes,
// shown this once (only their SHA-256 is kept: migrations/0351_presales.sql); `GET` lists an event's
// presales with the bookings their codes made. The event's actor decides reserves and bookings with
// a code (domain/seat-state/presale.ts); it needs no word of a new presale: the booking service reads
// a code's presale with the reserve that sends it (actors/booking/presale-code.ts), and a presale
// never changes once created.
import type { Context, ServiceSchema } from "moleculer";
import type { Runtime } from "../platform/runtime.ts";
import { transaction } from "../platform/database.ts";
import { notFound, validationError } from "../domain/errors.ts";
import { newId } from "../domain/ids.ts";
import {
  nameLengthMax,
  presaleCodeCountMax,
  presalesPerEventMax,
  presaleUsesPerCodeMax,
} from "../domain/limits.ts";
import { generatePresaleCode, hashPresaleCode, presaleCodeHint } from "../domain/presale-codes.ts";
import { findEvent } from "./catalog.repository.ts";
import { parseTime } from "./event-times.ts";
import { created } from "./reply-meta.ts";
import { eventIdSchema, idPattern, isoTimestampPattern } from "./schemas.ts";

const timestamp = { type: "string", pattern: isoTimestampPattern, format: "date-time" };

export const createPresaleSchema = {
  eventId: { type: "string", pattern: idPattern },
  name: { type: "string", min: 1, max: nameLengthMax, trim: true },
  startsAt: timestamp,
  endsAt: { ...timestamp, description: "After startsAt, and no later than the event starts" },
  codeCount: { type: "number", integer: true, min: 1, max: presaleCodeCountMax },
  usesPerCode: {
    type: "number",
    integer: true,
    min: 1,
    max: presaleUsesPerCodeMax,
    optional: true,
    description: "Bookings each code may make (default 1); each booking up to the event's per-user cap",
  },
  $$strict: true,
};

interface CreatePresale {
  eventId: string;
  name: string;
  startsAt: string;
  endsAt: string;
  codeCount: number;
  usesPerCode?: number;
}

export function presaleActions(runtime: Runtime): ServiceSchema["actions"] {
  const { db } = runtime;
  return {
    createPresale: {
      openapi: {
        summary: "Create a presale of an event: a window before onSaleAt and its codes (shown only here)",
      },
      params: createPresaleSchema,
      async handler(ctx: Context<CreatePresale, any>) {
        const presale = await createPresale(runtime, ctx.params);
        created(ctx, `/admin/events/${ctx.params.eventId}/presales`);
        return presale;
      },
    },

    /** Public: the windows of an event's presales (no codes), for its page. */
    publicPresales: {
      openapi: { summary: "An event's presale windows (the sale opens early with a code)" },
      params: eventIdSchema,
      async handler(ctx: Context<{ eventId: string }, any>) {
        if (!(await findEvent(db, ctx.params.eventId))) throw notFound("Event");
        const { rows } = await db.query(
          "SELECT name, starts_at, ends_at FROM presales WHERE event_id = $1 ORDER BY starts_at, id",
          [ctx.params.eventId],
        );
        return {
          presales: rows.map((row) => ({
            name: row.name,
            startsAt: new Date(row.starts_at).toISOString(),
            endsAt: new Date(row.ends_at).toISOString(),
          })),
        };
      },
    },

    listPresales: {
      openapi: { summary: "An event's presales and the bookings their codes made" },
      params: eventIdSchema,
      async handler(ctx: Context<{ eventId: string }, any>) {
        if (!(await findEvent(db, ctx.params.eventId))) throw notFound("Event");
        return { presales: await listPresales(runtime, ctx.params.eventId) };
      },
    },
  };
}

async function createPresale(runtime: Runtime, params: CreatePresale) {
  const startsAt = parseTime("startsAt", params.startsAt);
  const endsAt = parseTime("endsAt", params.endsAt);
  if (endsAt.getTime() <= startsAt.getTime())
    throw validationError("endsAt", "endsAt must be after startsAt");
  const usesPerCode = params.usesPerCode ?? 1;
  const codes = new Set<string>();
  while (codes.size < params.codeCount) codes.add(generatePresaleCode());
  const id = newId("ps");
  await transaction(runtime.db, async (client) => {
    // The event's row locked: two creations at once count each other's presales.
    const event = await findEvent(client, params.eventId, { forUpdate: true });
    if (!event) throw notFound("Event");
    if (endsAt.getTime() > new Date(event.startsAt).getTime())
      throw validationError("endsAt", "endsAt must not be after the event starts");
    const { rows } = await client.query("SELECT count(*)::int AS n FROM presales WHERE event_id = $1", [
      params.eventId,
    ]);
    if (rows[0].n >= presalesPerEventMax)
      throw validationError("eventId", `An event has at most ${presalesPerEventMax} presales`);
    await client.query(
      `INSERT INTO presales (id, event_id, name, starts_at, ends_at, uses_per_code) VALUES ($1, $2, $3, $4, $5, $6)`,
      [id, params.eventId, params.name, startsAt, endsAt, usesPerCode],
    );
    const list = [...codes];
    await client.query(
      `INSERT INTO presale_codes (code_hash, id, presale_id, event_id, hint)
       SELECT x.code_hash, x.id, $1, $2, x.hint FROM unnest($3::text[], $4::text[], $5::text[]) AS x(code_hash, id, hint)`,
      [id, params.eventId, list.map(hashPresaleCode), list.map(() => newId("pc")), list.map(presaleCodeHint)],
    );
  });
  return {
    id,
    name: params.name,
    startsAt: startsAt.toISOString(),
    endsAt: endsAt.toISOString(),
    usesPerCode,
    codes: [...codes],
  };
}

/** Each presale with its codes' bookings: totals, and the codes that booked (most used first). */
async function listPresales(runtime: Runtime, eventId: string) {
  const { rows } = await runtime.db.query(
    `SELECT p.id, p.name, p.starts_at, p.ends_at, p.uses_per_code,
            (SELECT count(*) FROM presale_codes c WHERE c.presale_id = p.id)::int AS code_count,
            coalesce(u.hints, '{}') AS hints, coalesce(u.uses, '{}') AS uses
     FROM presales p
     LEFT JOIN LATERAL (
       SELECT array_agg(hint ORDER BY n DESC, hint) AS hints, array_agg(n ORDER BY n DESC, hint) AS uses
       FROM (SELECT c.hint, count(*)::int AS n FROM presale_uses x JOIN presale_codes c ON c.id = x.code_id
             WHERE x.event_id = p.event_id AND c.presale_id = p.id GROUP BY c.id, c.hint) used) u ON true
     WHERE p.event_id = $1 ORDER BY p.created_at, p.id`,
    [eventId],
  );
  return rows.map((row) => {
    const uses = row.uses as number[];
    return {
      id: row.id,
      name: row.name,
      startsAt: new Date(row.starts_at).toISOString(),
      endsAt: new Date(row.ends_at).toISOString(),
      usesPerCode: row.uses_per_code,
      codeCount: row.code_count,
      bookings: uses.reduce((sum, n) => sum + n, 0),
      codesUsedUp: uses.filter((n) => n >= row.uses_per_code).length,
      codesUsed: (row.hints as string[]).map((hint, index) => ({ hint, uses: uses[index] })),
    };
  });
}

/**
 * When an event's waiting room starts admitting: its onSaleAt, or the start of its first presale if
 * earlier (a code needs an admission too: domain/seat-state/admission.ts applies to presale holds).
 */
export async function admitsFrom(
  db: Runtime["db"],
  event: { id: string; onSaleAt: string },
): Promise<string> {
  const { rows } = await db.query("SELECT min(starts_at) AS first FROM presales WHERE event_id = $1", [
    event.id,
  ]);
  const first = rows[0]?.first as Date | null;
  return first && first.getTime() < Date.parse(event.onSaleAt) ? first.toISOString() : event.onSaleAt;
}
