// Rebuilds the search index from scratch: every active event read from one snapshot, transformed by
// the indexer's own transform, written into a NEW index that is swapped in at the end (readers keep
// the old one until then), and the indexer's position set to what that snapshot contained.
//
// It holds the writer lock for its run, so the incremental indexer pauses (and catches up from the
// new position afterwards: every change after the snapshot has a larger outbox position).
import pg from "pg";
import { databaseConnectTimeoutMs, reindexBatchMax } from "../domain/limits.ts";
import { indexWriterLockKey, lastChangePosition, readPosition, resetPosition } from "./outbox.ts";
import { toSearchDocument, type SearchDocument } from "./search-document.ts";
import type { IndexRebuild, SearchIndex } from "./search-index.ts";
import { allSourceEvents } from "./source.ts";

export interface RebuildResult {
  documents: number;
  position: number;
  durationMs: number;
}

export interface RebuildOptions {
  databaseUrl: string;
  index: SearchIndex;
  batchSize?: number;
  /** How long to wait for a running indexer pass (or another reindex) to let go of the writer lock. */
  lockWaitMs?: number;
  onProgress?: (documents: number) => void;
}

export async function rebuildIndex(options: RebuildOptions): Promise<RebuildResult> {
  const startedAt = Date.now();
  const client = new pg.Client({
    connectionString: options.databaseUrl,
    connectionTimeoutMillis: databaseConnectTimeoutMs,
    application_name: "marquee-reindex",
  });
  await client.connect();
  let rebuild: IndexRebuild | null = null;
  let locked = false;
  try {
    await client.query(`SET lock_timeout = ${Math.max(1, Math.round(options.lockWaitMs ?? 60_000))}`);
    await client.query("SELECT pg_advisory_lock($1)", [indexWriterLockKey]);
    locked = true;
    await client.query("SET lock_timeout = 0");
    await client.query("SET statement_timeout = 0");
    // One snapshot for the whole read: the documents and the position describe the same moment.
    await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    const position = await lastChangePosition(client, await readPosition(client));
    rebuild = await options.index.beginRebuild();
    let documents = 0;
    for await (const page of allSourceEvents(client, options.batchSize ?? reindexBatchMax)) {
      const built = page
        .map((source) => toSearchDocument(source, position))
        .filter((document): document is SearchDocument => document !== null);
      await rebuild.write(built);
      documents += built.length;
      options.onProgress?.(documents);
    }
    await client.query("COMMIT");
    await rebuild.commit();
    rebuild = null;
    await resetPosition(client, position);
    await options.index.settle?.();
    return { documents, position, durationMs: Date.now() - startedAt };
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    await rebuild?.abort().catch(() => {});
    throw error;
  } finally {
    if (locked) await client.query("SELECT pg_advisory_unlock($1)", [indexWriterLockKey]).catch(() => {});
    await client.end().catch(() => {});
  }
}
