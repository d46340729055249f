// Redis keys of the waiting room. Every key of one event carries the event id as a hash tag
// (`{eventId}`), so a Lua script touching several of them stays in one slot of a Redis Cluster.
// The client adds the node's key prefix (platform/redis.ts).

export interface WaitingRoomKeys {
  /** ZSET user -> score: early joiners a random score in [0, 1), later ones their sequence (>= 1). */
  waiting: string;
  /** Arrival counter behind the scores of later joiners. */
  sequence: string;
  /** ZSET user -> admission expiry (ms): the shoppers counted against maxActiveShoppers. */
  active: string;
  /** ZSET user -> admission expiry (ms): every unexpired admission, to answer polls with the token. */
  admitted: string;
  /** HASH: token bucket (tokens, refilledAtMs), measured admission rate (ratePerSecond). */
  state: string;
  /** HASH epoch second -> admissions in that second: the sliding window behind the ETA. */
  window: string;
  /** The owner's lease: `<nodeId>:<fence>`, with a TTL. */
  lease: string;
  /** Counter that makes every lease value unique (the fencing token). */
  fence: string;
}

export function waitingRoomKeys(eventId: string): WaitingRoomKeys {
  const base = `waiting-room:{${eventId}}:`;
  return {
    waiting: base + "waiting",
    sequence: base + "sequence",
    active: base + "active",
    admitted: base + "admitted",
    state: base + "state",
    window: base + "window",
    lease: base + "lease",
    fence: base + "fence",
  };
}

/** SET of event ids with a waiting room in use: how nodes find the waiting rooms to run after a restart. */
export const waitingRoomEventsKey = "waiting-room:events";
