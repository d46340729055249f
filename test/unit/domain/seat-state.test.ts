import { expect } from "chai";
import { ManualClock } from "../../../domain/clock.ts";
import { buildSeatLayout, type SeatLayout } from "../../../domain/seat-layout.ts";
import {
  createSeatState,
  decide,
  findInvariantViolations,
  nextExpiryAt,
  publicStatusAt,
  type Command,
  type Effect,
  type SaleSettings,
  type SeatState,
} from "../../../domain/seat-state.ts";
import { seededRandom } from "../../../domain/random.ts";

const ttlMs = 10_000;
const start = Date.parse("2027-01-01T00:00:00Z");

/** Rows of at most `seatsPerRow` seats (the last row of a section takes the rest). */
function rowsOf(label: string, seats: number, seatsPerRow: number) {
  const rows = [];
  for (let first = 0; first < seats; first += seatsPerRow)
    rows.push({ label: `${label}${rows.length + 1}`, seats: Math.min(seatsPerRow, seats - first) });
  return rows;
}

/** Floor (5,000 cents) takes the first half of the seats, Balcony (2,500 cents) the rest. */
function newState(
  seats: number,
  overrides: Partial<SaleSettings> = {},
  seatsPerRow = Number.POSITIVE_INFINITY,
): SeatState {
  const layout = buildSeatLayout([
    { name: "Floor", priceCents: 5_000, rows: rowsOf("A", Math.ceil(seats / 2), seatsPerRow) },
    { name: "Balcony", priceCents: 2_500, rows: rowsOf("B", Math.floor(seats / 2), seatsPerRow) },
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

describe("seat state: best available through decide()", () => {
  let clock: ManualClock;
  beforeEach(() => {
    clock = new ManualClock(start);
  });

  const best = (
    userId: string,
    quantity: number,
    extra: Partial<Extract<Command, { type: "reserveBest" }>> = {},
  ): Command => ({ type: "reserveBest", userId, holdId: `hb-${userId}-${quantity}`, quantity, ...extra });
  const chosen = (decision: ReturnType<typeof decide>): number[] =>
    ((decision.outcome as any).value.ticketIds as string[]).map((ticket) => Number(ticket.split(".")[1]));
  const expectSound = (state: SeatState) =>
    expect(findInvariantViolations(state, clock.now())).to.deep.equal([]);

  it("holds the best block in the same command, answered like a reserve by ids", () => {
    // Floor: rows A1 (0-4), A2 (5-9); Balcony: B1 (10-14), B2 (15-19).
    const state = newState(20, {}, 5);
    expect(state.bestAvailable).to.equal(null); // built on first use only
    const decision = decide(state, best("u1", 3), clock.now());
    // The middle block (1-3) would strand a seat at each end; of the two equally central others, the first.
    expect(decision.outcome).to.deep.equal({
      ok: true,
      value: {
        eventId: "ev_test",
        ticketIds: [id(0), id(1), id(2)],
        expiresAt: new Date(start + ttlMs).toISOString(),
      },
    });
    expect(decision.effects.map((effect) => effect.type)).to.deep.equal(["holdsPut", "seatsChanged"]);
    expect(decision.effects[0]).to.deep.include({ ordinals: [0, 1, 2] });
    expect((decision.effects[0] as any).hold).to.include({ holdId: "hb-u1-3", userId: "u1", status: "held" });
    expect(state.bestAvailable).to.not.equal(null);
    expect(state.counts).to.deep.include({ held: 3, available: 17 });
    expect(chosen(decide(state, best("u2", 2), clock.now()))).to.deep.equal([3, 4]);
    // Row A1 is full: a block of 3 goes to row A2.
    expect(chosen(decide(state, best("u3", 3), clock.now()))).to.deep.equal([5, 6, 7]);
    expectSound(state);
  });

  it("does not build the index for reserves by ids", () => {
    const state = newState(10);
    decide(state, { type: "reserve", userId: "u1", ordinals: [1], holdId: "h1" }, clock.now());
    decide(state, { type: "release", userId: "u1", ordinals: [1] }, clock.now());
    expect(state.bestAvailable).to.equal(null);
  });

  it("counts holds lapsed by the clock as free, with no expire command", () => {
    const state = newState(10, {}, 5); // Floor 0-4, Balcony 5-9
    decide(state, { type: "reserve", userId: "u1", ordinals: [0, 1, 2, 3, 4], holdId: "h1" }, clock.now());
    clock.advance(ttlMs - 1);
    // The floor is still held: the balcony (a middle block of 3 would strand a seat on each side).
    expect(chosen(decide(state, best("u2", 3), clock.now()))).to.deep.equal([5, 6, 7]);
    clock.advance(1);
    const decision = decide(state, best("u3", 3), clock.now());
    expect(chosen(decision)).to.deep.equal([0, 1, 2]);
    expect(decision.effects.map((effect) => effect.type)).to.deep.equal([
      "holdsDeleted",
      "seatsChanged",
      "holdsEnded",
      "holdsPut",
      "seatsChanged",
    ]);
    expectSound(state);
  });

  it("applies the per-user cap to held and booked seats together", () => {
    const state = newState(20, { ticketsPerUserMax: 4 }, 5);
    expect(chosen(decide(state, best("u1", 3), clock.now()))).to.deep.equal([0, 1, 2]);
    const over = decide(state, best("u1", 2), clock.now());
    expect((over.outcome as any).error).to.deep.include({ code: "TICKET_LIMIT_REACHED" });
    expect((over.outcome as any).error.details).to.deep.equal({ ticketsPerUserMax: 4, taken: 3 });
    expect(over.effects).to.deep.equal([]);
    expect(chosen(decide(state, best("u1", 1), clock.now()))).to.deep.equal([3]);
    decide(
      state,
      { type: "confirmStart", userId: "u1", ordinals: [3], paymentId: "p1", idempotencyKey: "key-12345" },
      clock.now(),
    );
    decide(state, { type: "confirmComplete", paymentId: "p1", bookingId: "b1" }, clock.now());
    decide(state, { type: "release", userId: "u1", ordinals: [0, 1, 2] }, clock.now());
    // u1: 1 booked, nothing held.
    expect(chosen(decide(state, best("u1", 3), clock.now()))).to.deep.equal([0, 1, 2]);
    expect((decide(state, best("u1", 1), clock.now()).outcome as any).error.code).to.equal(
      "TICKET_LIMIT_REACHED",
    );
    expect(chosen(decide(state, best("u2", 1), clock.now()))).to.deep.equal([4]);
    expectSound(state);
  });

  it("honours section, price and adjacency, and answers TICKET_UNAVAILABLE when nothing fits", () => {
    const state = newState(20, {}, 5); // Floor (5,000): 0-4, 5-9; Balcony (2,500): 10-14, 15-19
    expect(chosen(decide(state, best("u1", 2, { section: "Balcony" }), clock.now()))).to.deep.equal([10, 11]);
    // 12-14 left in row B1: both blocks of 2 strand a seat, the one nearer the middle wins.
    expect(chosen(decide(state, best("u2", 2, { maxPriceCents: 2_500 }), clock.now()))).to.deep.equal([
      12, 13,
    ]);
    // The last seat of row B1 comes before the whole of row B2.
    expect(chosen(decide(state, best("u3", 1, { maxPriceCents: 2_500 }), clock.now()))).to.deep.equal([14]);
    decide(state, { type: "reserve", userId: "u4", ordinals: [0, 2, 4, 5, 7, 9], holdId: "h4" }, clock.now());
    // Floor: 1, 3, 6, 8 free, never two side by side.
    const none = decide(state, best("u5", 2, { section: "Floor" }), clock.now());
    expect((none.outcome as any).error).to.deep.equal({
      code: "TICKET_UNAVAILABLE",
      message: "No 2 seats fit this request right now",
      details: { ticketIds: [], quantity: 2, adjacent: true, section: "Floor", ticketsAvailable: 9 },
    });
    expect(none.effects).to.deep.equal([]);
    expect(
      chosen(decide(state, best("u5", 3, { section: "Floor", adjacent: false }), clock.now())),
    ).to.deep.equal([1, 3, 6]);
    const nowhere = decide(state, best("u6", 1, { section: "Nowhere" }), clock.now());
    expect((nowhere.outcome as any).error.code).to.equal("TICKET_UNAVAILABLE");
    const tooCheap = decide(state, best("u6", 1, { maxPriceCents: 2_499 }), clock.now());
    expect((tooCheap.outcome as any).error.code).to.equal("TICKET_UNAVAILABLE");
    expectSound(state);
  });

  it("refuses outside the sale window and for a deleted event, changing nothing", () => {
    const state = newState(10, { onSaleAt: start + 1_000, startsAt: start + 2_000 });
    expect((decide(state, best("u1", 2), clock.now()).outcome as any).error.code).to.equal("NOT_ON_SALE");
    clock.advance(1_000);
    expect(decide(state, best("u1", 2), clock.now()).outcome.ok).to.equal(true);
    clock.advance(1_000);
    expect((decide(state, best("u2", 2), clock.now()).outcome as any).error.code).to.equal("NOT_ON_SALE");
    decide(
      state,
      { type: "updateSettings", settings: { active: false, startsAt: start + 10_000 } },
      clock.now(),
    );
    expect((decide(state, best("u2", 2), clock.now()).outcome as any).error.code).to.equal("NOT_FOUND");
    expect(state.counts.held).to.equal(2);
    expectSound(state);
  });

  it("keeps the free-run index in step through release, expiry, confirm and abort", () => {
    const state = newState(12, { ticketsPerUserMax: 12 }, 6); // one row each: Floor 0-5, Balcony 6-11
    expect(chosen(decide(state, best("u1", 4), clock.now()))).to.deep.equal([0, 1, 2, 3]);
    expectSound(state);
    decide(state, { type: "release", userId: "u1", ordinals: [1, 2] }, clock.now());
    expectSound(state);
    // The released pair is the best block of 2 again.
    expect(chosen(decide(state, best("u2", 2), clock.now()))).to.deep.equal([1, 2]);
    decide(
      state,
      { type: "confirmStart", userId: "u2", ordinals: [1, 2], paymentId: "p2", idempotencyKey: "key-12345" },
      clock.now(),
    );
    expectSound(state);
    decide(state, { type: "confirmAbort", paymentId: "p2" }, clock.now());
    expectSound(state);
    decide(
      state,
      { type: "confirmStart", userId: "u2", ordinals: [1, 2], paymentId: "p3", idempotencyKey: "key-12345" },
      clock.now(),
    );
    decide(state, { type: "confirmComplete", paymentId: "p3", bookingId: "b3" }, clock.now());
    expectSound(state);
    clock.advance(ttlMs);
    decide(state, { type: "expire" }, clock.now()); // u1's 0 and 3 lapse
    expectSound(state);
    expect(chosen(decide(state, best("u3", 3), clock.now()))).to.deep.equal([3, 4, 5]);
    expectSound(state);
  });

  it("sells a fragmented event out cleanly, with every invariant after every step", () => {
    const state = newState(60, { ticketsPerUserMax: 10 }, 7);
    const random = seededRandom(7);
    let users = 0;
    for (let step = 0; step < 1_000 && state.counts.available > 0; step++) {
      const wanted = 1 + Math.floor(random() * 4);
      let decision = decide(state, best(`fan${users++}`, wanted), clock.now());
      // Nothing of that size fits: ask for fewer, as a client would.
      for (let fewer = wanted - 1; !decision.outcome.ok && fewer >= 1; fewer--)
        decision = decide(state, best(`fan${users++}`, fewer), clock.now());
      expect(decision.outcome.ok, `step ${step}`).to.equal(true);
      expectSound(state);
    }
    expect(state.counts).to.deep.include({ available: 0, held: 60 });
    const soldOut = decide(state, best("late", 1, { adjacent: false }), clock.now());
    expect((soldOut.outcome as any).error.details.ticketsAvailable).to.equal(0);
  });
});

// --- randomized: thousands of seeded command sequences against a simple reference model ----------

type ModelSeat =
  | { kind: "available" }
  | { kind: "held"; user: string; expiresAt: number; paymentId: string | null }
  | { kind: "booked"; user: string };

interface ModelRow {
  section: string;
  priceCents: number;
  first: number;
  seats: number;
}

type BestCommand = Extract<Command, { type: "reserveBest" }>;

/** The seat rules written the plain way (one object per seat, scans everywhere). */
class ReferenceModel {
  seats: ModelSeat[];
  lapsed = new Map<number, string>();
  /** Rows in quality order: sections in order, rows in order. */
  rows: ModelRow[];
  constructor(
    readonly total: number,
    public cap: number,
    layout: SeatLayout,
  ) {
    this.seats = Array.from({ length: total }, () => ({ kind: "available" }) as ModelSeat);
    this.rows = layout.sections.flatMap((section) =>
      section.rows.map((row) => ({
        section: section.name,
        priceCents: section.priceCents,
        first: row.firstOrdinal,
        seats: row.seats,
      })),
    );
  }
  private free(ordinal: number): boolean {
    return this.seats[ordinal].kind === "available";
  }
  private qualifyingRows(command: BestCommand): number[] {
    return this.rows.flatMap((row, index) =>
      (command.section === undefined || row.section === command.section) &&
      (command.maxPriceCents === undefined || row.priceCents <= command.maxPriceCents)
        ? [index]
        : [],
    );
  }
  /** Starts (offsets) of every block of `quantity` free seats side by side in a row. */
  private blocks(rowIndex: number, quantity: number): number[] {
    const row = this.rows[rowIndex];
    const starts: number[] = [];
    for (let start = 0; start + quantity <= row.seats; start++) {
      let fits = true;
      for (let seat = 0; seat < quantity; seat++) fits &&= this.free(row.first + start + seat);
      if (fits) starts.push(start);
    }
    return starts;
  }
  bestFits(command: BestCommand): boolean {
    const rows = this.qualifyingRows(command);
    if (command.adjacent === false)
      return (
        rows.reduce((count, index) => {
          const row = this.rows[index];
          for (let seat = 0; seat < row.seats; seat++) if (this.free(row.first + seat)) count++;
          return count;
        }, 0) >= command.quantity
      );
    return rows.some((index) => this.blocks(index, command.quantity).length > 0);
  }
  /** Why `chosen` is not a best choice for the command (null: it is one). */
  judgeBest(command: BestCommand, chosen: number[]): string | null {
    const { quantity } = command;
    if (chosen.length !== quantity || new Set(chosen).size !== quantity) return "not N distinct seats";
    if (!chosen.every((ordinal) => ordinal >= 0 && ordinal < this.total && this.free(ordinal)))
      return "a chosen seat is not free";
    const rows = this.qualifyingRows(command);
    const rowOf = (ordinal: number) =>
      this.rows.findIndex((row) => ordinal >= row.first && ordinal < row.first + row.seats);
    if (!chosen.every((ordinal) => rows.includes(rowOf(ordinal)))) return "a chosen seat does not qualify";
    // Twice the distance from the row's middle, as in the rules: integers, no rounding.
    const distance = (rowIndex: number, start: number, length: number) =>
      Math.abs(2 * start + length - 1 - (this.rows[rowIndex].seats - 1));
    if (command.adjacent === false) {
      const rank = (ordinal: number) => {
        const rowIndex = rowOf(ordinal);
        return rowIndex * 1_000_000 + distance(rowIndex, ordinal - this.rows[rowIndex].first, 1);
      };
      const worstChosen = Math.max(...chosen.map(rank));
      for (const rowIndex of rows)
        for (let seat = 0; seat < this.rows[rowIndex].seats; seat++) {
          const ordinal = this.rows[rowIndex].first + seat;
          if (this.free(ordinal) && !chosen.includes(ordinal) && rank(ordinal) < worstChosen)
            return `free seat ${ordinal} is better than a chosen one`;
        }
      return null;
    }
    const sorted = [...chosen].sort((a, b) => a - b);
    const rowIndex = rowOf(sorted[0]);
    if (!sorted.every((ordinal, index) => ordinal === sorted[0] + index && rowOf(ordinal) === rowIndex))
      return "not side by side in one row";
    const firstRow = rows.find((index) => this.blocks(index, quantity).length > 0);
    if (firstRow !== rowIndex) return `row ${firstRow} has a block and comes first`;
    const row = this.rows[rowIndex];
    const freeAt = (offset: number) => offset >= 0 && offset < row.seats && this.free(row.first + offset);
    const rank = (start: number) =>
      ((freeAt(start - 1) && !freeAt(start - 2)) ||
      (freeAt(start + quantity) && !freeAt(start + quantity + 1))
        ? 1_000_000
        : 0) + distance(rowIndex, start, quantity);
    const chosenRank = rank(sorted[0] - row.first);
    if (this.blocks(rowIndex, quantity).some((start) => rank(start) < chosenRank))
      return "a better block in the same row (stranding, then distance from the middle)";
    return null;
  }
  hold(userId: string, ordinals: number[], now: number): void {
    for (const o of ordinals) {
      this.seats[o] = { kind: "held", user: userId, expiresAt: now + ttlMs, paymentId: null };
      if (this.lapsed.get(o) === userId) this.lapsed.delete(o);
    }
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
        this.hold(command.userId, fresh, now);
        return "ok";
      }
      case "reserveBest":
        // The seats come from decide(): the caller judges them with judgeBest() and then hold()s them.
        if (this.taken(command.userId) + command.quantity > this.cap) return "TICKET_LIMIT_REACHED";
        return this.bestFits(command) ? "ok" : "TICKET_UNAVAILABLE";
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
      default:
        // The waiting list and cancellations are modelled in test/unit/domain/waitlist.test.ts.
        return "unmodelled";
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
    let bestHolds = 0;
    for (let seed = 1; seed <= sequences; seed++) {
      const random = seededRandom(seed);
      const pick = <T>(items: T[]): T => items[Math.floor(random() * items.length)];
      const seats = 4 + Math.floor(random() * 20);
      const cap = 2 + Math.floor(random() * 6);
      const seatsPerRow = 2 + Math.floor(random() * 6);
      const state = newState(seats, { ticketsPerUserMax: cap }, seatsPerRow);
      const model = new ReferenceModel(state.total, cap, state.layout);
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
        if (roll < 0.25)
          command = { type: "reserve", userId: pick(users), ordinals: someOrdinals(), holdId: `h${step}` };
        else if (roll < 0.4) {
          command = {
            type: "reserveBest",
            userId: pick(users),
            holdId: `h${step}`,
            quantity: 1 + Math.floor(random() * 4),
          };
          const section = pick([undefined, undefined, "Floor", "Balcony", "Nowhere"]);
          const maxPriceCents = pick([undefined, undefined, 0, 2_500, 4_999, 5_000]);
          const adjacent = pick([undefined, true, false]);
          if (section !== undefined) command.section = section;
          if (maxPriceCents !== undefined) command.maxPriceCents = maxPriceCents;
          if (adjacent !== undefined) command.adjacent = adjacent;
        } else if (roll < 0.55) command = { type: "release", userId: pick(users), ordinals: someOrdinals() };
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
        if (command.type === "reserveBest" && decision.outcome.ok) {
          const chosen = (decision.outcome.value.ticketIds as string[]).map((ticket) =>
            Number(ticket.slice(ticket.lastIndexOf(".") + 1)),
          );
          const problem = model.judgeBest(command, chosen);
          if (problem !== null) expect.fail(`${context}: chose ${chosen}: ${problem}`);
          model.hold(command.userId, chosen, now);
          bestHolds++;
        }
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
    expect(bestHolds).to.be.greaterThan(1_000); // and best-available holds
  });
});
