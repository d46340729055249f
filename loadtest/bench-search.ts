// `npm run bench:search`: the search index against a plain SQL ILIKE baseline, on a generated
// catalog of 1,000,000 events in a database of its own (dropped at the end).
//
//   1. generate performers, venues and events with generate_series (capture triggers bypassed),
//   2. build the index with the indexer's own transform (the reindex),
//   3. run the same realistic query mix against the index (the Postgres adapter, no cache) and
//      against ILIKE over the catalog tables, with the same concurrency, for a fixed time each,
//   4. measure cached throughput through the HTTP gateway (Redis answers),
//   5. write loadtest/results/search.json.
//
// Environment: BENCH_EVENTS (1000000), BENCH_CONCURRENCY (4), BENCH_INDEX_SECONDS (20),
// BENCH_BASELINE_SECONDS (30), BENCH_CACHED_SECONDS (10); BENCH_DATABASE=<name> reuses (and keeps)
// an existing bench database, BENCH_KEEP=1 keeps the generated one (both for development only).
import { mkdir, writeFile } from "node:fs/promises";
import os from "node:os";
import { randomBytes } from "node:crypto";
import autocannon from "autocannon";
import pg from "pg";
import { loadConfig } from "../platform/config.ts";
import { createPool, ensureDatabase, type Database } from "../platform/database.ts";
import { migrate } from "../platform/migrate.ts";
import { startNode } from "../node.ts";
import { PostgresIndex } from "../indexer/postgres-index.ts";
import { rebuildIndex } from "../indexer/rebuild.ts";
import {
  boundingBoxes,
  earthRadiusKm,
  parseSearchParams,
  type SearchQuery,
} from "../indexer/search-query.ts";
import { generateCatalog, queryMix, type MixQuery } from "./search-data.ts";

const events = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 4);
const indexSeconds = Number(process.env.BENCH_INDEX_SECONDS ?? 20);
const baselineSeconds = Number(process.env.BENCH_BASELINE_SECONDS ?? 30);
const cachedSeconds = Number(process.env.BENCH_CACHED_SECONDS ?? 10);
const serverUrl = process.env.BENCH_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432";
const reuse = process.env.BENCH_DATABASE ?? null;
const databaseName = reuse ?? `marquee_bench_search_${randomBytes(4).toString("hex")}`;
const databaseUrl = `${serverUrl}/${databaseName}`;

interface Stats {
  queries: number;
  errors: number;
  concurrency: number;
  seconds: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  meanMs: number;
  queriesPerSec: number;
}

const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;

function percentile(sorted: number[], fraction: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)];
}

function summarize(latencies: number[], errors: number, seconds: number): Stats {
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    queries: latencies.length,
    errors,
    concurrency,
    seconds: round(seconds),
    p50Ms: round(percentile(sorted, 0.5)),
    p95Ms: round(percentile(sorted, 0.95)),
    p99Ms: round(percentile(sorted, 0.99)),
    meanMs: round(sorted.reduce((sum, value) => sum + value, 0) / Math.max(1, sorted.length)),
    queriesPerSec: round(latencies.length / seconds, 1),
  };
}

/** Runs the queries in order, `concurrency` at a time, until the time is up (or `maxQueries`). */
async function measure(
  queries: MixQuery[],
  run: (query: MixQuery) => Promise<unknown>,
  seconds: number,
  maxQueries = Number.POSITIVE_INFINITY,
): Promise<{ stats: Stats; byKind: Record<string, Stats> }> {
  const latencies: number[] = [];
  const kinds = new Map<string, number[]>();
  let errors = 0;
  let next = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline && next < maxQueries) {
        const query = queries[next++ % queries.length];
        const at = performance.now();
        try {
          await run(query);
          const took = performance.now() - at;
          latencies.push(took);
          if (!kinds.has(query.kind)) kinds.set(query.kind, []);
          kinds.get(query.kind)!.push(took);
        } catch (error) {
          errors += 1;
          if (errors <= 3) console.error(`  ${query.kind} failed: ${(error as Error).message}`);
        }
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  const byKind: Record<string, Stats> = {};
  for (const [kind, values] of kinds) byKind[kind] = summarize(values, 0, elapsed);
  return { stats: summarize(latencies, errors, elapsed), byKind };
}

/**
 * The baseline: what one writes without a search index. Every term word must appear (ILIKE
 * '%word%') in the event's name or description, its venue's name or city, or a performer's name;
 * the location in the venue's name, city or country; the same filters, order and page, with a total.
 */
