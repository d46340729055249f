import { expect } from "chai";
import { ManualClock } from "../../../domain/clock.ts";
import { buildSeatLayout } from "../../../domain/seat-layout.ts";
import {
  createSeatState,
  decide,
  findInvariantViolations,
  nextExpiryAt,
  publicStatusAt,
  type Command,
  type Effect,
  type EventSettings,
  type SeatState,
} from "../../../domain/seat-state.ts";
import { seededRandom } from "../../../domain/random.ts";

const ttlMs = 10_000;
const start = Date.parse("2027-01-01T00:00:00Z");

function newState(seats: number, overrides: Partial<EventSettings> = {}): SeatState {
  const layout = buildSeatLayout([
    { name: "Floor", priceCents: 5_000, rows: [{ label: "A", seats: Math.ceil(seats / 2) }] },
    { name: "Balcony", priceCents: 2_500, rows: [{ label: "B", seats: Math.floor(seats / 2) }] },
  ]);
  return createSeatState("ev_test", layout, {
    active: true,
    onSaleAt: start - 1,
    startsAt: start + 365 * 86_400_000,
    ticketsPerUserMax: 10,
    holdTtlMs: ttlMs,
    ...overrides,
  });
}

const id = (ordinal: number) => `ev_test.${ordinal}`;

