// A pg pool with a fault switch, for crash and failure injection in the actors' persistence: it counts
// every statement sent (pool.query and the statements of checked-out clients: BEGIN, the fence, the
// writes, COMMIT, ROLLBACK) and, when armed, fails the n-th one from now either before it is sent or
// after it ran (after COMMIT = committed, but the caller never hears it).
// - "crash": the process is gone at that point: the statement (and every later one) fails, the
//   connections are cut (the server rolls back what was not committed) and nothing is answered;
// - "transient": that one statement fails as a lost connection would, the caller carries on.
// The actors take their Database as a constructor argument (ActorHost options.db): that is the seam,
// no hook in the production code is needed.
import type pg from "pg";
import { createPool, type Database } from "../../platform/database.ts";

export type FaultKind = "crash" | "transient";
export type FaultWhen = "before" | "after";

export interface FaultPlan {
  kind: FaultKind;
  when: FaultWhen;
  /** 1 = the next statement. */
  statement: number;
}

export interface FiredFault extends FaultPlan {
  /** The statement's first words (e.g. "COMMIT", "WITH fence AS", "UPDATE event_actors"). */
  text: string;
}

export class CrashError extends Error {
  override name = "CrashError";
  readonly code = "ECONNRESET";
}

export interface FaultyDatabase {
  db: Database;
  /** Statements sent since the pool was made. */
  readonly statements: number;
  readonly crashed: boolean;
  arm(plan: FaultPlan): void;
  /** Takes the plan back; returns the fault that fired since `arm` (null if none). */
  disarm(): FiredFault | null;
  /** Called once when a crash fires (the owner abandons its host). */
  onCrash(listener: () => void): void;
  end(): Promise<void>;
}

const firstWords = (text: string) => text.trim().replace(/\s+/g, " ").split(" ").slice(0, 3).join(" ");

export function createFaultyDatabase(databaseUrl: string, max = 3): FaultyDatabase {
  const pool = createPool(databaseUrl, { max, applicationName: "marquee-simulation" });
  const checkedOut = new Set<pg.PoolClient>();
  let statements = 0;
  let plan: { plan: FaultPlan; at: number } | null = null;
  let fired: FiredFault | null = null;
  let crashed = false;
  let crashListener: (() => void) | null = null;

  function crash(): void {
    if (crashed) return;
    crashed = true;
    // The connections die with the process: the server rolls back any open transaction.
    for (const client of checkedOut) (client as any).connection?.stream?.destroy();
    crashListener?.();
  }

  /** Runs one statement through the fault switch. */
  async function guarded<T>(text: string, run: () => Promise<T>): Promise<T> {
    if (crashed) throw new CrashError("the process has crashed");
    statements++;
    const due = plan !== null && statements === plan.at ? plan.plan : null;
    if (due) {
      plan = null;
      fired = { ...due, text: firstWords(text) };
    }
    if (due?.when === "before") {
      if (due.kind === "crash") crash();
      throw new CrashError(`injected ${due.kind} before ${firstWords(text)}`);
    }
    const result = await run();
    if (due?.when === "after") {
      if (due.kind === "crash") crash();
      throw new CrashError(`injected ${due.kind} after ${firstWords(text)}`);
    }
    if (crashed) throw new CrashError("the process has crashed");
    return result;
  }

  const textOf = (query: unknown): string =>
    typeof query === "string" ? query : String((query as { text?: string })?.text ?? "");

  function wrapClient(client: pg.PoolClient): pg.PoolClient {
    checkedOut.add(client);
    return new Proxy(client, {
      get(target, property, receiver) {
        if (property === "query")
          return (query: any, values?: any) => guarded(textOf(query), () => target.query(query, values));
        if (property === "release")
          return (error?: Error | boolean) => {
            checkedOut.delete(client);
            // A crashed process releases nothing; the pool drops the dead connection itself.
            target.release(crashed ? true : error);
          };
        const value = Reflect.get(target, property, receiver);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
  }

  const db = new Proxy(pool, {
    get(target, property, receiver) {
      if (property === "query")
        return (query: any, values?: any) => guarded(textOf(query), () => target.query(query, values));
      if (property === "connect")
        return async () => {
          if (crashed) throw new CrashError("the process has crashed");
          return wrapClient(await target.connect());
        };
      const value = Reflect.get(target, property, receiver);
      return typeof value === "function" ? value.bind(target) : value;
    },
  }) as Database;

  return {
    db,
    get statements() {
      return statements;
    },
    get crashed() {
      return crashed;
    },
    arm(next) {
      fired = null;
      plan = { plan: next, at: statements + next.statement };
    },
    disarm() {
      plan = null;
      const result = fired;
      fired = null;
      return result;
    },
    onCrash(listener) {
      crashListener = listener;
    },
    async end() {
      await pool.end();
    },
  };
}
