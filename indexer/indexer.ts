// The indexer: change data capture from the outbox into the search index.
//
// One pass: read outbox rows after the position (in commit order, see outbox.ts), turn the changed
// events, venues and performers into the affected events (a venue rename touches all its events),
// read their current state, build documents with the one transform, bulk-write them, and only then
// move the position (and forget those outbox rows). Killed anywhere in a pass, the next indexer
// starts from the last saved position and redoes the pass: documents are rebuilt from the current
// state and written with version guards, so a replay changes nothing that is already right.
//
// One indexer per database is active at a time: it holds a session advisory lock (leadership) on
// its own connection; standbys retry every second and take over when the leader's session ends.
// Each pass also takes the writer lock, which a reindex holds for its whole run.
import pg from "pg";
import { databaseConnectTimeoutMs, databaseStatementTimeoutMs } from "../domain/limits.ts";
import {
  indexerDocumentBatchMax,
  indexerExpansionBatchMax,
  indexerOutboxBatchMax,
  indexerPollIntervalMs,
  indexerRetryIntervalMs,
} from "../domain/limits.ts";
import {
  advancePosition,
  indexerLeaderLockKey,
  indexWriterLockKey,
  outboxChannel,
  pendingAgeSeconds,
  readChanges,
  readPosition,
} from "./outbox.ts";
import { toSearchDocument } from "./search-document.ts";
import type { IndexWrite, SearchIndex } from "./search-index.ts";
import { eventIdsOf, loadSourceEvents } from "./source.ts";
import { invariant } from "../domain/errors.ts";

type Queryable = Pick<pg.ClientBase, "query">;

export interface IndexerLogger {
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
}

export interface IndexerStatus {
  leader: boolean;
  /** The saved position (last outbox position in the index), or null before the first pass. */
  position: number | null;
  /** Seconds since the oldest change that is not in the index yet was captured (0 when none waits). */
  lagSeconds: number;
  documentsWritten: number;
  passes: number;
}

export interface IndexerOptions {
  databaseUrl: string;
  index: SearchIndex;
  logger: IndexerLogger;
  outboxBatchMax?: number;
  documentBatchMax?: number;
  expansionBatchMax?: number;
  pollIntervalMs?: number;
  retryIntervalMs?: number;
  /** After each index write (caches of these events can be dropped). */
  onDocumentsWritten?: (eventIds: string[]) => Promise<void> | void;
  /** After the position moved (search caches older than it can be dropped). */
  onPositionAdvanced?: (position: number) => Promise<void> | void;
  /** After every pass and every leadership change (metrics). */
  onStatus?: (status: IndexerStatus) => void;
}

/** Builds the write for these events: documents for the active ones, removals for the rest. */
export async function buildIndexWrite(
  db: Queryable,
  eventIds: string[],
  version: number,
): Promise<IndexWrite> {
  const sources = new Map((await loadSourceEvents(db, eventIds)).map((source) => [source.id, source]));
  const write: IndexWrite = { upserts: [], removals: [], version };
  for (const eventId of eventIds) {
    const source = sources.get(eventId);
    const document = source ? toSearchDocument(source, version) : null;
    if (document) write.upserts.push(document);
    else write.removals.push(eventId);
  }
  return write;
}

export class Indexer {
  private readonly options: Required<
    Omit<IndexerOptions, "onDocumentsWritten" | "onPositionAdvanced" | "onStatus">
  > &
    IndexerOptions;
  private client: pg.Client | null = null;
  private clientBroken = false;
  private stopping = false;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private wakePending = false;
  private readonly state: Omit<IndexerStatus, "lagSeconds"> = {
    leader: false,
    position: null,
    documentsWritten: 0,
    passes: 0,
  };
  /**
   * Local time at which the oldest change not yet indexed was captured (derived from its age as
   * measured by Postgres, so clocks of different hosts do not matter). The lag keeps growing from
   * it while the indexer is stuck, e.g. on an unreachable index.
   */
  private pendingSinceMs: number | null = null;
  private prepared = false;

  constructor(options: IndexerOptions) {
    this.options = {
      outboxBatchMax: indexerOutboxBatchMax,
      documentBatchMax: indexerDocumentBatchMax,
      expansionBatchMax: indexerExpansionBatchMax,
      pollIntervalMs: indexerPollIntervalMs,
      retryIntervalMs: indexerRetryIntervalMs,
      ...options,
    };
  }

  status(): IndexerStatus {
    const lagSeconds =
      this.pendingSinceMs === null ? 0 : Math.max(0, (Date.now() - this.pendingSinceMs) / 1000);
    return { ...this.state, lagSeconds };
  }

  start(): void {
    if (this.loop) throw new Error("indexer already started");
    this.stopping = false;
    this.loop = this.run();
  }

  /** Finishes the pass in progress, then gives up leadership (its session ends). */
  async stop(): Promise<void> {
    this.stopping = true;
    this.notify();
    await this.loop;
    this.loop = null;
    await this.disconnect();
  }

