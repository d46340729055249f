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

// Real-time seat map (gateway/realtime/).
/** Coalescing window per event: a client gets ~10 frames a second under a rush, not thousands. */
export const realtimeCoalesceMsDefault = 100;
/** A longer window would make the map feel stale; a configured value above this is refused. */
export const realtimeCoalesceMsMax = 2_000;
/** Distinct tickets merged into one frame; past it the frame is sent early (bounds the merge buffer). */
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
/** An SSE stream with more unsent bytes than this is lagging (told to resync once it drains). */
export const sseBufferedBytesMax = 512 * 1024;
/** SSE heartbeat comment: keeps proxies and the gateway's 30 s idle timeout from closing the stream. */
export const sseHeartbeatMsDefault = 15_000;
/** How often lagging clients are checked for having drained. */
export const realtimeLagCheckMs = 250;
/** Every call the gateway makes to learn an event's version has this timeout. */
export const seatMapCallTimeoutMs = 5_000;
