// Every limit of the system, named once, with the reason beside it (TigerBeetle's TIGER_STYLE).

/** The contract: a reserve or confirm names at most 10 tickets. */
export const ticketsPerRequestMax = 10;
/** Default per-user cap on held + booked tickets of one event (settable per event). */
export const ticketsPerUserDefault = 10;
/** The contract's body limit: 64 KiB. */
export const requestBodyBytesMax = 64 * 1024;
/**
 * JSON bodies nested deeper than this are refused (400): no schema goes past a few levels, and the
 * gateway's walk over every string of a body (gateway/unsafe-text.ts) stays far from the stack's end.
 */
export const jsonDepthMax = 32;
/**
 * Problems one validation error names (the first ones): an array of 10,000 bad items must not make
 * a 10,000-problem answer, which over NATS exceeded the server's max_payload.
 */
export const validationProblemsMax = 20;
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
/** Statement timeout while an event's tickets are generated (200,000 seats take seconds): bounded. */
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
/**
 * Seed nodes named in REDIS_CLUSTER_NODES (the client learns the rest from CLUSTER SLOTS) and NATS
 * servers named in TRANSPORTER: a deployment lists a handful; past this the setting is a mistake.
 */
export const redisClusterSeedNodesMax = 32;
export const natsServersMax = 32;
/**
 * A Redis Cluster command redirected (MOVED, ASK, TRYAGAIN, CLUSTERDOWN, a master gone) is retried at
 * most this often, this far apart: a command to a slot whose master died fails within ~2 s (callers
 * degrade) instead of waiting out the failover.
 */
export const redisClusterRedirectionsMax = 10;
export const redisClusterRetryDelayMs = 200;
/** How long CLUSTER SLOTS may take when the client refreshes its slot map. */
export const redisClusterSlotsRefreshTimeoutMs = 1_000;
/**
 * A NATS client whose server vanished tries the next server of the cluster at once; the same server
 * again only after this (nats.js's default is 2 s), and a silent server is noticed after
 * natsPingIntervalMs x 2 missed pings (nats.js's default interval is 2 min).
 */
export const natsReconnectWaitMs = 500;
export const natsPingIntervalMs = 10_000;
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
 * Clients counted in memory per gateway node while Redis is down (~150 bytes each): a flood of
 * distinct addresses cannot grow the table past this; the oldest windows are forgotten first.
 */
export const rateLimitMemoryKeysMax = 100_000;
/** Rate-limit checks of one event-loop turn in one Redis script call (gateway/rate-limit.ts). */
export const rateLimitBatchMax = 256;
/**
 * Verified bearer tokens a gateway node remembers (gateway/token-cache.ts): one per active client;
 * at most ~4.5 KiB each (a token is at most 4 KiB), so ~45 MiB at worst, ~3 MiB for typical tokens.
 */
export const verifiedTokenCacheEntriesMax = 10_000;
/** How long a verified token is taken on trust (up to its `exp`): a key rotated out of a JWKS is honoured within this. */
export const verifiedTokenCacheTtlMs = 60_000;
/** Moleculer calls between services. */
export const requestTimeoutMs = 10_000;
/** Web UI files served by the gateway: the bundle is ~100 KiB; anything far larger is a mistake. */
export const webFileBytesMax = 5 * 1024 * 1024;
/** Files of the web UI kept in memory (the build has a handful; old hashed names age out). */
export const webFileCacheEntriesMax = 64;

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
/** Query words whose word-list lookup a search node remembers (until the index moves). */
export const searchWordCacheMax = 10_000;
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
// --- Booking core (actors/) ---
/** Commands queued or in flight per event actor; beyond it the actor sheds load (503 OVERLOADED). */
export const actorMailboxMax = 5_000;
/** Commands one worker decides per turn, i.e. per group-commit transaction: bounds statement size. */
export const turnCommandsMax = 2_000;
/**
 * Idempotency-Keys a worker remembers as taken, claimed or refused by its commits (event, user, key;
 * least recent forgotten first): a confirm reusing one is refused as it is decided, without the commit's
 * refusal and the actor's reload (a retry after a 402, say). Forgetting one only costs that reload.
 */
export const claimedKeysRememberedMax = 50_000;
/** Commands per postMessage between the main thread and a worker (one structured clone each). */
export const workerMessageCommandsMax = 2_000;
/** An actor with no command for this long and no live hold passivates and frees its memory. */
export const actorIdleMs = 60_000;
/** How often a worker looks for idle actors. */
export const actorPassivationCheckMs = 10_000;
/**
 * Actors whose epoch one statement re-checks after the ring of booking nodes changed
 * (ownership-check.ts): bounds the statement; a worker with more takes several turns.
 */
