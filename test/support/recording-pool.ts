// A pool that records every statement it sends (text and values), pool.query and checked-out clients
// alike: tests that look at what the real code sends (how many transactions a confirm takes, which
// partitions each statement's plan touches); relationsOf reads the tables out of such a plan.
import { createPool, type Database } from "../../platform/database.ts";

export interface RecordedStatement {
  text: string;
  values: unknown[] | undefined;
}

export interface RecordingPool {
  db: Database;
  statements: RecordedStatement[];
  /** The first word of each statement recorded (BEGIN, INSERT, ...). */
  words(): string[];
}

export function recordingPool(databaseUrl: string, max = 4): RecordingPool {
  const pool = createPool(databaseUrl, { max });
  const statements: RecordedStatement[] = [];
  const recorded = <T extends object>(target: T): T =>
    new Proxy(target, {
      get(object, property, receiver) {
        if (property === "query")
          return (query: any, values?: any) => {
            const text = typeof query === "string" ? query : String((query as { text?: string }).text);
            statements.push({ text, values: values ?? (query as { values?: unknown[] }).values });
            return (object as any).query(query, values);
          };
        if (property === "connect") return async () => recorded(await (object as any).connect());
        const value = Reflect.get(object, property, receiver);
        return typeof value === "function" ? value.bind(object) : value;
      },
    });
  return {
    db: recorded(pool),
    statements,
    words: () => statements.map((statement) => statement.text.trim().split(/\s+/)[0]),
  };
}

/** Every "Relation Name" of a JSON plan (scans and modify targets, CTEs and subplans included). */
export function relationsOf(node: unknown, into: string[] = []): string[] {
  if (Array.isArray(node)) for (const item of node) relationsOf(item, into);
  else if (node && typeof node === "object")
    for (const [key, value] of Object.entries(node)) {
      if (key === "Relation Name" && typeof value === "string") into.push(value);
      else relationsOf(value, into);
    }
  return into;
}
