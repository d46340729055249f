// The limits of webhooks (webhooks/; issue 19), re-exported by domain/limits.ts with every other limit.
/** Registered webhooks in all: each is looked at by every capturing trigger and every dispatcher pass. */
export const webhooksMax = 100;
/** A webhook's URL (browsers and proxies handle 2,048 everywhere). */
export const webhookUrlLengthMax = 2_048;
/** A webhook's free-text description. */
export const webhookDescriptionLengthMax = 500;
/** One delivery attempt (connect, send, answer headers) gives up after this long. */
export const webhookDeliveryTimeoutMs = 10_000;
/** Resolving a webhook's host name (at registration and before each connection) gives up after this. */
export const webhookDnsTimeoutMs = 5_000;
/** The first retry comes after WEBHOOK_RETRY_BASE_SECONDS (this by default), each next one twice as late... */
export const webhookRetryBaseSecondsDefault = 5;
/** ...up to an hour between two attempts (the contract). */
export const webhookRetryDelayMaxSeconds = 3_600;
/** A delivery is retried for at least this long before it is marked failed (the contract: 24 h). */
export const webhookRetryWindowSecondsDefault = 86_400;
/**
 * Deliveries one node has in flight to one webhook: a slow or dead receiver ties up at most this
 * many of a node's slots; the others' deliveries are claimed as before.
 */
export const webhookDeliveriesPerReceiverMax = 4;
/** Deliveries one node has in flight in all (sockets and memory). */
export const webhookDeliveriesInFlightMax = 64;
/** The dispatcher looks for newly due deliveries this often (WEBHOOK_POLL_INTERVAL_MS); a backlogged receiver is served as its slots free. */
export const webhookPollIntervalMsDefault = 500;
/**
 * A claimed delivery is leased for its timeout plus this: a node that dies mid-delivery leaves it to
 * another node once the lease ends (the receiver may then get it twice: at least once).
 */
export const webhookClaimLeaseMarginMs = 5_000;
/** Bytes of a receiver's answer read (and dropped) at most: only its status matters. */
export const webhookAnswerBytesMax = 64 * 1024;
/** The error kept with a failed attempt (`last_error`), in characters. */
export const webhookErrorLengthMax = 300;
/** GET /admin/webhooks/:id/deliveries: `limit` defaults to this and is at most webhookDeliveriesPageMax. */
export const webhookDeliveriesPageDefault = 50;
export const webhookDeliveriesPageMax = 200;
/** Finished deliveries (and their events) are kept this long, then swept, a batch at a time. */
export const webhookDeliveryRetentionMs = 30 * 86_400_000;
export const webhookSweepIntervalMs = 600_000;
export const webhookSweepBatchMax = 1_000;
/** Database connections of the webhooks service on a node (claims, outcomes, admin reads): its own pool. */
export const webhookPoolConnectionsMax = 3;