export const ownershipCheckEventsMax = 2_000;
export const holdLapseSweep = { everyMs: 5_000, overdueMs: 2_000, eventsMax: 200 } as const; // lapse-sweep.ts
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
/**
 * A confirm holds its key's claim this long without recording a payment before a retry of the same
 * request may take the key over. Far above the claim-to-intent path, which is bounded by request
 * timeouts (10 s per actor call): a live holder does not lose its key to a retry.
 */
export const idempotencyClaimLeaseMs = 60_000;
/** Recovery: how often captured-but-unbooked payments are looked for, and how many per pass. */
export const recoveryIntervalMs = 30_000;
export const recoveryBatchMax = 200;
/** A payment still `pending` after this long has lost its saga (crash): recovery asks the provider. */
export const pendingPaymentAbandonMs = 2 * paymentProviderTimeoutMs + 10_000;
/** Calls of one saga step to the actor (re-routed on a stale owner or a restart). */
export const sagaActorAttemptsMax = 5;
/** GET /bookings returns at most this many, newest first. */
export const bookingsPageMax = 100;
/** Seat-map renderers the catalog keeps (domain/seat-map-json.ts): events, and their seats in all. */
export const seatMapsCachedMax = 1_000;
/** ~200 bytes of text a seat: 1,000,000 seats hold ~200 MB. */
export const seatMapsCachedSeatsMax = 1_000_000;
/** Deltas held while a catalog node fetches a seat snapshot from the actor; past it they are dropped
 * and the snapshot is fetched again (catalog/seat-map-reader.ts). */
export const seatMapDeltasWhileFetchingMax = 1_000;
/** A seat snapshot no delta has confirmed for this long is checked against the committed version in
 * Postgres (a delta lost with nothing after it would otherwise leave the map stale for good). */
export const seatMapRevalidateMs = 2_000;
/** Seat-map snapshots per event are published at most once per this window (SEAT_MAP_COALESCE_MS; at
 * most realtimeCoalesceMsMax): a crowd of readers costs ~10 renders a second per event, and a map
 * lags the actor by this much at most (plus the delta's trip). The first change after a quiet window
 * is published at the next read. */
export const seatMapCoalesceMsDefault = 100;
/** Live seat maps (tickets, compact): a cache holds one a second, and may serve it this much longer
 * while it revalidates; a client catches up from the map's version through the real-time replay ring
 * (seatReplayFramesMax frames, ~25 s of a rush at 10 frames a second). */
export const seatMapMaxAgeSeconds = 1;
export const seatMapStaleWhileRevalidateSeconds = 10;
/** The layout of an event never changes (PATCH cannot touch sections): caches keep it a day. */
export const layoutMaxAgeSeconds = 86_400;
/** JSON answers over this many bytes are compressed when the client accepts it; below, a few bytes
 * saved do not pay the CPU. */
export const compressAnswerBytesMin = 1024;

// Waiting room (actors/waiting-room).
/** People waiting for one event: the 10,000,000-user rush fits; ~100 bytes each in Redis. */
export const lineLengthMax = 10_000_000;
/** Shoppers admitted in one tick: one Lua script of bounded run time (~0.5 ms per 100 measured). */
export const admissionBatchMax = 500;
/** Waiting-room pushes per tick per event (admitted + position updates): bounds the fan-out to gateways. */
export const waitingRoomNotificationsPerTickMax = 1_000;
/** Position updates go out at most this often per event (clients can also poll). */
export const waitingRoomPositionPushIntervalMs = 1_000;
/** The waiting-room actor's tick while people wait or shoppers are active, and while the event is idle. */
export const waitingRoomTickMs = 250;
export const waitingRoomIdleTickMs = 2_000;
/** The owner's lease on an event's waiting room: renewed every tick, so a dead owner is replaced in it. */
export const waitingRoomLeaseTtlMs = 5_000;
/** How often each node looks for waiting rooms it should run (after a restart or a topology change). */
export const waitingRoomDiscoveryIntervalMs = 2_000;
/** Waiting-room actors one node runs at most (each costs one Redis script per tick). */
export const waitingRoomActorsPerNodeMax = 10_000;
/** Sliding window over which the admission rate behind the ETA is measured. */
export const admissionRateWindowSeconds = 60;
/** Retry-After sent with 503 OVERLOADED when the waiting room's Redis is unreachable or full. */
export const waitingRoomRetryAfterSeconds = 5;
/** Admission tokens longer than this are refused before any parsing. */
export const admissionTokenLengthMax = 512;
/**
 * Used admissions one booking actor remembers until their tokens expire (~150 bytes each, ~40 MB at
 * most). Each new shopper uses one; the default settings (6,000 a minute, 900 s tokens) admit at most
 * 90,000 per token lifetime. Past it a new shopper is refused (503) rather than a spent token forgotten.
 */
