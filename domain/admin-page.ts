// Paging of the admin lists (venues, performers, an event's bookings): `limit` and an opaque `cursor`
// in the query string, validated strictly, and keyset paging in creation order. The cursor names the
// last row of a page by its creation time in microseconds (Postgres's precision) and its id, so a
// page starts exactly after it: no duplicate and no gap while rows are added, whatever the offset.
import { validationError } from "./errors.ts";
import { idPattern } from "./ids.ts";
import { adminPageDefault, adminPageMax, pageCursorLengthMax } from "./limits.ts";

export interface PageAfter {
  /** Creation time of the last row seen, microseconds since the epoch (decimal text). */
  createdAtMicros: string;
  id: string;
}

export interface AdminPage {
  limit: number;
  after: PageAfter | null;
}

/** The query parameters' schema (fastest-validator): strings only, converted by exact patterns. */
export const adminPageSchema = {
  limit: { type: "string", max: 3, pattern: /^(\d{1,3})?$/, optional: true },
  cursor: { type: "string", max: pageCursorLengthMax, optional: true },
};

const microsPattern = /^(0|[1-9][0-9]{0,17})$/;

export function encodeCursor(after: PageAfter): string {
  return Buffer.from(JSON.stringify([after.createdAtMicros, after.id]), "utf8").toString("base64url");
}

function decodeCursor(cursor: string): PageAfter {
  const refuse = () => validationError("cursor", "cursor is not one this list gave");
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(cursor)) throw refuse();
  const bytes = Buffer.from(cursor, "base64url");
  if (bytes.toString("base64url") !== cursor) throw refuse();
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString("utf8"));
  } catch {
    throw refuse();
  }
  if (
    !Array.isArray(value) ||
    value.length !== 2 ||
    typeof value[0] !== "string" ||
    typeof value[1] !== "string" ||
    !microsPattern.test(value[0]) ||
    !idPattern.test(value[1])
  )
    throw refuse();
  return { createdAtMicros: value[0], id: value[1] };
}

/** `limit` (1..adminPageMax, default adminPageDefault) and the decoded `cursor`; 400 naming the field. */
export function readAdminPage(params: { limit?: string; cursor?: string }): AdminPage {
  let limit = adminPageDefault;
  if (params.limit !== undefined && params.limit !== "") {
    limit = Number(params.limit);
    if (!/^[1-9][0-9]*$/.test(params.limit) || limit > adminPageMax)
      throw validationError("limit", `limit must be an integer from 1 to ${adminPageMax}`);
  }
  const after = params.cursor === undefined || params.cursor === "" ? null : decodeCursor(params.cursor);
  return { limit, after };
}

/** The page of `rows` (fetched with limit + 1) and the cursor of the next one, null at the end. */
export function pageOf<Row>(
  rows: Row[],
  limit: number,
  keyOf: (row: Row) => PageAfter,
): { items: Row[]; nextCursor: string | null } {
  const items = rows.slice(0, limit);
  const nextCursor = rows.length > limit ? encodeCursor(keyOf(items[items.length - 1])) : null;
  return { items, nextCursor };
}
