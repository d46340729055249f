// Postgres transactions of the benchmark's database, from pg_stat_database. A backend publishes its
// counts when it goes idle, at most once a second (Postgres 15+: PGSTAT_MIN_INTERVAL); counts held
// back by that limit are published 10 s later (PGSTAT_IDLE_INTERVAL) if the backend stays idle. So a
// reading after a phase waits that long first, else up to a second of the phase's transactions would
// be counted in the next one.
import pg from "pg";
import { sleep } from "../seat-map/http-load.ts";

/** Past PGSTAT_IDLE_INTERVAL (10 s): every idle backend has published what it counted. */
export const pgStatSettleMsDefault = 10_300;
const queryTimeoutMs = 10_000;

export interface Transactions {
  commits: number;
  rollbacks: number;
}

export class TransactionCounter {
  private constructor(
    private readonly client: pg.Client,
    private readonly settleMs: number,
  ) {}

  static async connect(databaseUrl: string, settleMs = pgStatSettleMsDefault): Promise<TransactionCounter> {
    const client = new pg.Client({ connectionString: databaseUrl, query_timeout: queryTimeoutMs });
    await client.connect();
    return new TransactionCounter(client, settleMs);
  }

  /** The database's commits and rollbacks so far, once the backends' counts are published. */
  async read(): Promise<Transactions> {
    await sleep(this.settleMs);
    const { rows } = await this.client.query(
      `SELECT xact_commit::float8 AS commits, xact_rollback::float8 AS rollbacks
       FROM pg_stat_database WHERE datname = current_database()`,
    );
    return { commits: rows[0].commits, rollbacks: rows[0].rollbacks };
  }

  close(): Promise<void> {
    return this.client.end();
  }
}

/** Transactions (commits + rollbacks) and commits between two readings, per operation. */
export function perOperation(before: Transactions, after: Transactions, operations: number) {
  const commits = after.commits - before.commits;
  const transactions = commits + after.rollbacks - before.rollbacks;
  const per = (count: number) => (operations > 0 ? Number((count / operations).toFixed(2)) : null);
  return {
    pgTransactions: transactions,
    pgTransactionsPerOp: per(transactions),
    pgCommitsPerOp: per(commits),
  };
}
