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
/**
 * Statement timeout while an event's tickets are generated (200,000 seats take a few seconds; the
 * demo catalog's ~350,000 about as long): far above that, yet bounded.
 */
export const ticketGenerationTimeoutMs = 120_000;
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
 * ...and its headers within this (slowloris: a client trickling header lines holds a connection
 * until then). Node's default is 60 s; a real client sends its headers in one packet.
 */
export const httpHeadersReceiveTimeoutMsDefault = 10_000;
/** How often Node checks connections against the two timeouts above (its default, 30 s, doubles them). */
export const httpConnectionsCheckIntervalMs = 1_000;
/** Request line and headers together (Node's default, named): a bearer token is at most 4 KiB. */
export const httpHeaderBytesMax = 16 * 1024;
/**
 * Open TCP connections per gateway node (REST, Socket.IO and SSE alike): past it, new connections are
 * closed at once, so a connection flood costs file descriptors and memory up to here and no further.
 * The process's open-file limit (`ulimit -n`) must be above it.
 */
export const httpConnectionsPerNodeMaxDefault = 16_000;
/**
 * Clients counted in memory per gateway node while Redis is down (~150 bytes each): a flood of
 * distinct addresses cannot grow the table past this; the oldest windows are forgotten first.
 */
export const rateLimitMemoryKeysMax = 100_000;
/** Moleculer calls between services. */
export const requestTimeoutMs = 10_000;

// --- Booking core (actors/) ---
/** Commands queued or in flight per event actor; beyond it the actor sheds load (503 OVERLOADED). */
export const actorMailboxMax = 5_000;
/** Commands one worker decides per turn, i.e. per group-commit transaction: bounds statement size. */
export const turnCommandsMax = 2_000;
/** Commands per postMessage between the main thread and a worker (one structured clone each). */
export const workerMessageCommandsMax = 2_000;
/** An actor with no command for this long and no live hold passivates and frees its memory. */
export const actorIdleMs = 60_000;
/** How often a worker looks for idle actors. */
export const actorPassivationCheckMs = 10_000;
/** Re-routes of one command after its actor found itself fenced out (stale epoch). */
export const staleRetriesMax = 3;
/** A worker that dies is restarted at most this often (a crash loop stops restarting). */
export const workerRestartDelayMs = 1_000;
/** Database connections per worker: one for the group commit, one for activations. */
export const workerDatabaseConnectionsMax = 3;
/** Retry-After sent with 503 OVERLOADED from a full mailbox. */
export const overloadedRetryAfterSeconds = 1;

// --- Payments (actors/payments) ---
/** A payment provider call (charge, refund, lookup) gives up after this long. */
export const paymentProviderTimeoutMs = 10_000;
/** A payment token in `paymentDetails.token`. */
export const paymentTokenLengthMax = 200;
/** A concurrent duplicate confirm (same Idempotency-Key) waits this long for the first to finish. */
export const idempotencyWaitMs = 15_000;
export const idempotencyPollMs = 25;
/** Recovery: how often captured-but-unbooked payments are looked for, and how many per pass. */
export const recoveryIntervalMs = 30_000;
export const recoveryBatchMax = 200;
/** A payment still `pending` after this long has lost its saga (crash): recovery asks the provider. */
export const pendingPaymentAbandonMs = 2 * paymentProviderTimeoutMs + 10_000;
/** Calls of one saga step to the actor (re-routed on a stale owner or a restart). */
export const sagaActorAttemptsMax = 5;
/** GET /bookings returns at most this many, newest first. */
export const bookingsPageMax = 100;
/** Seat layouts the catalog keeps in memory to expand compact seat maps (a few KB each). */
export const seatLayoutsCachedMax = 1_000;
