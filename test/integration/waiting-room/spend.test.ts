// The spend script (booking.holdsEnded in the waiting room) against a real Redis: the admission the
// booking actor names, and any earlier one, end (place freed, no longer admitted); a newer admission
// of the same user stays; without a name only the place is freed.
import { expect } from "chai";
import type { RedisClient } from "../../../platform/redis.ts";
import { waitingRoomKeys } from "../../../actors/waiting-room/keys.ts";
import { waitingRoomScripts } from "../../../actors/waiting-room/scripts.ts";
import { uniqueName } from "../../support/system.ts";
import { connectTestRedis, deleteTestKeys } from "../../support/clusters.ts";

describe("waiting room: spending an admission (real Redis)", () => {
  let redis: RedisClient;
  const prefix = `${uniqueName("mqtest")}:`;

  before(async () => {
    // The Redis Cluster under `npm run test:clusters`.
    redis = await connectTestRedis(prefix);
  });
  after(async () => {
    await deleteTestKeys(redis, prefix);
    redis.disconnect();
  });

  /** An event where `userId` is admitted until `expiresAtMs`. */
  async function admittedUntil(userId: string, expiresAtMs: number) {
    const keys = waitingRoomKeys(uniqueName("ev"));
    await redis.zadd(keys.active, expiresAtMs, userId);
    await redis.zadd(keys.admitted, expiresAtMs, userId);
    return keys;
  }
  const scores = async (keys: ReturnType<typeof waitingRoomKeys>, userId: string) => [
    await redis.zscore(keys.active, userId),
    await redis.zscore(keys.admitted, userId),
  ];

  it("ends the named admission, and an earlier one", async () => {
    const scripts = waitingRoomScripts(redis);
    const named = await admittedUntil("ann", 5_000);
    await scripts.spend(named, "ann", 5_000);
    expect(await scores(named, "ann")).to.deep.equal([null, null]);
    const earlier = await admittedUntil("bob", 4_000);
    await scripts.spend(earlier, "bob", 5_000);
    expect(await scores(earlier, "bob")).to.deep.equal([null, null]);
  });

  it("keeps a newer admission, and frees only the place when none is named", async () => {
    const scripts = waitingRoomScripts(redis);
    const newer = await admittedUntil("cat", 9_000);
    await scripts.spend(newer, "cat", 5_000);
    expect(await scores(newer, "cat")).to.deep.equal(["9000", "9000"]);
    const unnamed = await admittedUntil("dan", 9_000);
    await scripts.spend(unnamed, "dan", undefined);
    expect(await scores(unnamed, "dan")).to.deep.equal([null, "9000"]);
  });
});