describe("seat state: decide()", () => {
  let clock: ManualClock;
  beforeEach(() => {
    clock = new ManualClock(start);
  });

  it("reserves all-or-nothing and lists the unavailable tickets", () => {
    const state = newState(10);
    const first = decide(
      state,
      { type: "reserve", userId: "u1", ordinals: [1, 2], holdId: "h1" },
      clock.now(),
    );
    expect(first.outcome.ok).to.equal(true);
    expect(first.effects.map((effect) => effect.type)).to.deep.equal(["holdsPut", "seatsChanged"]);
    const second = decide(
      state,
      { type: "reserve", userId: "u2", ordinals: [3, 2], holdId: "h2" },
      clock.now(),
    );
    expect(second.outcome).to.deep.include({ ok: false });
    expect((second.outcome as any).error.code).to.equal("TICKET_UNAVAILABLE");
    expect((second.outcome as any).error.details.ticketIds).to.deep.equal([id(2)]);
    expect(second.effects).to.deep.equal([]);
    expect(publicStatusAt(state, 3, clock.now())).to.equal("available");
  });

  it("answers a repeated reserve with the same expiry and no effect", () => {
    const state = newState(10);
    const first = decide(state, { type: "reserve", userId: "u1", ordinals: [1], holdId: "h1" }, clock.now());
    clock.advance(3_000);
    const again = decide(state, { type: "reserve", userId: "u1", ordinals: [1], holdId: "h2" }, clock.now());
    expect(again.outcome).to.deep.equal(first.outcome);
    expect(again.effects).to.deep.equal([]);
  });

  it("lapses a hold exactly at expiresAt, before any timer", () => {
    const state = newState(10);
    decide(state, { type: "reserve", userId: "u1", ordinals: [4], holdId: "h1" }, clock.now());
    clock.advance(ttlMs - 1);
    expect(publicStatusAt(state, 4, clock.now())).to.equal("reserved");
    const blocked = decide(
      state,
      { type: "reserve", userId: "u2", ordinals: [4], holdId: "h2" },
      clock.now(),
    );
    expect(blocked.outcome.ok).to.equal(false);
    clock.advance(1);
    expect(publicStatusAt(state, 4, clock.now())).to.equal("available");
    expect(nextExpiryAt(state)).to.equal(start + ttlMs);
    const taken = decide(state, { type: "reserve", userId: "u2", ordinals: [4], holdId: "h2" }, clock.now());
    expect(taken.outcome.ok).to.equal(true);
    const types = taken.effects.map((effect) => effect.type);
    expect(types).to.deep.equal(["holdsDeleted", "seatsChanged", "holdsEnded", "holdsPut", "seatsChanged"]);
  });

  it("keeps a confirming hold past its expiry and gives it back on abort", () => {
    const state = newState(10);
    decide(state, { type: "reserve", userId: "u1", ordinals: [1, 2], holdId: "h1" }, clock.now());
    const startConfirm = decide(
      state,
      { type: "confirmStart", userId: "u1", ordinals: [1, 2], paymentId: "p1", idempotencyKey: "key-12345" },
      clock.now(),
    );
    expect(startConfirm.outcome.ok).to.equal(true);
    expect((startConfirm.outcome as any).value.amountCents).to.equal(10_000);
    clock.advance(ttlMs + 5);
    decide(state, { type: "expire" }, clock.now());
    expect(publicStatusAt(state, 1, clock.now())).to.equal("reserved");
    const abort = decide(state, { type: "confirmAbort", paymentId: "p1" }, clock.now());
    expect((abort.outcome as any).value).to.deep.equal({ aborted: true });
    expect(publicStatusAt(state, 1, clock.now())).to.equal("available");
    const late = decide(
      state,
      { type: "confirmStart", userId: "u1", ordinals: [1], paymentId: "p2", idempotencyKey: "key-12345" },
      clock.now(),
    );
    expect((late.outcome as any).error.code).to.equal("HOLD_EXPIRED");
  });

  it("declined payment keeps the hold with the same expiry", () => {
    const state = newState(10);
    const reserved = decide(
      state,
      { type: "reserve", userId: "u1", ordinals: [3], holdId: "h1" },
      clock.now(),
    );
    decide(
      state,
      { type: "confirmStart", userId: "u1", ordinals: [3], paymentId: "p1", idempotencyKey: "key-12345" },
      clock.now(),
    );
    clock.advance(1_000);
    decide(state, { type: "confirmAbort", paymentId: "p1" }, clock.now());
    expect(publicStatusAt(state, 3, clock.now())).to.equal("reserved");
    expect(nextExpiryAt(state)).to.equal(Date.parse((reserved.outcome as any).value.expiresAt));
  });

  it("lets only the holder confirm", () => {
    const state = newState(10);
    decide(state, { type: "reserve", userId: "u1", ordinals: [5], holdId: "h1" }, clock.now());
    const other = decide(
      state,
      { type: "confirmStart", userId: "u2", ordinals: [5], paymentId: "p1", idempotencyKey: "key-12345" },
      clock.now(),
    );
    expect((other.outcome as any).error.code).to.equal("FORBIDDEN");
    const unheld = decide(
      state,
      { type: "confirmStart", userId: "u2", ordinals: [6], paymentId: "p2", idempotencyKey: "key-12345" },
      clock.now(),
    );
    expect((unheld.outcome as any).error.code).to.equal("FORBIDDEN");
  });

  it("books once: confirmComplete twice books once", () => {
    const state = newState(10);
    decide(state, { type: "reserve", userId: "u1", ordinals: [7], holdId: "h1" }, clock.now());
    decide(
      state,
      { type: "confirmStart", userId: "u1", ordinals: [7], paymentId: "p1", idempotencyKey: "key-12345" },
      clock.now(),
    );
    const booked = decide(state, { type: "confirmComplete", paymentId: "p1", bookingId: "b1" }, clock.now());
    expect((booked.outcome as any).value).to.include({ booked: true, bookingId: "b1", amountCents: 2_500 });
    const again = decide(state, { type: "confirmComplete", paymentId: "p1", bookingId: "b2" }, clock.now());
    expect((again.outcome as any).value).to.deep.equal({ booked: false });
    expect(state.counts.booked).to.equal(1);
  });

  it("refuses before onSaleAt and from startsAt", () => {
    const state = newState(10, { onSaleAt: start + 1_000, startsAt: start + 2_000 });
    const early = decide(state, { type: "reserve", userId: "u1", ordinals: [1], holdId: "h1" }, clock.now());
    expect((early.outcome as any).error.code).to.equal("NOT_ON_SALE");
    clock.advance(1_000);
    expect(
      decide(state, { type: "reserve", userId: "u1", ordinals: [1], holdId: "h1" }, clock.now()).outcome.ok,
    ).to.equal(true);
    clock.advance(1_000);
    const late = decide(state, { type: "reserve", userId: "u1", ordinals: [2], holdId: "h2" }, clock.now());
    expect((late.outcome as any).error.code).to.equal("NOT_ON_SALE");
  });

  it("rebuilds the same state from what the effects persisted", () => {
    const state = newState(10);
    decide(state, { type: "reserve", userId: "u1", ordinals: [1, 2, 3], holdId: "h1" }, clock.now());
    decide(
      state,
      { type: "confirmStart", userId: "u1", ordinals: [2], paymentId: "p1", idempotencyKey: "key-12345" },
      clock.now(),
    );
    decide(state, { type: "reserve", userId: "u2", ordinals: [8], holdId: "h2" }, clock.now());
    decide(state, { type: "reserve", userId: "u3", ordinals: [9], holdId: "h3" }, clock.now());
    decide(
      state,
      { type: "confirmStart", userId: "u3", ordinals: [9], paymentId: "p3", idempotencyKey: "key-12345" },
      clock.now(),
    );
    decide(state, { type: "confirmComplete", paymentId: "p3", bookingId: "b3" }, clock.now());
    const holds = [];
    for (let ordinal = 0; ordinal < state.total; ordinal++) {
      const slot = state.holdIndex[ordinal];
      if (slot < 0) continue;
      const hold = state.holds[slot]!;
      holds.push({ ordinal, ...hold });
    }
    const copy = createSeatState("ev_test", state.layout, state.settings, {
      version: 0,
      bookedOrdinals: [9],
      bookedUserIds: ["u3"],
      holds: holds.map((hold) => ({
        ordinal: hold.ordinal,
        holdId: hold.holdId,
        userId: hold.userId,
        status: hold.status,
        expiresAt: hold.expiresAt,
        paymentId: hold.paymentId,
      })),
    });
    expect(findInvariantViolations(copy)).to.deep.equal([]);
    expect(Array.from(copy.status)).to.deep.equal(Array.from(state.status));
    expect(copy.counts).to.deep.equal(state.counts);
  });
});