  /** Runs a pass now instead of at the next notification or poll. */
  notify(): void {
    this.wakePending = true;
    this.wake?.();
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      try {
        const client = await this.connection();
        if (!this.state.leader) {
          const { rows } = await client.query("SELECT pg_try_advisory_lock($1) AS acquired", [
            indexerLeaderLockKey,
          ]);
          if (!rows[0].acquired) {
            await this.idle(this.options.retryIntervalMs);
            continue;
          }
          await client.query(`LISTEN ${outboxChannel}`);
          this.setLeader(true);
        }
        // Creates what the index needs (an Elasticsearch index and alias) once; retried while it fails,
        // so a node starts even when the index is briefly unreachable.
        if (!this.prepared) {
          await this.options.index.prepare();
          this.prepared = true;
        }
        const more = await this.pass(client);
        if (!more) await this.idle(this.options.pollIntervalMs);
      } catch (error) {
        if (this.stopping) break;
        this.options.logger.error({ err: error }, "search indexer pass failed; retrying");
        if (this.clientBroken) await this.disconnect();
        await this.idle(this.options.retryIntervalMs);
      }
    }
  }

  private setLeader(leader: boolean): void {
    if (this.state.leader === leader) return;
    this.state.leader = leader;
    if (!leader) this.pendingSinceMs = null; // a standby does not measure the lag
    this.options.logger.info(leader ? "search indexer: active (leader)" : "search indexer: standby");
    this.options.onStatus?.(this.status());
  }

  private async connection(): Promise<pg.Client> {
    if (this.client && !this.clientBroken) return this.client;
    await this.disconnect();
    const client = new pg.Client({
      connectionString: this.options.databaseUrl,
      connectionTimeoutMillis: databaseConnectTimeoutMs,
      statement_timeout: databaseStatementTimeoutMs,
      query_timeout: databaseStatementTimeoutMs + 1_000,
      application_name: "marquee-indexer",
    });
    client.on("error", () => {
      // The session (and with it the leadership lock) is gone: stop acting as leader at once.
      this.clientBroken = true;
      this.setLeader(false);
      this.notify();
    });
    client.on("notification", () => this.notify());
    this.clientBroken = false;
    this.client = client;
    try {
      await client.connect();
    } catch (error) {
      this.clientBroken = true;
      throw error;
    }
    return client;
  }

  private async disconnect(): Promise<void> {
    const client = this.client;
    this.client = null;
    this.setLeader(false);
    if (client) await client.end().catch(() => {});
  }

  private idle(ms: number): Promise<void> {
    if (this.stopping) return Promise.resolve();
    if (this.wakePending) {
      this.wakePending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = () => {
        this.wake = null;
        this.wakePending = false;
        done();
      };
    });
  }

  /** One pass; true when there may be more to do right away. */
  private async pass(client: pg.Client): Promise<boolean> {
    this.wakePending = false;
    const { rows } = await client.query("SELECT pg_try_advisory_lock($1) AS acquired", [indexWriterLockKey]);
    if (!rows[0].acquired) return false; // a reindex is running; it moves the position itself
    try {
      const position = await readPosition(client);
      this.state.position = position;
      await this.measureLag(client, position);
      const changes = await readChanges(client, position, this.options.outboxBatchMax);
      if (changes.length === 0) return false;
      const eventIds = new Set<string>();
      const venueIds = new Set<string>();
      const performerIds = new Set<string>();
      let previous = position;
      for (const change of changes) {
        invariant(
          change.position > previous,
          `outbox positions out of order (${previous}, ${change.position})`,
        );
        previous = change.position;
        if (change.entity === "event") eventIds.add(change.entityId);
        else if (change.entity === "venue") venueIds.add(change.entityId);
        else performerIds.add(change.entityId);
      }
      const to = changes[changes.length - 1].position;
      await this.writeEvents(client, [...eventIds], to);
      for await (const page of eventIdsOf(
        client,
        [...venueIds],
        [...performerIds],
        this.options.expansionBatchMax,
      )) {
        await this.writeEvents(
          client,
          page.filter((eventId) => !eventIds.has(eventId)),
          to,
        );
      }
      // Only now, with the documents in the index, the position moves.
      if (!(await advancePosition(client, position, to))) {
        this.options.logger.warn("search indexer: position moved by someone else; re-reading it");
        return true;
      }
      this.state.position = to;
      this.state.passes += 1;
      await this.measureLag(client, to);
      await this.options.onPositionAdvanced?.(to);
      return changes.length === this.options.outboxBatchMax;
    } finally {
      if (!this.clientBroken)
        await client.query("SELECT pg_advisory_unlock($1)", [indexWriterLockKey]).catch(() => {});
    }
  }

  private async writeEvents(db: Queryable, eventIds: string[], version: number): Promise<void> {
    for (let start = 0; start < eventIds.length; start += this.options.documentBatchMax) {
      const chunk = eventIds.slice(start, start + this.options.documentBatchMax);
      const write = await buildIndexWrite(db, chunk, version);
      await this.options.index.write(write);
      this.state.documentsWritten += write.upserts.length + write.removals.length;
      await this.options.onDocumentsWritten?.(chunk);
    }
  }

  private async measureLag(db: Queryable, position: number): Promise<void> {
    const ageSeconds = await pendingAgeSeconds(db, position);
    this.pendingSinceMs = ageSeconds > 0 ? Date.now() - ageSeconds * 1000 : null;
    this.reportStatus();
  }

  private reportStatus(): void {
    this.options.onStatus?.(this.status());
  }
}
