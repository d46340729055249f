// What every fuzz answer is checked against: no 5xx at all, a contract error body with a catalogue
// code for every refusal, nothing of our internals in it, a refused request writes nothing (the
// database's fingerprint), and no actor worker crashed on the way (the crash counter).
import type { Database } from "../../../platform/database.ts";
import { contractErrorProblem, internals } from "../contract.ts";
import type { FuzzAnswer, FuzzRequest } from "./http.ts";

/** Statuses after which a refused request may have written: a decision taken after the money moved. */
export const decidedAfterWriting = new Set(["PAYMENT_DECLINED", "PAYMENT_REFUNDED"]);

/** The catalogue code of a contract error answer (null for a 2xx or a body that is not one). */
export const errorCodeOf = (answer: FuzzAnswer): string | null =>
  (answer.body as { error?: { code?: unknown } } | null)?.error?.code?.toString() ?? null;

/**
 * Why an answer breaks the contract, or null: any 5xx, a non-2xx that is not a contract error with
 * the catalogue's status for its code, or an answer that reveals internals the request did not carry.
 */
export function answerProblem(request: FuzzRequest, answer: FuzzAnswer): string | null {
  if (answer.status >= 500) return `${answer.status}: ${answer.text.slice(0, 300)}`;
  if ((answer.status >= 200 && answer.status < 300) || answer.status === 304) return null;
  const problem = contractErrorProblem(answer.status, answer.body);
  if (problem) return problem;
  const sent = `${request.path} ${JSON.stringify(request.headers)} ${request.body?.toString() ?? ""}`;
  const leak = internals.exec(answer.text);
  if (leak && !sent.toLowerCase().includes(leak[0].toLowerCase()))
    return `the answer reveals "${leak[0]}": ${answer.text.slice(0, 300)}`;
  return null;
}

/** Whether the fingerprint must be compared: a refusal decided before anything was written. */
export const isRefusal = (answer: FuzzAnswer): boolean =>
  answer.status >= 400 && !decidedAfterWriting.has(errorCodeOf(answer) ?? "");

const fingerprintQueries = new WeakMap<Database, Promise<string>>();

/**
 * Row counts, versions, statuses and last updates of every table but bookkeeping that runs on its own:
 * the actors' fencing rows (an actor activated by a refused reserve takes an epoch) and the search
 * index with its change feed (the indexer drains the outbox of earlier writes in the background; a
 * write to the outbox itself shows in the catalog tables whose triggers make it).
 */
export async function databaseFingerprint(db: Database): Promise<string> {
  let query = fingerprintQueries.get(db);
  if (!query) {
    query = db
      .query(
        `SELECT c.table_name, array_agg(c.column_name::text) AS columns
         FROM information_schema.columns c JOIN information_schema.tables t
           ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'
         JOIN pg_class r ON r.oid = format('public.%I', c.table_name)::regclass
         WHERE c.table_schema = 'public' AND c.table_name <> 'event_actors' AND c.table_name NOT LIKE 'search\\_%'
           AND NOT r.relispartition -- a partitioned table's rows are counted once, through it
         GROUP BY c.table_name ORDER BY c.table_name`,
      )
      .then(({ rows }) =>
        rows
          .map(({ table_name: table, columns }: { table_name: string; columns: string[] }) => {
            // One scan a table (a partitioned one is planned over all its partitions each time).
            const status = columns.includes("status");
            const per = [
              "count(*) AS n",
              columns.includes("version") ? "sum(version) AS v" : "NULL::numeric AS v",
              columns.includes("updated_at") ? "max(updated_at) AS u" : "NULL::timestamptz AS u",
              status ? "status" : "NULL::text AS status",
            ];
            return `SELECT '${table}' AS t, concat_ws('/', sum(n), sum(v), max(u),
                string_agg(status || ':' || n, ',' ORDER BY status)) AS c
              FROM (SELECT ${per.join(", ")} FROM "${table}"${status ? " GROUP BY status" : ""}) s`;
          })
          .join(" UNION ALL "),
      );
    fingerprintQueries.set(db, query);
  }
  // Named: prepared once per connection, so its plan (every partition of each table) is made once.
  const { rows } = await db.query({ name: "fuzz-database-fingerprint", text: await query });
  return rows.map((row) => `${row.t}=${row.c}`).join(" ");
}

/** The name of the counter of actor worker crashes (a worker thread that stopped on a command). */
export const workerCrashMetric = "marquee_actor_worker_crashes_total";

/**
 * Where the fuzz learns about crashes: `crashes()` counts them so far (it only has to grow with
 * each one); `down()` names processes that are no longer running.
 */
export interface CrashWatch {
  crashes(): Promise<number>;
  down?(): string[];
  /** What the watch read, for the report ("metric", "metric absent", "logs"...). */
  describe(): string;
}

/**
 * The sum of every sample of a counter in Prometheus text; 0 when it is declared without samples yet
 * (a labelled counter before its first increment), null when the text does not have it.
 */
export function counterTotal(text: string, name: string): number | null {
  let total: number | null = null;
  for (const line of text.split("\n")) {
    if (line.startsWith(`# TYPE ${name} `)) total ??= 0;
    if (!line.startsWith(name) || !/^[\s{]/.test(line.charAt(name.length))) continue;
    const value = Number(line.trim().split(/\s+/).at(-1));
    if (Number.isFinite(value)) total = (total ?? 0) + value;
  }
  return total;
}

/**
 * The crash counter of the node behind `baseUrl` (GET /metrics). Absent reads as 0: Moleculer renders
 * a labelled counter only once it has a sample, so a node that never crashed shows none.
 */
export function metricCrashWatch(baseUrl: string, headers: Record<string, string> = {}): CrashWatch {
  let seen = "not read yet";
  return {
    async crashes() {
      const answer = await fetch(`${baseUrl}/metrics`, { headers, signal: AbortSignal.timeout(10_000) });
      const text = await answer.text();
      if (answer.status !== 200) {
        seen = `metrics unreadable (${answer.status})`;
        return 0;
      }
      const total = counterTotal(text, workerCrashMetric);
      seen = total === null ? "metric (no sample yet)" : "metric";
      return total ?? 0;
    },
    describe: () => seen,
  };
}

/** Several watches as one: the crashes add up, the processes down are listed together. */
export function combinedCrashWatch(watches: CrashWatch[]): CrashWatch {
  return {
    async crashes() {
      const counts = await Promise.all(watches.map((watch) => watch.crashes()));
      return counts.reduce((sum, count) => sum + count, 0);
    },
    down: () => watches.flatMap((watch) => watch.down?.() ?? []),
    describe: () => watches.map((watch) => watch.describe()).join(" + "),
  };
}
