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
/** An HTTP request's headers and body (at most 64 KiB) must arrive within this (slow senders). */
export const httpRequestReceiveTimeoutMs = 30_000;
/**
 * Clients counted in memory per gateway node while Redis is down (~150 bytes each): a flood of
 * distinct addresses cannot grow the table past this; the oldest windows are forgotten first.
 */
export const rateLimitMemoryKeysMax = 100_000;
/** Moleculer calls between services. */
export const requestTimeoutMs = 10_000;
/** Web UI files served by the gateway: the bundle is ~100 KiB; anything far larger is a mistake. */
export const webFileBytesMax = 5 * 1024 * 1024;
/** Files of the web UI kept in memory (the build has a handful; old hashed names age out). */
export const webFileCacheEntriesMax = 64;