// --- randomized: thousands of seeded command sequences against a simple reference model ----------

type ModelSeat =
  | { kind: "available" }
  | { kind: "held"; user: string; expiresAt: number; paymentId: string | null }
  | { kind: "booked"; user: string };

/** The seat rules written the plain way (one object per seat, scans everywhere). */
class ReferenceModel {
  seats: ModelSeat[];
  lapsed = new Map<number, string>();
  constructor(
    readonly total: number,
    public cap: number,
  ) {
    this.seats = Array.from({ length: total }, () => ({ kind: "available" }) as ModelSeat);
  }
  lapse(now: number): void {
    this.seats.forEach((seat, ordinal) => {
      if (seat.kind === "held" && seat.paymentId === null && seat.expiresAt <= now) {
        this.seats[ordinal] = { kind: "available" };
        this.lapsed.set(ordinal, seat.user);
      }
    });
  }
  taken(user: string): number {
    return this.seats.filter((seat) => seat.kind !== "available" && seat.user === user).length;
  }
  apply(command: Command, now: number): string {
    this.lapse(now);
    const inRange = (ordinals: number[]) => ordinals.every((o) => o >= 0 && o < this.total);
    switch (command.type) {
      case "reserve": {
        if (!inRange(command.ordinals)) return "NOT_FOUND";
        const fresh: number[] = [];
        for (const o of command.ordinals) {
          const seat = this.seats[o];
          if (seat.kind === "available") fresh.push(o);
          else if (seat.kind === "booked" || seat.user !== command.userId) return "TICKET_UNAVAILABLE";
        }
        if (this.taken(command.userId) + fresh.length > this.cap) return "TICKET_LIMIT_REACHED";
        for (const o of fresh) {
          this.seats[o] = { kind: "held", user: command.userId, expiresAt: now + ttlMs, paymentId: null };
          if (this.lapsed.get(o) === command.userId) this.lapsed.delete(o);
        }
        return "ok";
      }
      case "release": {
        if (!inRange(command.ordinals)) return "NOT_FOUND";
        if (
          command.ordinals.some(
            (o) => this.seats[o].kind === "held" && (this.seats[o] as any).user !== command.userId,
          )
        )
          return "FORBIDDEN";
        for (const o of command.ordinals) {
          const seat = this.seats[o];
          if (seat.kind === "held" && seat.paymentId === null) this.seats[o] = { kind: "available" };
        }
        return "ok";
      }
      case "confirmStart": {
        if (!inRange(command.ordinals)) return "NOT_FOUND";
        const seats = command.ordinals.map((o) => this.seats[o]);
        const mineLapsed = (o: number) => this.lapsed.get(o) === command.userId;
        if (
          command.ordinals.some(
            (o, i) => seats[i].kind === "held" && (seats[i] as any).user !== command.userId && !mineLapsed(o),
          )
        )
          return "FORBIDDEN";
        if (
          seats.some(
            (seat) =>
              seat.kind === "booked" ||
              (seat.kind === "held" && seat.paymentId !== null && seat.user === command.userId),
          )
        )
          return "TICKET_UNAVAILABLE";
        if (
          command.ordinals.some(
            (o, i) =>
              mineLapsed(o) && (seats[i].kind === "available" || (seats[i] as any).user !== command.userId),
          )
        )
          return "HOLD_EXPIRED";
        if (seats.some((seat) => seat.kind === "available")) return "FORBIDDEN";
        const expiresAt = Math.min(...seats.map((seat) => (seat as any).expiresAt));
        for (const o of command.ordinals)
          this.seats[o] = { kind: "held", user: command.userId, expiresAt, paymentId: command.paymentId };
        return "ok";
      }
      case "confirmComplete": {
        let any = false;
        this.seats.forEach((seat, o) => {
          if (seat.kind === "held" && seat.paymentId === command.paymentId) {
            this.seats[o] = { kind: "booked", user: seat.user };
            this.lapsed.delete(o);
            any = true;
          }
        });
        return any ? "ok" : "ok:none";
      }
      case "confirmAbort": {
        let any = false;
        this.seats.forEach((seat, o) => {
          if (seat.kind === "held" && seat.paymentId === command.paymentId) {
            any = true;
            if (seat.expiresAt > now) this.seats[o] = { ...seat, paymentId: null };
            else {
              this.seats[o] = { kind: "available" };
              this.lapsed.set(o, seat.user);
            }
          }
        });
        return any ? "ok" : "ok:none";
      }
      case "expire":
        return "ok";
      case "updateSettings":
        if (command.settings.ticketsPerUserMax !== undefined) this.cap = command.settings.ticketsPerUserMax;
        return "ok";
    }
  }
  publicStatus(ordinal: number): string {
    const seat = this.seats[ordinal];
    return seat.kind === "available" ? "available" : seat.kind === "booked" ? "booked" : "reserved";
  }
}