async function baselineSearch(db: Database, query: SearchQuery): Promise<unknown> {
  const values: unknown[] = [];
  const add = (value: unknown) => {
    values.push(value);
    return `$${values.length}`;
  };
  const where = ["e.status = 'active'", `e.starts_at >= ${add(query.startsFrom)}`];
  if (query.startsBefore) where.push(`e.starts_at < ${add(query.startsBefore)}`);
  if (query.type) where.push(`e.type = ${add(query.type)}`);
  for (const word of query.words) {
    const pattern = add(`%${word}%`);
    where.push(`(e.name ILIKE ${pattern} OR e.description ILIKE ${pattern} OR v.name ILIKE ${pattern}
      OR v.city ILIKE ${pattern} OR EXISTS (SELECT 1 FROM event_performers ep JOIN performers p ON p.id = ep.performer_id
        WHERE ep.event_id = e.id AND p.name ILIKE ${pattern}))`);
  }
  if (query.locationWords.length > 0) {
    const pattern = add(`%${query.locationWords.join(" ")}%`);
    where.push(`(v.city ILIKE ${pattern} OR v.country ILIKE ${pattern} OR v.name ILIKE ${pattern})`);
  }
  if (query.geo) {
    const [box] = boundingBoxes(query.geo);
    where.push(
      `v.lat BETWEEN ${add(box.minLat)} AND ${add(box.maxLat)} AND v.lng BETWEEN ${add(box.minLng)} AND ${add(box.maxLng)}`,
    );
    where.push(`2 * ${earthRadiusKm} * asin(sqrt(power(sin(radians(v.lat - ${add(query.geo.lat)}) / 2), 2)
      + cos(radians(${add(query.geo.lat)})) * cos(radians(v.lat)) * power(sin(radians(v.lng - ${add(query.geo.lng)}) / 2), 2)))
      <= ${add(query.geo.radiusKm)}`);
  }
  const { rows } = await db.query(
    `SELECT e.id, e.name, e.type, e.starts_at, v.name AS venue_name, v.city, v.country,
       (SELECT array_agg(p.name ORDER BY ep.position) FROM event_performers ep JOIN performers p ON p.id = ep.performer_id
        WHERE ep.event_id = e.id) AS performers,
       count(*) OVER () AS total
     FROM events e JOIN venues v ON v.id = e.venue_id
     WHERE ${where.join(" AND ")}
     ORDER BY e.starts_at, e.id OFFSET ${add(query.offset)} LIMIT ${add(query.limit)}`,
    values,
  );
  return rows;
}

