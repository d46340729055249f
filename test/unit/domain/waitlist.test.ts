// The waiting list and cancellation rules of the event's actor, straight on decide(): joining, offers
// in list order (first fit, any seats) in the decision that frees the seats, offers lapsing to the next
// entry, leaving, cancellation, and the invariants (a seat offered to one entry at most; fewer seats
// available than the smallest quantity waited for), also over random runs.
import { expect } from "chai";
import { buildSeatLayout } from "../../../domain/seat-layout.ts";
import {
  createSeatState,
  decide,
  findInvariantViolations,
  type Command,
  type SeatState,
} from "../../../domain/seat-state.ts";
import { seededRandom } from "../../../domain/random.ts";

const ttlMs = 10_000;
const start = Date.parse("2027-01-01T00:00:00Z");

function newState(seats: number): SeatState {
  const layout = buildSeatLayout([{ name: "Floor", priceCents: 1_000, rows: [{ label: "A", seats }] }]);
  return createSeatState("ev_wl", layout, {
    active: true,
    onSaleAt: start - 1,
    startsAt: start + 86_400_000,
    ticketsPerUserMax: 100,
    holdTtlMs: ttlMs,
  });
}

const run = (state: SeatState, command: Command, now = start) => {
  const decision = decide(state, command, now);
  expect(findInvariantViolations(state, now)).to.deep.equal([]);
  return decision;
};
const holdAll = (state: SeatState, userId = "holder", now = start) =>
  run(
    state,
    { type: "reserve", userId, ordinals: [...Array(state.total).keys()], holdId: `h-${userId}` },
    now,
  );
const offerOf = (state: SeatState, userId: string) => state.waitlist.entries.get(userId);

