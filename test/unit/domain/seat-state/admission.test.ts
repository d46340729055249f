// The waiting room's admission rule inside the event actor (domain/seat-state/admission.ts): an
// admission is spent once its user's holds end, at most maxActiveShoppers users hold seats, a hold
// lapses with its admission, and used admissions are remembered (and persisted) until they expire.
import { expect } from "chai";
import { buildSeatLayout } from "../../../../domain/seat-layout.ts";
import {
  createSeatState,
  decide,
  findInvariantViolations,
  maxActiveShoppersOf,
  type Command,
  type Effect,
  type LoadedAdmission,
  type SaleSettings,
  type SeatState,
} from "../../../../domain/seat-state.ts";
import { usedAdmissionsPerEventMax } from "../../../../domain/limits.ts";

const start = Date.parse("2027-01-01T00:00:00Z");
const holdTtlMs = 10_000;
const tokenTtlMs = 60_000;

function newState(overrides: Partial<SaleSettings> = {}, admissions: LoadedAdmission[] = []): SeatState {
  const layout = buildSeatLayout([{ name: "Floor", priceCents: 1_000, rows: [{ label: "A", seats: 20 }] }]);
  return createSeatState(
    "ev_test",
    layout,
    {
      active: true,
      onSaleAt: start - 1,
      startsAt: start + 86_400_000,
      ticketsPerUserMax: 10,
      holdTtlMs,
      maxActiveShoppers: 2,
      ...overrides,
    },
    { bookedOrdinals: [], bookedUserIds: [], holds: [], version: 0, admissions },
  );
}

let holdCounter = 0;
const reserve = (userId: string, ordinals: number[], expiresAtMs?: number): Command => ({
  type: "reserve",
  userId,
  ordinals,
  holdId: `h${holdCounter++}`,
  ...(expiresAtMs === undefined ? {} : { admission: { expiresAtMs } }),
});
const release = (userId: string, ordinals: number[]): Command => ({ type: "release", userId, ordinals });

function run(state: SeatState, command: Command, now: number) {
  const decision = decide(state, command, now);
  expect(findInvariantViolations(state, now)).to.deep.equal([]);
  return decision;
}

const errorOf = (decision: { outcome: any }) => decision.outcome.error;
const types = (effects: Effect[]) => effects.map((effect) => effect.type);

