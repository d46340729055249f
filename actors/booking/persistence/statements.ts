// The statements of one fenced transaction: each writer sends its own, this counts them (the turn's
// commit stats) and checks the rows each one must affect.
import type pg from "pg";
import { InternalFault } from "../../../domain/errors.ts";

/** A write affected fewer rows than the effects demand: state and database disagree. */
export const commitMismatch = (message: string): InternalFault =>
  new InternalFault("COMMIT_MISMATCH", message);

/** Sends one statement; with `expectedRows`, anything else than that many rows is a COMMIT_MISMATCH. */
export type Run = (text: string, values: unknown[], expectedRows?: number) => Promise<void>;

/** Sends one statement and gives its rows (a RETURNING the writer reads). */
export type Query = (text: string, values: unknown[]) => Promise<any[]>;

export interface Written {
  rows: number;
  statements: number;
}

export function statementRunner(client: pg.PoolClient): { run: Run; query: Query; written: Written } {
  const written: Written = { rows: 0, statements: 0 };
  const run: Run = async (text, values, expectedRows) => {
    const result = await client.query(text, values);
    written.statements++;
    written.rows += result.rowCount ?? 0;
    if (expectedRows !== undefined && result.rowCount !== expectedRows)
      throw commitMismatch(`expected ${expectedRows} rows, wrote ${result.rowCount}: ${text.slice(0, 60)}`);
  };
  const query: Query = async (text, values) => {
    const result = await client.query(text, values);
    written.statements++;
    written.rows += result.rowCount ?? 0;
    return result.rows;
  };
  return { run, query, written };
}