export const usedAdmissionsPerEventMax = 250_000;
/** Retry-After of a reserve refused because `maxActiveShoppers` users already hold seats. */
export const activeShoppersFullRetryAfterSeconds = 5;
/** Event settings cached in memory per node (reserve path, waiting room): entries and freshness. */
export const eventSettingsCacheMax = 10_000;
export const eventSettingsCacheTtlMs = 2_000;
/** Joins (or polls) of one event sent to Redis in one script: bounds the script's run time (~1 ms). */
export const lineBatchMax = 256;
/** Joins (or polls) of one event queued behind its in-flight script call (batcher.ts); beyond: 503. */
export const lineQueuedMax = 8_192;
/** User pushes in one `realtime.toUsers` broadcast (~150-400 bytes each): well under NATS's 1 MB. */
export const userPushesPerBroadcastMax = 500;

// Real-time seat map (gateway/realtime/).
/** Coalescing window per event: a client gets ~10 frames a second under a rush, not thousands. */
export const realtimeCoalesceMsDefault = 100;
/** A longer window would make the map feel stale; a configured value above this is refused. */
export const realtimeCoalesceMsMax = 2_000;
/** Distinct tickets merged into one frame; past it the frame is sent early (bounds the merge buffer).
 * While a fan-out pass is still running, merging goes on: the buffer is then bounded by the event's
 * ticket count (one entry per ticket). */
export const seatFrameChangesMax = 5_000;
/** Deltas held while a gateway learns an event's current version; past it they are dropped (gap -> resync). */
export const seatDeltasWhileActivatingMax = 1_000;
/** Events one gateway node tracks at once (each holds a replay ring); idle ones are evicted first. */
export const realtimeEventsTrackedMax = 10_000;
/** An event with no subscriber is kept this long so reconnecting clients can still resume from its ring. */
export const realtimeEventIdleMs = 60_000;
/** Recent frames per event kept for resume (SSE Last-Event-ID, Socket.IO subscribe with version). */
export const seatReplayFramesMax = 256;
/** ...and at most this many changes in them altogether (bounds a ring to ~1 MB of JSON). */
export const seatReplayChangesMax = 20_000;
/** Socket.IO connections per gateway node: past it the handshake is refused (HTTP 403). */
export const socketConnectionsPerNodeMax = 20_000;
/** Events one socket may follow at once. */
export const subscriptionsPerSocketMax = 20;
/** A socket with more unsent packets or bytes than this is lagging: its frames are dropped and it is told to resync. */
export const socketBufferedPacketsMax = 32;
export const socketBufferedBytesMax = 512 * 1024;
/** Largest message a Socket.IO client may send (subscribe/unsubscribe are tiny). */
export const socketMessageBytesMax = 16 * 1024;
/** Server-sent-event streams per gateway node: past it, 503 OVERLOADED. */
export const sseClientsPerNodeMax = 10_000;
/**
 * Open TCP connections per gateway node (REST, Socket.IO and SSE alike): past it, new connections are
 * closed at once, so a connection flood costs file descriptors and memory up to here and no further.
 * Room for the Socket.IO and SSE bounds plus REST; the open-file limit (`ulimit -n`) must be above it.
 */
export const httpConnectionsPerNodeMaxDefault = socketConnectionsPerNodeMax + sseClientsPerNodeMax + 2_000;
/** An SSE stream with more unsent bytes than this is lagging (told to resync once it drains). */
export const sseBufferedBytesMax = 512 * 1024;
/** SSE heartbeat comment: keeps proxies (often a 30-60 s idle limit) and the gateway's idle timeout from closing the stream. */
export const sseHeartbeatMsDefault = 15_000;
/** Sockets written per turn of the event loop during a fan-out: a frame to 10,000 sockets yields
 * 20 times, so heartbeats and the transporter are never held up for the whole pass. */
export const fanoutChunkSockets = 500;
/** How often lagging clients are checked for having drained. */
export const realtimeLagCheckMs = 250;
/** Every call the gateway makes to learn an event's version has this timeout. */
export const seatMapCallTimeoutMs = 5_000;