describe("seat state: admission (waiting room)", () => {
  const token = start + tokenTtlMs; // one admission's expiry, i.e. its name

  it("reads the cap from the waiting-room settings: none when the room is off", () => {
    expect(maxActiveShoppersOf({ enabled: false, maxActiveShoppers: 3 })).to.equal(null);
    expect(maxActiveShoppersOf(null)).to.equal(null);
    expect(maxActiveShoppersOf({ enabled: true, maxActiveShoppers: 3 })).to.equal(3);
    expect(maxActiveShoppersOf({ enabled: true })).to.equal(1_000); // the default
  });

  it("asks nothing of a reserve on an event without a waiting room", () => {
    const state = newState({ maxActiveShoppers: null });
    expect(run(state, reserve("u1", [0]), start).outcome.ok).to.equal(true);
    expect(state.admissions.size).to.equal(0);
  });

  it("records an admission's first hold, and a spent admission is refused", () => {
    const state = newState();
    const held = run(state, reserve("u1", [0, 1], token), start);
    expect(held.outcome.ok).to.equal(true);
    expect(held.effects).to.deep.include({ type: "admissionUsed", userId: "u1", expiresAtMs: token });
    // Still active: more seats, no new record.
    const more = run(state, reserve("u1", [2], token), start + 1);
    expect(more.outcome.ok).to.equal(true);
    expect(types(more.effects)).to.not.include("admissionUsed");
    run(state, release("u1", [0, 1]), start + 2);
    expect(run(state, reserve("u1", [3], token), start + 3).outcome.ok).to.equal(true); // holds seat 2
    const ended = run(state, release("u1", [2, 3]), start + 4);
    expect(types(ended.effects)).to.include("holdsEnded");
    const again = run(state, reserve("u1", [5], token), start + 5);
    expect(errorOf(again)).to.deep.include({ code: "ADMISSION_REQUIRED", details: { reason: "spent" } });
    expect(again.effects).to.deep.equal([]);
    // A fresh admission (joined again) works.
    expect(run(state, reserve("u1", [5], token + 5_000), start + 6).outcome.ok).to.equal(true);
  });

  it("spends the admission of a user who booked", () => {
    const state = newState();
    run(state, reserve("u1", [0], token), start);
    const paying: Command = {
      type: "confirmStart",
      userId: "u1",
      ordinals: [0],
      paymentId: "pay1",
      idempotencyKey: "key-00001",
    };
    expect(run(state, paying, start + 1).outcome.ok).to.equal(true);
    // Paying still counts as holding: the admission works for more seats.
    expect(run(state, reserve("u1", [1], token), start + 2).outcome.ok).to.equal(true);
    run(state, release("u1", [1]), start + 3);
    const booked = run(state, { type: "confirmComplete", paymentId: "pay1", bookingId: "bk1" }, start + 4);
    expect(booked.effects).to.deep.include({
      type: "holdsEnded",
      userId: "u1",
      reason: "confirmed",
      admissionExpiresAtMs: token, // spent: the waiting room stops answering it
    });
    expect(errorOf(run(state, reserve("u1", [2], token), start + 5)).details.reason).to.equal("spent");
  });

  it("spends the admission when the hold lapses, and caps holds at the admission's expiry", () => {
    const state = newState();
    const early = run(state, reserve("u1", [0], token), start);
    expect((early.outcome as any).value.expiresAt).to.equal(new Date(start + holdTtlMs).toISOString());
    const lapsed = run(state, reserve("u2", [1], token), start + holdTtlMs);
    expect(lapsed.effects).to.deep.include({
      type: "holdsEnded",
      userId: "u1",
      reason: "expired",
      admissionExpiresAtMs: token,
    });
    expect(errorOf(run(state, reserve("u1", [0], token), start + holdTtlMs + 1)).details.reason).to.equal(
      "spent",
    );
    // Reserved 3 s before the token expires: held for 3 s, not for the hold TTL.
    const late = run(state, reserve("u3", [2], token), token - 3_000);
    expect((late.outcome as any).value.expiresAt).to.equal(new Date(token).toISOString());
  });

  it("names the admission spent as of the holds' end, not one used later in the same command", () => {
    const state = newState();
    run(state, reserve("u1", [0], token), start);
    // The hold lapses at the start of u1's next reserve, which uses a newer admission.
    const newer = token + holdTtlMs;
    const decision = run(state, reserve("u1", [1], newer), start + holdTtlMs);
    expect(decision.outcome.ok).to.equal(true);
    const ended = decision.effects.find((effect) => effect.type === "holdsEnded");
    expect(ended).to.deep.include({ userId: "u1", admissionExpiresAtMs: token });
    expect(decision.effects).to.deep.include({ type: "admissionUsed", userId: "u1", expiresAtMs: newer });
    // Without a waiting room nothing is named.
    const open = newState({ maxActiveShoppers: null });
    run(open, reserve("u2", [0]), start);
    const released = run(open, release("u2", [0]), start + 1);
    expect(released.effects).to.deep.include({ type: "holdsEnded", userId: "u2", reason: "released" });
  });

  it("refuses a missing, expired or malformed admission on a waiting-room event", () => {
    const state = newState();
    expect(errorOf(run(state, reserve("u1", [0]), start)).details.reason).to.equal("missing");
    expect(errorOf(run(state, reserve("u1", [0], start), start)).details.reason).to.equal("expired");
    const malformed = { ...reserve("u1", [0]), admission: { expiresAtMs: "soon" } } as unknown as Command;
    expect(errorOf(run(state, malformed, start)).code).to.equal("VALIDATION_ERROR");
    expect(state.holders).to.equal(0);
  });

  it("lets at most maxActiveShoppers users hold seats, by ids and best available alike", () => {
    const state = newState({ maxActiveShoppers: 2 });
    expect(run(state, reserve("u1", [0], token), start).outcome.ok).to.equal(true);
    expect(run(state, reserve("u2", [1], token), start).outcome.ok).to.equal(true);
    const third = run(state, reserve("u3", [2], token), start);
    expect(errorOf(third)).to.deep.include({ code: "OVERLOADED", retryAfterSeconds: 5 });
    expect(errorOf(third).details.reason).to.equal("full");
    const best: Command = {
      type: "reserveBest",
      userId: "u3",
      holdId: "hb",
      quantity: 1,
      admission: { expiresAtMs: token },
    };
    expect(errorOf(run(state, best, start)).details.reason).to.equal("full");
    expect(state.holders).to.equal(2);
    // A refused request changes nothing: u3's admission is not used, and works once a place frees.
    run(state, release("u1", [0]), start + 1);
    expect(run(state, best, start + 2).outcome.ok).to.equal(true);
  });

  it("keeps used admissions across a reload, and forgets them once expired", () => {
    const state = newState({}, [{ userId: "u1", expiresAtMs: token }]);
    expect(errorOf(run(state, reserve("u1", [0], token), start)).details.reason).to.equal("spent");
    expect(state.admissions.size).to.equal(1);
    const later = token + 1_000;
    const fresh = run(state, reserve("u2", [0], later + tokenTtlMs), later);
    expect(fresh.effects).to.deep.include({ type: "admissionsExpired", upToMs: later });
    expect(state.admissions.size).to.equal(1); // u2's only
    expect(state.admissions.used.has("u1")).to.equal(false);
  });

  it("refuses new shoppers rather than forget a spent admission when the ledger is full", () => {
    const loaded: LoadedAdmission[] = [];
    for (let index = 0; index < usedAdmissionsPerEventMax; index++)
      loaded.push({ userId: `old${index}`, expiresAtMs: token });
    const state = newState({}, loaded);
    expect(errorOf(run(state, reserve("u1", [0], token), start)).details.reason).to.equal("tracking_full");
  });
});
