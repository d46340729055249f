// The waiting room's Lua scripts: each one Redis round trip, atomic, so a join, a poll or an
// admission batch never sees half of another. ioredis sends them by SHA and resends the text after a
// Redis restart emptied the script cache (NOSCRIPT).
import type { RedisClient } from "../../platform/redis.ts";
import { invariant } from "../../domain/errors.ts";
import type { WaitingRoomKeys } from "./keys.ts";

// Join, for a batch of users of one event (joins arriving together share one round trip).
// Per user: already admitted (unexpired) -> that admission; already waiting -> the first place
// (never a second one); else a place: before the sale a random score in [0, 1) (the lottery), after
// it the next arrival number (>= 1, so every later joiner waits behind every early one).
// ARGV: waitingMax, onSaleAtMs, then (userId, nowMs, lotteryScore) per user.
// Reply: rate, then per user ('a', expiry) | ('w', rank; -1 before the sale) | ('f', '') for a full line.
const joinScript = `
local rate = redis.call('HGET', KEYS[4], 'ratePerSecond') or '0'
local waitingMax = tonumber(ARGV[1])
local onSaleAt = tonumber(ARGV[2])
local size = redis.call('ZCARD', KEYS[1])
local reply = {rate}
for i = 3, #ARGV, 3 do
  local user = ARGV[i]
  local now = tonumber(ARGV[i + 1])
  local kind = nil
  local expiry = redis.call('ZSCORE', KEYS[3], user)
  if expiry then
    if tonumber(expiry) > now then
      kind = 'a'
      reply[#reply + 1] = 'a'
      reply[#reply + 1] = expiry
    else
      redis.call('ZREM', KEYS[3], user)
    end
  end
  if not kind then
    local score = redis.call('ZSCORE', KEYS[1], user)
    if not score and size >= waitingMax then
      reply[#reply + 1] = 'f'
      reply[#reply + 1] = ''
    else
      if not score then
        if now < onSaleAt then score = ARGV[i + 2] else score = redis.call('INCR', KEYS[2]) end
        redis.call('ZADD', KEYS[1], score, user)
        size = size + 1
      end
      reply[#reply + 1] = 'w'
      -- Before the sale nobody's rank is known yet (the lottery), so none is looked up.
      if now < onSaleAt then reply[#reply + 1] = -1 else reply[#reply + 1] = redis.call('ZRANK', KEYS[1], user) end
    end
  end
end
return reply
`;

// Status, for a batch of users of one event: the same answer as a join, without joining.
// ARGV: (userId, nowMs) per user. Reply: rate, then per user ('a', expiry) | ('w', rank) | ('n', '').
const statusScript = `
local rate = redis.call('HGET', KEYS[4], 'ratePerSecond') or '0'
local reply = {rate}
for i = 1, #ARGV, 2 do
  local user = ARGV[i]
  local expiry = redis.call('ZSCORE', KEYS[3], user)
  if expiry and tonumber(expiry) > tonumber(ARGV[i + 1]) then
    reply[#reply + 1] = 'a'
    reply[#reply + 1] = expiry
  else
    local rank = redis.call('ZRANK', KEYS[1], user)
    if rank then
      reply[#reply + 1] = 'w'
      reply[#reply + 1] = rank
    else
      reply[#reply + 1] = 'n'
      reply[#reply + 1] = ''
    end
  end
end
return reply
`;

// One admission tick of the owner. Fenced: does nothing unless the lease still holds the caller's
// value. Drops expired admissions, refills the token bucket, admits min(free capacity, whole tokens,
// batch cap) from the front of the line, and measures the admission rate over a sliding window.
const admitScript = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return {'fenced'} end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
local now = tonumber(ARGV[3])
local onSaleAt = tonumber(ARGV[4])
local maxActive = tonumber(ARGV[5])
local perMinute = tonumber(ARGV[6])
local burst = tonumber(ARGV[7])
local batchMax = tonumber(ARGV[8])
local windowSeconds = tonumber(ARGV[10])
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now)
redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', now)
local tokens = tonumber(redis.call('HGET', KEYS[5], 'tokens') or burst)
local refilledAt = tonumber(redis.call('HGET', KEYS[5], 'refilledAtMs') or now)
if now > refilledAt then
  tokens = math.min(burst, tokens + (now - refilledAt) * perMinute / 60000)
  refilledAt = now