// Per-client caps on live connections (gateway/realtime/client-caps.ts). The client is the user of a
// valid token, else the address (an IPv6 client by its /64), as for the rate limit; counted per
// gateway node, in memory. Past a cap: 429 RATE_LIMITED with Retry-After. One client can never fill
// a node's caps (socketConnectionsPerNodeMax, sseClientsPerNodeMax). Configurable (the load tests,
// which connect thousands of clients from 127.0.0.1, raise them).
/** Socket.IO connections one client holds on one node: a user's tabs, or a small office behind one address. */
export const socketConnectionsPerClientMaxDefault = 100;
/** Socket.IO handshakes one client starts per second (sliding window): a page load needs one. */
export const socketHandshakesPerClientPerSecondDefault = 20;
/** SSE update streams one client holds on one node. */
export const sseStreamsPerClientMaxDefault = 100;
/** Retry-After at a connection cap: a slot frees when one of the client's connections closes. */
export const clientConnectionsRetryAfterSeconds = 5;
/** Clients whose handshake rate one node tracks (~150 bytes each); the longest idle are forgotten first. */
export const socketHandshakeClientsTrackedMax = 100_000;

// Metrics (platform/prometheus.ts, platform/metrics-server.ts).
/** METRICS_TOKEN: long enough that guessing it is hopeless (it is compared in constant time). */
export const metricsTokenLengthMin = 16;
export const metricsTokenLengthMax = 512;
/** A scrape on METRICS_PORT must arrive (headers and all) within this. */
export const metricsRequestTimeoutMs = 5_000;
/**
 * Label-set keys each Moleculer metric remembers (platform/metric-label-keys.ts): as many as any
 * metric has series and more; past it keys are built per use, as Moleculer does.
 */
export const metricLabelKeysCachedMax = 10_000;
/**
 * Series of the gateway's HTTP request histogram (route template x method x status: about 30 x 4 x
 * 10 in practice); past it, new combinations are counted in one overflow series.
 */
export const httpRequestSeriesMax = 2_000;

// Start of a node (node.ts, main.ts, platform/start-stages.ts): every stage has a timeout and logs
// `start stage <name>` and its duration; a stage past its timeout fails the start, and main.ts exits
// non-zero naming it, so a supervisor restarts the node instead of it hanging without a word.
// Overridable per stage (START_*_TIMEOUT_MS; the tests use tiny ones).
/** Connecting to PostgreSQL and creating the database when it is missing. */
export const startDatabaseTimeoutMsDefault = 30_000;
/** All pending migrations, waiting for another node's migration lock included (each statement too). */
export const startMigrationsTimeoutMsDefault = 600_000;
/** Connecting to the transporter (NATS); Moleculer itself retries for ever. */
export const startTransporterTimeoutMsDefault = 60_000;
/** One service's start (the booking service's covers its actor workers' attempts below). */
export const startServiceTimeoutMsDefault = 120_000;
/** An actor worker must say "ready" within this, else it is killed and started again. */
export const startActorWorkerTimeoutMsDefault = 30_000;
/** Starts of one actor worker before the node's start fails. */
export const actorWorkerStartAttemptsMax = 3;
/** Seeding the demo catalog (one transaction; a few seconds on an idle machine). */
export const startDemoSeedTimeoutMsDefault = 300_000;
/** Closing what a failed start opened, before startNode rejects. */
export const startAbandonTimeoutMs = 5_000;

// Stop of a node (SIGTERM or SIGINT; main.ts, node.ts, platform/stop-signals.ts): the gateway stops
// accepting, requests in flight finish, actions and actor turns in progress finish (their commits
// included), then pools close and the process exits 0, all within stopTimeoutMs: under the 10 s an
// orchestrator usually grants before its SIGKILL (compose's default stop_grace_period).
/** Requests in flight on the gateway may finish within this once it stops accepting. */
export const stopDrainTimeoutMs = 5_000;
/** Actions a node is running when it stops (calls from other nodes included) may finish within this. */
export const stopActionsTimeoutMs = 5_000;
/** The whole stop; past it the node names what it was still waiting for and exits 1. */
export const stopTimeoutMs = 9_000;
/**
 * A second SIGTERM/SIGINT forces the exit, unless it comes within this of the first: Ctrl-C reaches
 * a node both from the terminal and through npm (or the cluster launcher), and that is one request.
 */
export const stopSignalRepeatMs = 1_000;

/** A client's X-Request-ID longer than this (or not a plain token) is replaced by one of ours. */
export const requestIdLengthMax = 128;

// E-tickets, check-in and organiser reads (issue 19), webhooks (issue 19) and presale codes (issue 18):
// in their own files, re-exported here.
export * from "./ticket-limits.ts";
export * from "./webhook-limits.ts";
export * from "./presale-limits.ts";
