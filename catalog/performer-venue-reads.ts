// Admin reads of performers and venues: one by id, or a list in creation order with `limit` and an
// opaque `cursor` (domain/admin-page.ts).
import type { Context, ServiceSchema } from "moleculer";
import type { Database } from "../platform/database.ts";
import { adminPageSchema, pageOf, readAdminPage } from "../domain/admin-page.ts";
import { notFound } from "../domain/errors.ts";
import { performerRecord, venueRecord } from "./catalog.repository.ts";

type PageParams = { limit?: string; cursor?: string };

/** Creation time in microseconds as exact text: the cursor's key, at Postgres's precision. */
export const createdMicros = "(extract(epoch FROM created_at) * 1000000)::bigint::text AS created_micros";
/** The keyset condition after a cursor: `$2` microseconds, `$3` id. */
export const afterCursor =
  "(created_at, id) > ('epoch'::timestamptz + $2::bigint * interval '1 microsecond', $3)";

async function listPage(db: Database, table: "venues" | "performers", params: PageParams) {
  const { limit, after } = readAdminPage(params);
  const { rows } = await db.query(
    `SELECT *, ${createdMicros} FROM ${table}
     WHERE $4::boolean OR ${afterCursor}
     ORDER BY created_at, id LIMIT $1`,
    [limit + 1, after?.createdAtMicros ?? "0", after?.id ?? "", after === null],
  );
  return pageOf(rows, limit, (row: any) => ({ createdAtMicros: row.created_micros, id: row.id }));
}

async function findOne(db: Database, table: "venues" | "performers", id: string) {
  const { rows } = await db.query(`SELECT * FROM ${table} WHERE id = $1`, [id]);
  return rows[0] ?? null;
}

const idSchema = { type: "string", min: 1, max: 200 };

export function performerVenueReads(db: Database): ServiceSchema["actions"] {
  return {
    listVenues: {
      openapi: { summary: "Venues in creation order, a page at a time" },
      params: { ...adminPageSchema, $$strict: true },
      async handler(ctx: Context<PageParams>) {
        const page = await listPage(db, "venues", ctx.params);
        return { venues: page.items.map(venueRecord), nextCursor: page.nextCursor };
      },
    },
    getVenue: {
      openapi: { summary: "One venue" },
      params: { id: idSchema, $$strict: true },
      async handler(ctx: Context<{ id: string }>) {
        const row = await findOne(db, "venues", ctx.params.id);
        if (!row) throw notFound("Venue");
        return venueRecord(row);
      },
    },
    listPerformers: {
      openapi: { summary: "Performers in creation order, a page at a time" },
      params: { ...adminPageSchema, $$strict: true },
      async handler(ctx: Context<PageParams>) {
        const page = await listPage(db, "performers", ctx.params);
        return { performers: page.items.map(performerRecord), nextCursor: page.nextCursor };
      },
    },
    getPerformer: {
      openapi: { summary: "One performer" },
      params: { id: idSchema, $$strict: true },
      async handler(ctx: Context<{ id: string }>) {
        const row = await findOne(db, "performers", ctx.params.id);
        if (!row) throw notFound("Performer");
        return performerRecord(row);
      },
    },
  };
}