end
local active = redis.call('ZCARD', KEYS[3])
local admitted = {}
if now >= onSaleAt then
  local count = math.min(maxActive - active, math.floor(tokens), batchMax)
  if count > 0 then
    local popped = redis.call('ZPOPMIN', KEYS[2], count)
    for i = 1, #popped, 2 do
      admitted[#admitted + 1] = popped[i]
      redis.call('ZADD', KEYS[3], ARGV[9], popped[i])
      redis.call('ZADD', KEYS[4], ARGV[9], popped[i])
    end
    tokens = tokens - #admitted
    active = active + #admitted
  end
end
redis.call('HSET', KEYS[5], 'tokens', tostring(tokens), 'refilledAtMs', tostring(refilledAt))
local second = math.floor(now / 1000)
if #admitted > 0 then redis.call('HINCRBY', KEYS[6], tostring(second), #admitted) end
local buckets = redis.call('HGETALL', KEYS[6])
local sum = 0
local oldest = second
for i = 1, #buckets, 2 do
  local at = tonumber(buckets[i])
  if at <= second - windowSeconds then
    redis.call('HDEL', KEYS[6], buckets[i])
  else
    sum = sum + tonumber(buckets[i + 1])
    if at < oldest then oldest = at end
  end
end
local rate = 0
if sum > 0 then rate = sum / math.min(windowSeconds, second - oldest + 1) end
redis.call('HSET', KEYS[5], 'ratePerSecond', tostring(rate))
local reply = {'ok', active, redis.call('ZCARD', KEYS[2]), tostring(rate)}
for i = 1, #admitted do reply[#reply + 1] = admitted[i] end
return reply
`;

// A shopper's holds ended (booking.holdsEnded): their place is free. The admission the booking actor
// names (the latest the user used, by its expiry) and any earlier one are spent: the user is no longer
// admitted either (a join puts them at the back of the line); a newer admission of theirs stays.
// Without a name (they used none) only the place is freed. ARGV: userId, spent expiry or ''.
const spendScript = `
local user = ARGV[1]
if ARGV[2] == '' then return redis.call('ZREM', KEYS[1], user) end
local spent = tonumber(ARGV[2])
local removed = 0
for i = 1, 2 do
  local expiry = redis.call('ZSCORE', KEYS[i], user)
  if expiry and tonumber(expiry) <= spent then removed = removed + redis.call('ZREM', KEYS[i], user) end
end
return removed
`;

// Lease: taken only when free; the value carries a fresh fence number, so no two owners (nor an old
// owner come back from a pause) ever hold the same value.
const acquireScript = `
local current = redis.call('GET', KEYS[1])
if current then return {0, current} end
local value = ARGV[1] .. ':' .. redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], value, 'PX', ARGV[2])
return {1, value}
`;

const releaseScript = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

// The sale is over: the owner deletes the event's waiting room (the fence counter lives on for a week so a
// later lease value can never repeat an old one).
const dropScript = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7])
redis.call('PEXPIRE', KEYS[8], 604800000)
return 1
`;

/** One user's place: admitted (until expiresAtMs), waiting (rank from 0), none (not in line), full. */
export type Place =
  | { kind: "admitted"; expiresAtMs: number }
  | { kind: "waiting"; rank: number }
  | { kind: "none" }
  | { kind: "full" };

export interface PlacesReply {
  /** Admissions per second measured over the sliding window. */
  ratePerSecond: number;
  places: Place[];
}

export interface JoinRequest {
  userId: string;
  nowMs: number;
  lotteryScore: string;
}

export interface AdmitArguments {
  leaseValue: string;
  leaseTtlMs: number;
  nowMs: number;
  onSaleAtMs: number;
  maxActiveShoppers: number;
  admitPerMinute: number;
  burst: number;
  batchMax: number;
  expiresAtMs: number;
  windowSeconds: number;
}

export type AdmitReply =
  | { fenced: true }
  | { fenced: false; activeCount: number; waitingCount: number; ratePerSecond: number; admitted: string[] };

export interface WaitingRoomScripts {
  join(
    keys: WaitingRoomKeys,
    onSaleAtMs: number,
    waitingMax: number,
    requests: JoinRequest[],
  ): Promise<PlacesReply>;
  status(keys: WaitingRoomKeys, requests: { userId: string; nowMs: number }[]): Promise<PlacesReply>;
  admit(keys: WaitingRoomKeys, args: AdmitArguments): Promise<AdmitReply>;
  /** A shopper's holds ended: frees their place, and ends the admission they spent (if named). */
  spend(keys: WaitingRoomKeys, userId: string, spentExpiresAtMs: number | undefined): Promise<void>;
  acquire(
    keys: WaitingRoomKeys,
    ownerId: string,
    leaseTtlMs: number,
  ): Promise<{ acquired: boolean; value: string }>;
  release(keys: WaitingRoomKeys, leaseValue: string): Promise<boolean>;
  drop(keys: WaitingRoomKeys, leaseValue: string): Promise<boolean>;
}

const defined = new WeakSet<RedisClient>();