describe("waiting list (domain)", () => {
  it("refuses a join while the quantity is available, keeps the first place on a second join", () => {
    const state = newState(4);
    const refused = run(state, { type: "waitlistJoin", userId: "ann", quantity: 4 });
    expect(refused.outcome.ok).to.equal(false);
    expect(refused.effects).to.deep.equal([]);
    run(state, { type: "reserve", userId: "holder", ordinals: [0, 1], holdId: "h1" });
    expect(run(state, { type: "waitlistJoin", userId: "ann", quantity: 3 }).outcome).to.deep.equal({
      ok: true,
      value: { status: "waiting", position: 1 },
    });
    const again = run(state, { type: "waitlistJoin", userId: "ann", quantity: 1 });
    expect(again.outcome).to.deep.equal({ ok: true, value: { status: "waiting", position: 1 } });
    expect(again.effects).to.deep.equal([]);
  });

  it("offers returned seats first fit in list order, in the same decision, as holds with the TTL", () => {
    const state = newState(4);
    holdAll(state);
    run(state, { type: "waitlistJoin", userId: "ann", quantity: 3 });
    run(state, { type: "waitlistJoin", userId: "ben", quantity: 1 });
    run(state, { type: "waitlistJoin", userId: "cid", quantity: 1 });
    const released = run(state, { type: "release", userId: "holder", ordinals: [1, 2] }, start + 5);
    // Ann (3) does not fit two seats; ben then cid get one each. Nothing is left available.
    expect(offerOf(state, "ben")).to.include({ status: "offered", offerExpiresAt: start + 5 + ttlMs });
    expect(offerOf(state, "ben")!.offer).to.deep.equal([1]);
    expect(offerOf(state, "cid")!.offer).to.deep.equal([2]);
    expect(offerOf(state, "ann")!.status).to.equal("waiting");
    expect(state.counts.available).to.equal(0);
    const statuses = released.effects.filter((effect) => effect.type === "seatsChanged");
    expect(statuses.map((effect) => (effect as any).status)).to.deep.equal([
      "available",
      "reserved",
      "reserved",
    ]);
    expect(released.effects.filter((effect) => effect.type === "waitlistOffered")).to.have.length(2);
  });

  it("lapses an unused offer to the next entry, and ends a booked offer as booked", () => {
    const state = newState(1);
    holdAll(state);
    run(state, { type: "waitlistJoin", userId: "ann", quantity: 1 });
    run(state, { type: "waitlistJoin", userId: "ben", quantity: 1 });
    run(state, { type: "expire" }, start + ttlMs); // the holder's hold lapses: ann's offer
    expect(offerOf(state, "ann")!.status).to.equal("offered");
    const lapsed = run(state, { type: "expire" }, start + 2 * ttlMs);
    expect(offerOf(state, "ann")).to.equal(undefined);
    expect(lapsed.effects).to.deep.include({
      type: "waitlistPut",
      entry: {
        userId: "ann",
        seq: 1,
        quantity: 1,
        status: "expired",
        holdId: `wl-1-${start + ttlMs}`,
        offer: [0],
        offerExpiresAt: start + 2 * ttlMs,
      },
    });
    expect(offerOf(state, "ben")!.offer).to.deep.equal([0]);
    const now = start + 2 * ttlMs + 1;
    run(
      state,
      { type: "confirmStart", userId: "ben", ordinals: [0], paymentId: "pay1", idempotencyKey: "k-ben-0001" },
      now,
    );
    expect(offerOf(state, "ben")!.status).to.equal("offered"); // paying: still his
    const booked = run(state, { type: "confirmComplete", paymentId: "pay1", bookingId: "bk1" }, now);
    expect(offerOf(state, "ben")).to.equal(undefined);
    expect(
      booked.effects.some((effect) => effect.type === "waitlistPut" && effect.entry.status === "booked"),
    ).to.equal(true);
  });

  it("gives a leaving entry's offer to the next entry", () => {
    const state = newState(1);
    holdAll(state);
    run(state, { type: "waitlistJoin", userId: "ann", quantity: 1 });
    run(state, { type: "waitlistJoin", userId: "ben", quantity: 1 });
    run(state, { type: "release", userId: "holder", ordinals: [0] });
    run(state, { type: "waitlistLeave", userId: "ann" });
    expect(offerOf(state, "ben")!.offer).to.deep.equal([0]);
  });

  it("keeps offers within the per-user cap: a join past it is refused, a lowered cap ends the entry", () => {
    const state = newState(6);
    state.settings.ticketsPerUserMax = 4;
    run(state, { type: "reserve", userId: "ann", ordinals: [0, 1, 2], holdId: "h-ann" });
    run(state, { type: "reserve", userId: "holder", ordinals: [3, 4, 5], holdId: "h-holder" });
    const refused = run(state, { type: "waitlistJoin", userId: "ann", quantity: 2 });
    expect(refused.outcome).to.deep.include({ ok: false });
    expect((refused.outcome as { error: { code: string } }).error.code).to.equal("TICKET_LIMIT_REACHED");
    expect(refused.effects).to.deep.equal([]);
    run(state, { type: "waitlistJoin", userId: "ann", quantity: 1 });
    run(state, { type: "waitlistJoin", userId: "ben", quantity: 1 });
    run(state, { type: "updateSettings", settings: { ticketsPerUserMax: 3 } });
    const released = run(state, { type: "release", userId: "holder", ordinals: [3] });
    // Ann holds 3 of a cap now 3: her entry ends, and the seat goes to ben, next in line.
    expect(offerOf(state, "ann")).to.equal(undefined);
    expect(offerOf(state, "ben")!.offer).to.deep.equal([3]);
    const ended = released.effects.find(
      (effect) => effect.type === "waitlistPut" && effect.entry.userId === "ann",
    );
    expect(ended).to.deep.nested.include({ "entry.userId": "ann", "entry.status": "expired" });
  });

  it("cancels a booking: its seats to the waiting list; a second cancel changes nothing", () => {
    const state = newState(2);
    holdAll(state, "buyer");
    run(state, {
      type: "confirmStart",
      userId: "buyer",
      ordinals: [0, 1],
      paymentId: "p1",
      idempotencyKey: "k-buyer-01",
    });
    run(state, { type: "confirmComplete", paymentId: "p1", bookingId: "b1" });
    run(state, { type: "waitlistJoin", userId: "ann", quantity: 2 });
    const cancel: Command = {
      type: "cancelBooking",
      bookingId: "b1",
      userId: "buyer",
      paymentId: "p1",
      ordinals: [0, 1],
      reason: "",
    };
    const first = run(state, cancel);
    expect(first.outcome).to.deep.equal({ ok: true, value: { cancelled: true } });
    expect(offerOf(state, "ann")!.offer).to.deep.equal([0, 1]);
    const second = run(state, cancel);
    expect(second.outcome).to.deep.equal({ ok: true, value: { cancelled: false } });
    expect(second.effects).to.deep.equal([]);
  });

  it("offers the same seats whether the actor lapsed holds in memory or was reloaded (seed 500022)", () => {
    // Holds of equal expiry lapse in the expiry heap's order, which depends on the order the holds
    // were loaded or made: the offer must not. Seats 0 and 3 come back at once; ann wants one.
    const layout = buildSeatLayout([{ name: "Floor", priceCents: 1_000, rows: [{ label: "A", seats: 4 }] }]);
    const hold = (ordinal: number, userId: string, expiresAt: number) => ({
      ordinal,
      holdId: `h-${ordinal}`,
      userId,
      status: "held" as const,
      expiresAt,
      paymentId: null,
    });
    const offers = [
      [hold(0, "x", start + ttlMs), hold(3, "y", start + ttlMs)],
      [hold(3, "y", start + ttlMs), hold(0, "x", start + ttlMs)],
    ].map((lapsing) => {
      const state = createSeatState(
        "ev_wl",
        layout,
        {
          active: true,
          onSaleAt: start - 1,
          startsAt: start + 86_400_000,
          ticketsPerUserMax: 100,
          holdTtlMs: ttlMs,
        },
        {
          bookedOrdinals: [],
          bookedUserIds: [],
          holds: [...lapsing, hold(1, "z", start + 5 * ttlMs), hold(2, "z", start + 5 * ttlMs)],
          version: 1,
          waitlist: {
            entries: [
              {
                userId: "ann",
                seq: 1,
                quantity: 1,
                status: "waiting",
                holdId: null,
                offer: null,
                offerExpiresAt: null,
              },
            ],
            maxSeq: 1,
          },
        },
      );
      run(state, { type: "expire" }, start + ttlMs);
      return offerOf(state, "ann")!.offer;
    });
    expect(offers).to.deep.equal([[0], [0]]);
  });

  it("keeps every invariant over random runs of reserves, releases, lapses, joins and leaves", () => {
    for (let seed = 1; seed <= 30; seed++) {
      const random = seededRandom(seed);
      const pick = <T>(items: T[]) => items[Math.floor(random() * items.length)];
      const state = newState(8);
      let now = start;
      const users = ["a", "b", "c", "d", "e"];
      for (let step = 0; step < 300; step++) {
        now += Math.floor(random() * 3_000);
        const user = pick(users);
        const roll = random();
        const ordinals = [Math.floor(random() * 8), Math.floor(random() * 8)].filter(
          (o, i, all) => all.indexOf(o) === i,
        );
        const command: Command =
          roll < 0.35
            ? { type: "reserve", userId: user, ordinals, holdId: `h${step}` }
            : roll < 0.55
              ? { type: "release", userId: user, ordinals }
              : roll < 0.8
                ? { type: "waitlistJoin", userId: user, quantity: 1 + Math.floor(random() * 4) }
                : roll < 0.88
                  ? { type: "waitlistLeave", userId: user }
                  : { type: "expire" };
        run(state, command, now);
      }
    }
  });
});