function outcomeCode(decision: ReturnType<typeof decide>): string {
  if (!decision.outcome.ok) return decision.outcome.error.code;
  const value = decision.outcome.value as any;
  if (value && (value.booked === false || value.aborted === false)) return "ok:none";
  return "ok";
}

describe("seat state: seeded random command sequences", () => {
  const sequences = 2_000;
  const steps = 60;

  it(`keeps every invariant and agrees with the reference model over ${sequences} sequences`, () => {
    let commandsChecked = 0;
    let bookings = 0;
    for (let seed = 1; seed <= sequences; seed++) {
      const random = seededRandom(seed);
      const pick = <T>(items: T[]): T => items[Math.floor(random() * items.length)];
      const seats = 4 + Math.floor(random() * 20);
      const cap = 2 + Math.floor(random() * 6);
      const state = newState(seats, { ticketsPerUserMax: cap });
      const model = new ReferenceModel(state.total, cap);
      const clock = new ManualClock(start);
      const users = ["u1", "u2", "u3", "u4"];
      const payments: string[] = [];
      const bookedBy = new Map<number, string>();
      const someOrdinals = () => {
        const count = 1 + Math.floor(random() * 4);
        const set = new Set<number>();
        while (set.size < count) set.add(Math.floor(random() * (state.total + (random() < 0.05 ? 3 : 0))));
        return [...set];
      };
      for (let step = 0; step < steps; step++) {
        if (random() < 0.3) clock.advance(Math.floor(random() * ttlMs * 0.6));
        if (random() < 0.05) clock.advance(ttlMs - ((clock.now() - start) % ttlMs)); // land on exact expiries
        const roll = random();
        let command: Command;
        if (roll < 0.4)
          command = { type: "reserve", userId: pick(users), ordinals: someOrdinals(), holdId: `h${step}` };
        else if (roll < 0.55) command = { type: "release", userId: pick(users), ordinals: someOrdinals() };
        else if (roll < 0.75) {
          const paymentId = `p${seed}-${step}`;
          payments.push(paymentId);
          command = {
            type: "confirmStart",
            userId: pick(users),
            ordinals: someOrdinals(),
            paymentId,
            idempotencyKey: "key-12345",
          };
        } else if (roll < 0.87 && payments.length > 0)
          command = { type: "confirmComplete", paymentId: pick(payments), bookingId: `b${step}` };
        else if (roll < 0.95 && payments.length > 0)
          command = { type: "confirmAbort", paymentId: pick(payments) };
        else if (roll < 0.98) command = { type: "expire" };
        else
          command = { type: "updateSettings", settings: { ticketsPerUserMax: 1 + Math.floor(random() * 8) } };

        const now = clock.now();
        const expected = model.apply(structuredClone(command), now);
        const decision = decide(state, command, now);
        const context = `seed ${seed} step ${step} ${JSON.stringify(command)}`;
        const code = outcomeCode(decision);
        if (code !== expected) expect(code, context).to.equal(expected);
        const problems = findInvariantViolations(state, now);
        if (problems.length > 0) expect(problems, context).to.deep.equal([]);
        for (let ordinal = 0; ordinal < state.total; ordinal++) {
          const actual = publicStatusAt(state, ordinal, now);
          if (actual !== model.publicStatus(ordinal))
            expect(actual, `${context} ordinal ${ordinal}`).to.equal(model.publicStatus(ordinal));
        }
        // A booking never loses its ticket, and a ticket is booked at most once.
        for (const effect of decision.effects as Effect[]) {
          if (effect.type !== "booked") continue;
          bookings++;
          for (const ordinal of effect.ordinals) {
            expect(bookedBy.has(ordinal), `${context}: ordinal ${ordinal} booked twice`).to.equal(false);
            bookedBy.set(ordinal, effect.bookingId);
          }
        }
        for (const ordinal of bookedBy.keys())
          if (publicStatusAt(state, ordinal, now) !== "booked")
            expect.fail(`${context}: booking lost ${ordinal}`);
        const held = state.counts.held + state.counts.confirming;
        if (held + state.counts.booked + state.counts.available !== state.total)
          expect.fail(`${context}: counts`);
        commandsChecked++;
      }
    }
    expect(commandsChecked).to.equal(sequences * steps);
    expect(bookings).to.be.greaterThan(100); // the sequences do reach bookings
  });
});
