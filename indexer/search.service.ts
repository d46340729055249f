// The `search` service: GET /events/search (action search.search). Answers from a short-lived Redis
// cache, else from the search index; with Redis down, straight from the index.
//
// Cached answers are keyed by the index generation (the indexer's position, broadcast after every
// index write), so a change makes every older cached answer unreachable at once; the TTL bounds
// what a node that missed a broadcast can serve.
import { createHash } from "node:crypto";
import type { Context, ServiceSchema } from "moleculer";
import type { Runtime } from "../platform/runtime.ts";
import { createPool, type Database } from "../platform/database.ts";
import { createJsonCache } from "../platform/cache.ts";
import { MarqueeError } from "../domain/errors.ts";
import { searchIndexChangedEvent, type SearchIndexChanged } from "../domain/messages.ts";
import { searchCacheTtlMs, searchPoolConnectionsMax, searchStatementTimeoutMs } from "../domain/limits.ts";
import type { SearchPage } from "../domain/search-result.ts";
import { readPosition } from "./outbox.ts";
import { withAvailability } from "./availability.ts";
import { createSearchIndex, type SearchIndex } from "./search-index.ts";
import {
  canonicalQueryKey,
  parseSearchParams,
  searchParamsSchema,
  type SearchParams,
} from "./search-query.ts";

/** Errors that mean "busy or briefly unreachable", answered 503 with Retry-After. */
function isTransient(error: unknown): boolean {
  const code = (error as { code?: string }).code;
  const name = (error as { name?: string }).name;
  const message = String((error as { message?: string }).message ?? "");
  return (
    code === "57014" || // statement timeout
    code === "57P01" || // admin shutdown
    code === "53300" || // too many connections
    code === "ECONNREFUSED" ||
    name === "ConnectionError" ||
    name === "TimeoutError" ||
    /timeout|Connection terminated/i.test(message)
  );
}

/** A failed index query: a transient failure is answered 503 with Retry-After, anything else as it is. */
function unavailableIfTransient(error: unknown, logger: { warn: (...args: any[]) => void }): unknown {
  if (!isTransient(error)) return error;
  logger.warn({ err: error }, "search failed (transient)");
  return new MarqueeError("UNAVAILABLE", "Search is briefly unavailable, retry shortly", undefined, 1);
}

/**
 * Single flight: identical searches arriving together on this node share one index query (a popular
 * query whose cache entry just expired does not stampede the index).
 */
function singleFlight(
  inFlight: Map<string, Promise<SearchPage>>,
  key: string,
  run: () => Promise<SearchPage>,
): Promise<SearchPage> {
  let pending = inFlight.get(key);
  if (!pending) {
    pending = run();
    inFlight.set(key, pending);
    const forget = () => inFlight.delete(key);
    pending.then(forget, forget);
  }
  return pending;
}

const searchOpenApi = {
  summary: "Search events: full text (typo tolerant), place, day or range, type, distance",
  description:
    "Best match first, then soonest. Past events only when `from` or `date` asks. Totals are exact up " +
    "to 1,000 (`totalExact`). Each result has its lowest price (`priceFromCents` in `currency`) and the " +
    "seats neither booked nor held (`seatsAvailable`). Answers are cached for a few seconds and carry an ETag.",
};

/**
 * Searches get their own small pool: a burst of searches never takes the booking core's connections.
 * No JIT (createPool's default): compiling a search's statement once took longer than its timeout
 * allows (indexer/availability.ts, issue 20).
 */
export function createSearchPool(databaseUrl: string): Database {
  return createPool(databaseUrl, {
    max: searchPoolConnectionsMax,
    statementTimeoutMs: searchStatementTimeoutMs,
    applicationName: "marquee-search",
  });
}

export function createSearchService(runtime: Runtime): ServiceSchema {
  const { config, clock } = runtime;
  const cache = createJsonCache(runtime.redis);
  let pool: Database | null = null;
  let index: SearchIndex | null = null;
  let generation = 0;
  /** Index queries in progress by cache key (bounded by the action's bulkhead). */
  const inFlight = new Map<string, Promise<SearchPage>>();

  return {
    name: "search",
    events: {
      [searchIndexChangedEvent]: {
        handler(ctx: Context<SearchIndexChanged>) {
          if (ctx.params.position > generation) {
            generation = ctx.params.position;
            index?.indexChanged?.();
          }
        },
      },
    },
    actions: {
      search: {
        openapi: searchOpenApi,
        params: searchParamsSchema,
        async handler(this: any, ctx: Context<SearchParams, any>): Promise<SearchPage> {
          const query = parseSearchParams(ctx.params, clock.now());
          const digest = createHash("sha1").update(canonicalQueryKey(ctx.params)).digest("base64url");
          const key = `search:${generation}:${digest}`;
          let page = await cache.get<SearchPage>(key);
          if (!page) {
            const pending = singleFlight(inFlight, key, () =>
              index!.search(query).then(async (found) => {
                const fresh = await withAvailability(pool!, found);
                void cache.set(key, fresh, searchCacheTtlMs);
                return fresh;
              }),
            );
            try {
              page = await pending;
            } catch (error) {
              throw unavailableIfTransient(error, this.logger);
            }
          }
          ctx.meta.$responseHeaders = {
            "Cache-Control": `public, max-age=${Math.floor(searchCacheTtlMs / 1000)}`,
          };
          return page;
        },
      },
    },

    async started() {
      pool = createSearchPool(config.databaseUrl);
      index = await createSearchIndex(config, { db: pool });
      generation = await readPosition(pool).catch(() => 0);
    },

    async stopped() {
      await index?.close();
      await pool?.end();
    },
  } as ServiceSchema;
}
