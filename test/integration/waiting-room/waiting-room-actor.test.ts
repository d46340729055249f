// The line and the waiting-room actor against a real Redis (own key prefix per run), driven tick by tick
// with a manual clock: lottery, FIFO, capacity and rate, expiry, fencing, live pushes.
import { expect } from "chai";
import { ManualClock } from "../../../domain/clock.ts";
import { waitingRoomDefaults, type WaitingRoomSettings } from "../../../domain/event.ts";
import type { RedisClient } from "../../../platform/redis.ts";
import { createAdmissionTokens } from "../../../actors/waiting-room/admission-token.ts";
import { createEventSettingsCache, type EventSettings } from "../../../actors/waiting-room/event-settings.ts";
import { waitingRoomEventsKey, waitingRoomKeys } from "../../../actors/waiting-room/keys.ts";
import { WaitingRoomActor, type TickResult } from "../../../actors/waiting-room/waiting-room-actor.ts";
import { createLine, type WaitingRoomAnswer } from "../../../actors/waiting-room/line.ts";
import { uniqueName } from "../../support/system.ts";
import { connectTestRedis, deleteTestKeys } from "../../support/clusters.ts";

const quietLogger = { warn() {}, info() {} };

describe("the line and the waiting-room actor (real Redis)", () => {
  let redis: RedisClient;
  const prefix = `${uniqueName("mqtest")}:`;
  const tokens = createAdmissionTokens("waiting-room-actor-test-secret");
  let clock: ManualClock;
  let events: Map<string, EventSettings>;
  let pushes: { userId: string; data: WaitingRoomAnswer }[];

  before(async () => {
    // The Redis Cluster under `npm run test:clusters`.
    redis = await connectTestRedis(prefix);
  });
  after(async () => {
    await deleteTestKeys(redis, prefix);
    redis.disconnect();
  });
  beforeEach(() => {
    clock = new ManualClock();
    events = new Map();
    pushes = [];
  });

  const settingsCache = () =>
    createEventSettingsCache(async (eventId) => events.get(eventId) ?? null, { ttlMs: 0 });

  function makeEvent(room: Partial<WaitingRoomSettings>, onSaleInMs = 0): EventSettings {
    const event: EventSettings = {
      eventId: uniqueName("ev"),
      onSaleAtMs: clock.now() + onSaleInMs,
      startsAtMs: clock.now() + 30 * 86_400_000,
      waitingRoom: { ...waitingRoomDefaults, enabled: true, ...room },
    };
    events.set(event.eventId, event);
    return event;
  }

  function makeActor(
    event: EventSettings,
    ownerId = "node-a",
    extra: Record<string, unknown> = {},
  ): WaitingRoomActor {
    return new WaitingRoomActor({
      eventId: event.eventId,
      redis,
      clock,
      ownerId,
      settings: settingsCache(),
      tokens,
      notify: (userId, data) => pushes.push({ userId, data }),
      isPreferredOwner: () => true,
      onRetire: () => {},
      logger: quietLogger,
      ...extra,
    });
  }

  const line = () => createLine(redis, tokens);
  const lineEvent = (event: EventSettings) => ({
    eventId: event.eventId,
    onSaleAtMs: event.onSaleAtMs,
    settings: event.waitingRoom,
  });
  const users = (prefixText: string, count: number) =>
    Array.from({ length: count }, (_, index) => `${prefixText}${index}`);

  /** Ticks (advancing the clock by `stepMs` before each) until `count` people got in. */
  async function admitAll(actor: WaitingRoomActor, count: number, stepMs: number): Promise<string[]> {
    const order: string[] = [];
    for (let ticks = 0; order.length < count; ticks++) {
      if (ticks > 10_000) throw new Error("admission stalled");
      clock.advance(stepMs);
      const result = await actor.tick();
      order.push(...result.admitted);
    }
    return order;
  }

  it("draws lots among early joiners, then serves later ones in arrival order", async () => {
    const event = makeEvent({ admitPerMinute: 300, maxActiveShoppers: 1_000 }, 60_000);
    const early = users("early-", 30);
    const late = users("late-", 10);
    for (const userId of early) {
      const answer = await line().join(lineEvent(event), userId, clock.now());
      const untilSale = Math.ceil((event.onSaleAtMs - clock.now()) / 1000);
      expect(answer).to.deep.equal({ status: "waiting", position: null, estimatedWaitSeconds: untilSale });
      clock.advance(100);
    }
    // Joining again before the sale keeps the drawn place.
    const placesBefore = await redis.zrange(waitingRoomKeys(event.eventId).waiting, 0, -1);
    await line().join(lineEvent(event), early[0], clock.now());
    expect(await redis.zrange(waitingRoomKeys(event.eventId).waiting, 0, -1)).to.deep.equal(placesBefore);

    const actor = makeActor(event);
    const beforeSale = await actor.tick();
    expect(beforeSale.admitted).to.deep.equal([]); // nobody gets in before onSaleAt
    expect(beforeSale.admissible).to.equal(0); // room for 1,000, but the sale is not open

    clock.set(event.onSaleAtMs);
    for (const [index, userId] of late.entries()) {
      const answer = await line().join(lineEvent(event), userId, clock.now());
      expect(answer.position).to.equal(early.length + index + 1);
    }
    const earlyPositions = await Promise.all(
      early.map(async (userId) => (await line().status(lineEvent(event), userId, clock.now()))!.position),
    );
    expect([...earlyPositions].sort((a, b) => a! - b!)).to.deep.equal(early.map((_, index) => index + 1));

    const order = await admitAll(actor, early.length + late.length, 1_000);
    const earlyOrder = order.slice(0, early.length);
    expect([...earlyOrder].sort()).to.deep.equal([...early].sort()); // every early joiner first
    expect(earlyOrder).to.not.deep.equal(early); // ... in drawn order, not arrival order
    expect(earlyOrder).to.deep.equal(
      [...early].sort((a, b) => earlyPositions[early.indexOf(a)]! - earlyPositions[early.indexOf(b)]!),
    );
    expect(order.slice(early.length)).to.deep.equal(late); // FIFO after the sale opened
  });

  it("keeps arrival order after the sale opens, and the first place on a second join", async () => {
    const event = makeEvent({ admitPerMinute: 60 });
    const people = users("fifo-", 12);
    for (const [index, userId] of people.entries()) {
      const answer = await line().join(lineEvent(event), userId, clock.now());
      expect(answer.status).to.equal("waiting");
      expect(answer.position).to.equal(index + 1);
      expect(answer.estimatedWaitSeconds).to.be.greaterThan(0);
    }
    const again = await line().join(lineEvent(event), people[3], clock.now());
    expect(again.position).to.equal(4);
    const actor = makeActor(event);
    expect(await admitAll(actor, people.length, 1_000)).to.deep.equal(people);
  });

  it("batches joins that arrive together, keeping their order and each user's first place", async () => {
    const event = makeEvent({});
    const batched = createLine(redis, tokens, { batchMax: 64 });
    const people = users("batch-", 150);
    // 150 joins in one turn (three scripts of at most 64) plus a duplicate inside the batch.
    const answers = await Promise.all([
      ...people.map((userId) => batched.join(lineEvent(event), userId, clock.now())),
      batched.join(lineEvent(event), people[5], clock.now()),
    ]);
    expect(answers.slice(0, 150).map((answer) => answer.position)).to.deep.equal(people.map((_, i) => i + 1));
    expect(answers[150].position).to.equal(6);
    const polled = await Promise.all(
      people.map((userId) => batched.status(lineEvent(event), userId, clock.now())),
    );
    expect(polled.map((answer) => answer!.position)).to.deep.equal(people.map((_, i) => i + 1));
    expect(await batched.status(lineEvent(event), "stranger", clock.now())).to.equal(null);
  });

  it("refuses joins with 503 OVERLOADED once the line is full, but keeps those in it", async () => {
    const event = makeEvent({});
    const small = createLine(redis, tokens, { waitingMax: 3 });
    for (const userId of users("full-", 3)) await small.join(lineEvent(event), userId, clock.now());
    const refused = await small.join(lineEvent(event), "one-too-many", clock.now()).catch((error) => error);
    expect(refused.code).to.equal("OVERLOADED");
    expect(refused.retryAfterSeconds).to.be.greaterThan(0);
    expect((await small.join(lineEvent(event), "full-1", clock.now())).position).to.equal(2);
  });

  it("never admits past capacity or rate; frees places on leave and on unused-token expiry", async () => {
    const room = { maxActiveShoppers: 7, admitPerMinute: 120, tokenTtlSeconds: 60 };
    const event = makeEvent(room);
    const people = users("cap-", 400);
    for (const userId of people) await line().join(lineEvent(event), userId, clock.now());
    const actor = makeActor(event);
    const ratePerMs = room.admitPerMinute / 60_000;
    const burst = 2;
    const history: { atMs: number; admitted: number }[] = [];
    const active = new Set<string>();
    let ticksAtCapacity = 0;
    let seed = 7;
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    for (let tick = 0; tick < 300; tick++) {
      clock.advance(50 + Math.floor(random() * 600));
      // Some shoppers finish (booking.holdsEnded does this ZREM).
      for (const userId of [...active]) {
        if (random() < 0.08) {
          await redis.zrem(waitingRoomKeys(event.eventId).active, userId);
          active.delete(userId);
        }
      }
      const result: TickResult = await actor.tick();
      for (const userId of result.admitted) active.add(userId);
      expect(result.activeCount).to.be.at.most(room.maxActiveShoppers);
      // Those there is room for and only the rate holds back (the metric of a stalled line).
      expect(result.admissible).to.equal(
        Math.min(result.waitingCount, room.maxActiveShoppers - result.activeCount),
      );
      if (result.activeCount === room.maxActiveShoppers) ticksAtCapacity++;
      expect(await redis.zcard(waitingRoomKeys(event.eventId).active)).to.be.at.most(room.maxActiveShoppers);
      history.push({ atMs: clock.now(), admitted: result.admitted.length });
    }
    const total = history.reduce((sum, entry) => sum + entry.admitted, 0);
    expect(total).to.be.greaterThan(50); // it did admit, limited by rate and capacity
    expect(ticksAtCapacity).to.be.greaterThan(10); // capacity was the limit for a while
    // Token bucket: any run of ticks admits at most burst + rate x elapsed time.
    for (let from = 0; from < history.length; from++) {
      let sum = 0;
      for (let to = from; to < history.length; to++) {
        sum += history[to].admitted;
        const allowed = burst + (history[to].atMs - history[from].atMs) * ratePerMs;
        expect(sum, `ticks ${from}..${to}`).to.be.at.most(allowed + 1e-9);
      }
    }
    // Those who never use their token stop counting when it expires.
    const stillActive = await redis.zcard(waitingRoomKeys(event.eventId).active);
    expect(stillActive).to.be.greaterThan(0);
    clock.advance(room.tokenTtlSeconds * 1000 + 1);
    const after = await actor.tick();
    expect(after.activeCount).to.equal(after.admitted.length);
    expect(after.admitted.length).to.be.greaterThan(0);
  });

  it("hands admitted users a valid token, by push and by poll, and pushes positions to the waiting", async () => {
    const event = makeEvent({ admitPerMinute: 180, maxActiveShoppers: 1_000 });
    const people = users("push-", 20);
    for (const userId of people) await line().join(lineEvent(event), userId, clock.now());
    const actor = makeActor(event, "node-a", { notificationsMax: 8 });
    clock.advance(1_000);
    const result = await actor.tick();
    expect(result.admitted).to.deep.equal(people.slice(0, 3));
    const admittedPushes = pushes.filter((push) => push.data.status === "admitted");
    expect(admittedPushes.map((push) => push.userId)).to.deep.equal(people.slice(0, 3));
    for (const push of admittedPushes) {
      const check = tokens.verify(push.data.admissionToken, {
        eventId: event.eventId,
        userId: push.userId,
        nowMs: clock.now(),
      });
      expect(check.ok).to.equal(true);
      const polled = await line().status(lineEvent(event), push.userId, clock.now());
      expect(polled).to.deep.equal(push.data);
      const rejoined = await line().join(lineEvent(event), push.userId, clock.now());
      expect(rejoined).to.deep.equal(push.data);
    }
    // The rest of the budget (5) went to the front of the line (3) and a slice behind it (2), with
    // exact positions.
    const positionPushes = pushes.filter((push) => push.data.status === "waiting");
    expect(positionPushes.map((push) => [push.userId, push.data.position])).to.deep.equal(
      people.slice(3, 8).map((userId, index) => [userId, index + 1]),
    );
    // The ETA follows the measured rate (3 admitted in the first second of the window).
    const status = await line().status(lineEvent(event), people[10], clock.now());
    expect(status!.position).to.equal(8);
    expect(status!.estimatedWaitSeconds).to.equal(Math.ceil(8 / 3));
    expect(result.ratePerSecond).to.equal(3);
    // The next push: the front again, then the next slice of the line, until it wraps.
    const nextPositions = async () => {
      clock.advance(1_000);
      pushes = [];
      await actor.tick();
      return pushes.filter((push) => push.data.status === "waiting").map((push) => push.data.position);
    };
    expect(await nextPositions()).to.deep.equal([1, 2, 3, 6, 7]); // 14 waiting now
    expect(await nextPositions()).to.deep.equal([1, 2, 3, 8, 9]); // 11 waiting
    expect(await nextPositions()).to.deep.equal([1, 2, 3, 4, 5]); // 8 waiting: the slice wrapped
  });

  it("lets one owner admit at a time; an owner that lost its lease is fenced", async () => {
    const event = makeEvent({ admitPerMinute: 60 });
    for (const userId of users("lease-", 10)) await line().join(lineEvent(event), userId, clock.now());
    const first = makeActor(event, "node-a");
    const second = makeActor(event, "node-b");
    clock.advance(1_000);
    expect((await first.tick()).admitted).to.have.length(1);
    expect(await redis.sismember(waitingRoomEventsKey, event.eventId)).to.equal(1);
    clock.advance(1_000);
    expect((await second.tick()).outcome).to.equal("lease-busy");
    // The first owner stalls past its lease; the second takes over.
    await redis.del(waitingRoomKeys(event.eventId).lease);
    clock.advance(1_000);
    expect((await second.tick()).admitted).to.have.length(1);
    clock.advance(1_000);
    const stale = await first.tick();
    expect(stale.outcome).to.equal("fenced");
    expect(stale.admitted).to.deep.equal([]);
    expect(first.holdsLease).to.equal(false);
    clock.advance(1_000);
    expect((await second.tick()).admitted).to.have.length(1);
    await second.stop();
    expect(await redis.exists(waitingRoomKeys(event.eventId).lease)).to.equal(0);
  });

  it("steps aside when the waiting room is switched off, keeping the line for when it comes back", async () => {
    const event = makeEvent({ admitPerMinute: 60 });
    for (const userId of users("off-", 3)) await line().join(lineEvent(event), userId, clock.now());
    let retired = "";
    const actor = makeActor(event, "node-a", { onRetire: (id: string) => (retired = id) });
    clock.advance(1_000);
    expect((await actor.tick()).admitted).to.deep.equal(["off-0"]);
    event.waitingRoom = { ...event.waitingRoom, enabled: false };
    expect((await actor.tick()).outcome).to.equal("retired");
    expect(retired).to.equal(event.eventId);
    expect(await redis.sismember(waitingRoomEventsKey, event.eventId)).to.equal(0);
    expect(await redis.exists(waitingRoomKeys(event.eventId).lease)).to.equal(0);
    event.waitingRoom = { ...event.waitingRoom, enabled: true };
    const again = makeActor(event, "node-b");
    clock.advance(1_000);
    expect((await again.tick()).admitted).to.deep.equal(["off-1"]);
    expect(await redis.sismember(waitingRoomEventsKey, event.eventId)).to.equal(1);
    await again.stop();
  });

  it("drops the waiting room once the event has started", async () => {
    const event = makeEvent({});
    await line().join(lineEvent(event), "someone", clock.now());
    let retired = "";
    const actor = makeActor(event, "node-a", { onRetire: (id: string) => (retired = id) });
    await actor.tick();
    clock.set(event.startsAtMs);
    expect((await actor.tick()).outcome).to.equal("retired");
    expect(retired).to.equal(event.eventId);
    expect(await redis.exists(waitingRoomKeys(event.eventId).waiting)).to.equal(0);
    expect(await redis.sismember(waitingRoomEventsKey, event.eventId)).to.equal(0);
  });
});
