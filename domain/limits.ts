// Every limit of the system, named once, with the reason beside it (TigerBeetle's TIGER_STYLE).

/** The contract: a reserve or confirm names at most 10 tickets. */
export const ticketsPerRequestMax = 10;
/** Default per-user cap on held + booked tickets of one event (settable per event). */
export const ticketsPerUserDefault = 10;
/** The contract's body limit: 64 KiB. */
export const requestBodyBytesMax = 64 * 1024;
/** Search pages: the contract caps `limit` at 100. */
export const searchLimitMax = 100;
export const searchLimitDefault = 20;
/** A search term longer than this is refused (400) rather than run. */
export const searchTermLengthMax = 200;
/** One event may have this many tickets at most: bounds the actor's memory (~100 bytes a seat). */
export const ticketsPerEventMax = 200_000;
/** Sections, rows and seats of one event. */
export const sectionsPerEventMax = 500;
export const rowsPerSectionMax = 500;
export const seatsPerRowMax = 1_000;
/** Rows per multi-row INSERT when generating tickets: ~1 MB statements, ~98k rows/s measured. */
export const ticketInsertBatchMax = 5_000;
/** Names and free text. */
export const nameLengthMax = 200;
export const descriptionLengthMax = 5_000;
/** Idempotency keys, per the contract. */
export const idempotencyKeyLengthMin = 8;
export const idempotencyKeyLengthMax = 128;
/** Every I/O call has a timeout. */
export const databaseStatementTimeoutMs = 10_000;
export const databaseConnectTimeoutMs = 5_000;
export const redisCommandTimeoutMs = 1_000;
/** Moleculer calls between services. */
export const requestTimeoutMs = 10_000;

// ---- Search (indexer/) ----
/** Words of one search term: each is a clause of the query (AND), so the cost grows with them. */
export const searchTermWordsMax = 16;
/** `location` is matched against venue, city and country names. */
export const searchLocationLengthMax = 200;
/** Deepest page: `offset` + `limit` stays within this (Elasticsearch's default result window). */
export const searchResultWindowMax = 10_000;
/**
 * Totals are counted exactly up to this many matches, then reported as a lower bound (`totalExact:
 * false`, like Elasticsearch's track_total_hits): counting every one of 40,000 matches of a common
 * word costs more than the whole rest of the query.
 */
export const searchTotalCountMax = 1_000;
/**
 * A term query ranks at most this many matches, the soonest ones, and pages through them: ranking
 * all of 40,000 matches of a common word costs more than a search may take, and among that many the
 * soonest are the sensible ones to show. Specific terms (the usual case) match far fewer and are
 * ranked in full.
 */
export const searchRankedCandidatesMax = 1_000;
/** Geo filter: default and largest radius around `lat`,`lng`. */
export const searchRadiusKmDefault = 50;
export const searchRadiusKmMax = 20_000;
/** Typo tolerance: nearest known words considered per unknown query word. */
export const searchTypoCandidatesMax = 30;
/** Alternatives kept per unknown query word (closest first). */
export const searchTypoAlternativesMax = 5;
/** Search queries on their own small pool, so a slow search never starves bookings of connections. */
export const searchPoolConnectionsMax = 5;
export const searchStatementTimeoutMs = 3_000;
/** Short TTLs: caches are also invalidated by the indexer, the TTL bounds a missed invalidation. */
export const searchCacheTtlMs = 5_000;
export const eventCacheTtlMs = 10_000;
/**
 * A cache read slower than this is abandoned and the answer computed (Redis hanging; a Redis that is
 * down is skipped at once). Not lower: on a saturated CPU a healthy Redis answer can take tens of ms,
 * and every false miss turns into an index query.
 */
export const cacheReadTimeoutMs = 100;
/** Outbox rows read per indexer pass. */
export const indexerOutboxBatchMax = 1_000;
/** Documents built and written per index write (one bulk request / one multi-row statement). */
export const indexerDocumentBatchMax = 500;
/** Events expanded per query when a venue or performer changed (bounded memory for big venues). */
export const indexerExpansionBatchMax = 5_000;
/** Fallback poll when no NOTIFY arrives; NOTIFY normally wakes the indexer at once. */
export const indexerPollIntervalMs = 1_000;
/** A standby indexer retries the leadership lock this often; a failed pass is retried after this. */
export const indexerRetryIntervalMs = 1_000;
/** Reindex: documents per COPY / bulk chunk. */
export const reindexBatchMax = 5_000;
/** Elasticsearch requests. */
export const elasticsearchRequestTimeoutMs = 10_000;