/** Defines the scripts on a client, once (ioredis then sends them by SHA). */
function defineScripts(redis: RedisClient): void {
  if (defined.has(redis)) return;
  redis.defineCommand("marqueeWaitingRoomJoin", { numberOfKeys: 4, lua: joinScript });
  redis.defineCommand("marqueeWaitingRoomStatus", { numberOfKeys: 4, lua: statusScript });
  redis.defineCommand("marqueeWaitingRoomAdmit", { numberOfKeys: 6, lua: admitScript });
  redis.defineCommand("marqueeWaitingRoomSpend", { numberOfKeys: 2, lua: spendScript });
  redis.defineCommand("marqueeWaitingRoomAcquire", { numberOfKeys: 2, lua: acquireScript });
  redis.defineCommand("marqueeWaitingRoomRelease", { numberOfKeys: 1, lua: releaseScript });
  redis.defineCommand("marqueeWaitingRoomDrop", { numberOfKeys: 8, lua: dropScript });
  defined.add(redis);
}

/** The scripts bound to a client (defined on it once). */
export function waitingRoomScripts(redis: RedisClient): WaitingRoomScripts {
  defineScripts(redis);
  const client = redis as any;
  return {
    async join(keys, onSaleAtMs, waitingMax, requests) {
      const args: (string | number)[] = [waitingMax, onSaleAtMs];
      for (const request of requests) args.push(request.userId, request.nowMs, request.lotteryScore);
      return places(
        await client.marqueeWaitingRoomJoin(keys.waiting, keys.sequence, keys.admitted, keys.state, ...args),
        requests.length,
      );
    },
    async status(keys, requests) {
      const args: (string | number)[] = [];
      for (const request of requests) args.push(request.userId, request.nowMs);
      return places(
        await client.marqueeWaitingRoomStatus(
          keys.waiting,
          keys.sequence,
          keys.admitted,
          keys.state,
          ...args,
        ),
        requests.length,
      );
    },
    async admit(keys, args) {
      return admitReply(await client.marqueeWaitingRoomAdmit(...admitArguments(keys, args)));
    },
    async spend(keys, userId, spentExpiresAtMs) {
      await client.marqueeWaitingRoomSpend(keys.active, keys.admitted, userId, spentExpiresAtMs ?? "");
    },
    async acquire(keys, ownerId, leaseTtlMs) {
      const [acquired, value] = await client.marqueeWaitingRoomAcquire(
        keys.lease,
        keys.fence,
        ownerId,
        leaseTtlMs,
      );
      return { acquired: acquired === 1, value: String(value) };
    },
    async release(keys, leaseValue) {
      return (await client.marqueeWaitingRoomRelease(keys.lease, leaseValue)) === 1;
    },
    async drop(keys, leaseValue) {
      return (
        (await client.marqueeWaitingRoomDrop(
          keys.lease,
          keys.waiting,
          keys.sequence,
          keys.active,
          keys.admitted,
          keys.state,
          keys.window,
          keys.fence,
          leaseValue,
        )) === 1
      );
    },
  };
}

/** KEYS then ARGV of the admit script, in the order it reads them. */
function admitArguments(keys: WaitingRoomKeys, args: AdmitArguments): (string | number)[] {
  return [
    keys.lease,
    keys.waiting,
    keys.active,
    keys.admitted,
    keys.state,
    keys.window,
    args.leaseValue,
    args.leaseTtlMs,
    args.nowMs,
    args.onSaleAtMs,
    args.maxActiveShoppers,
    args.admitPerMinute,
    args.burst,
    args.batchMax,
    args.expiresAtMs,
    args.windowSeconds,
  ];
}

function admitReply(reply: unknown[]): AdmitReply {
  if (reply[0] === "fenced") return { fenced: true };
  return {
    fenced: false,
    activeCount: Number(reply[1]),
    waitingCount: Number(reply[2]),
    ratePerSecond: Number(reply[3]),
    admitted: reply.slice(4).map(String),
  };
}

function places(reply: unknown[], expected: number): PlacesReply {
  invariant(reply.length === 1 + 2 * expected, `waiting-room script answered ${reply.length} items`);
  const result: Place[] = [];
  for (let index = 1; index < reply.length; index += 2) {
    const kind = reply[index];
    const value = reply[index + 1];
    if (kind === "a") result.push({ kind: "admitted", expiresAtMs: Number(value) });
    else if (kind === "w") result.push({ kind: "waiting", rank: Number(value) });
    else if (kind === "n") result.push({ kind: "none" });
    else if (kind === "f") result.push({ kind: "full" });
    else invariant(false, `waiting-room script answered an unknown kind ${String(kind)}`);
  }
  return { ratePerSecond: Number(reply[0]), places: result };
}