async function dropBenchDatabase(): Promise<void> {
  const admin = new pg.Client({ connectionString: `${serverUrl}/postgres` });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${databaseName}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

async function cachedThroughput(paths: string[]): Promise<Record<string, unknown>> {
  const config = loadConfig({
    ...process.env,
    NODE_ENV: "production",
    AUTH_SECRET: randomBytes(16).toString("hex"),
    PORT: "0",
    DATABASE_URL: databaseUrl,
    SERVICES: "api,search",
    REDIS_KEY_PREFIX: `bench_${randomBytes(4).toString("hex")}:`,
    NAMESPACE: `bench_${randomBytes(4).toString("hex")}`,
    RATE_LIMIT_PER_WINDOW: "100000000",
    LOG_LEVEL: "warn",
  });
  const node = await startNode(config);
  try {
    const port = (node.broker.getLocalService("api") as any).server.address().port;
    const base = `http://127.0.0.1:${port}`;
    // Warm the cache (all at once, right before measuring: entries live 5 s and are refilled on expiry).
    await Promise.all(
      paths.map(async (path) => {
        const answer = await fetch(base + path);
        if (answer.status !== 200) throw new Error(`warm-up ${path}: ${answer.status}`);
        await answer.arrayBuffer();
      }),
    );
    let next = 0;
    const result = await autocannon({
      url: base,
      connections: 32,
      duration: cachedSeconds,
      requests: [
        {
          method: "GET",
          setupRequest: (request: any) => ({ ...request, path: paths[next++ % paths.length] }),
        },
      ],
    } as any);
    return {
      via: "HTTP gateway, answers from Redis (TTL refills included)",
      connections: 32,
      seconds: cachedSeconds,
      distinctQueries: paths.length,
      requestsPerSec: round(result.requests.average, 1),
      p50Ms: result.latency.p50,
      p90Ms: result.latency.p90,
      p97_5Ms: result.latency.p97_5,
      p99Ms: result.latency.p99,
      non2xx: result.non2xx,
      errors: result.errors,
    };
  } finally {
    await node.stop();
  }
}

async function main(): Promise<void> {
  console.log(
    `search benchmark: ${events.toLocaleString("en")} events in ${databaseName}, concurrency ${concurrency}`,
  );
  await ensureDatabase(databaseUrl);
  const setup = createPool(databaseUrl, { max: 2, statementTimeoutMs: 3_600_000 });
  const timings: Record<string, number> = {};
  try {
    await migrate(setup);
    const client = await setup.connect();
    try {
      const { rows } = await client.query("SELECT count(*)::int AS n FROM events");
      if (rows[0].n === 0) {
        let at = performance.now();
        await generateCatalog(client, events);
        timings.generateSeconds = round((performance.now() - at) / 1000, 1);
        console.log(`  generated the catalog in ${timings.generateSeconds} s`);
        at = performance.now();
        const index = new PostgresIndex(setup);
        const rebuilt = await rebuildIndex({
          databaseUrl,
          index,
          onProgress: (documents) => {
            if (documents % 200_000 === 0)
              console.log(`  reindex: ${documents.toLocaleString("en")} documents`);
          },
        });
        timings.reindexSeconds = round((performance.now() - at) / 1000, 1);
        console.log(
          `  reindex: ${rebuilt.documents.toLocaleString("en")} documents in ${timings.reindexSeconds} s`,
        );
      } else {
        console.log(`  reusing ${rows[0].n} events`);
      }
    } finally {
      client.release();
    }

    const { rows: performerRows } = await setup.query("SELECT name FROM performers ORDER BY id LIMIT 5000");
    const performerNames = performerRows.map((row) => row.name as string);
    const { rows: countRows } = await setup.query(
      "SELECT (SELECT count(*) FROM events)::int AS events, (SELECT count(*) FROM search_documents)::int AS documents",
    );
    const now = Date.now();
    const mix = queryMix(20_000, performerNames);
    const parsed = new Map(mix.map((query) => [query, parseSearchParams(query.params, now)]));

    const searchPool = createPool(databaseUrl, { max: concurrency, statementTimeoutMs: 10_000 });
    const index = new PostgresIndex(searchPool);
    console.log("  index: warming up");
    await measure(mix.slice(-500), (query) => index.search(parsed.get(query)!), 30, 500);
    console.log(`  index: measuring for ${indexSeconds} s`);
    const indexRun = await measure(mix, (query) => index.search(parsed.get(query)!), indexSeconds);
    console.log("  ", JSON.stringify(indexRun.stats));
    for (const [kind, stats] of Object.entries(indexRun.byKind))
      console.log(
        `     ${kind.padEnd(24)} p50 ${stats.p50Ms} ms  p95 ${stats.p95Ms} ms  p99 ${stats.p99Ms} ms`,
      );
    await searchPool.end();

    const baselinePool = createPool(databaseUrl, { max: concurrency, statementTimeoutMs: 300_000 });
    console.log(`  baseline (ILIKE): measuring for ${baselineSeconds} s`);
    const baselineRun = await measure(
      mix,
      (query) => baselineSearch(baselinePool, parsed.get(query)!),
      baselineSeconds,
    );
    console.log("  ", JSON.stringify(baselineRun.stats));
    await baselinePool.end();

    console.log(`  cached (HTTP + Redis): measuring for ${cachedSeconds} s`);
    const paths = mix
      .slice(0, 50)
      .map((query) => `/events/search?${new URLSearchParams(query.params as Record<string, string>)}`);
    const cached = await cachedThroughput(paths);
    console.log("  ", JSON.stringify(cached));

    const ratio = round(indexRun.stats.queriesPerSec / baselineRun.stats.queriesPerSec, 1);
    const results = {
      benchmark: "search",
      command: "npm run bench:search",
      at: new Date().toISOString(),
      events: countRows[0].events,
      indexedDocuments: countRows[0].documents,
      machine: { cpus: os.availableParallelism(), loadAverage: os.loadavg().map((value) => round(value)) },
      timings,
      index: { ...indexRun.stats, via: "PostgresIndex.search (no cache)", byKind: indexRun.byKind },
      baseline: { ...baselineRun.stats, via: "plain SQL ILIKE over events, venues, performers" },
      ratio,
      latencyRatioP50: round(baselineRun.stats.p50Ms / indexRun.stats.p50Ms, 1),
      cached,
      goal: { p95Ms: 20, ratio: 50, met: indexRun.stats.p95Ms <= 20 && ratio >= 50 },
    };
    await mkdir(new URL("./results/", import.meta.url), { recursive: true });
    await writeFile(
      new URL("./results/search.json", import.meta.url),
      JSON.stringify(results, null, 2) + "\n",
    );
    console.log(
      `index p50 ${results.index.p50Ms} ms, p95 ${results.index.p95Ms} ms, p99 ${results.index.p99Ms} ms, ` +
        `${results.index.queriesPerSec} q/s; baseline ${results.baseline.queriesPerSec} q/s (p50 ${results.baseline.p50Ms} ms); ` +
        `ratio ${ratio}x; cached ${cached.requestsPerSec} req/s -> loadtest/results/search.json`,
    );
  } finally {
    await setup.end();
    if (!reuse && process.env.BENCH_KEEP !== "1") {
      await dropBenchDatabase();
      console.log(`  dropped ${databaseName}`);
    }
  }
}

await main();
