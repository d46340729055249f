// Malformed commands given straight to decide(): each is a VALIDATION_ERROR outcome naming the field,
// never a thrown invariant, and the state is left exactly as it was (no effect, no lapse, no hold).
import { expect } from "chai";
import { buildSeatLayout } from "../../../../domain/seat-layout.ts";
import {
  createSeatState,
  decide,
  findInvariantViolations,
  publicStatuses,
  type Command,
  type SeatState,
} from "../../../../domain/seat-state.ts";

const start = Date.parse("2027-01-01T00:00:00Z");
const ttlMs = 10_000;

function newState(): SeatState {
  const layout = buildSeatLayout([{ name: "Floor", priceCents: 5_000, rows: [{ label: "A", seats: 10 }] }]);
  return createSeatState("ev_test", layout, {
    active: true,
    onSaleAt: start - 1,
    startsAt: start + 86_400_000,
    ticketsPerUserMax: 10,
    holdTtlMs: ttlMs,
  });
}

/** Everything a refused command must leave alone. */
const snapshot = (state: SeatState, now: number) => ({
  statuses: [...publicStatuses(state, now)],
  counts: { ...state.counts },
  version: state.version,
  users: [...state.users.entries()].map(([user, tally]) => [user, { ...tally }]),
  settings: { ...state.settings },
});

const reserve = { type: "reserve", userId: "u1", ordinals: [1, 2], holdId: "h9" };
const best = { type: "reserveBest", userId: "u1", holdId: "h9", quantity: 2 };
const confirmStart = {
  type: "confirmStart",
  userId: "u1",
  ordinals: [0],
  paymentId: "pay_1",
  idempotencyKey: "key-0001",
};

const malformed: [string, unknown, string][] = [
  ["no command", null, "command"],
  ["a command that is not an object", "reserve", "command"],
  ["an array", [reserve], "command"],
  ["an unknown type", { type: "teleport" }, "type"],
  ["no type", { userId: "u1" }, "type"],
  ["a type inherited from Object.prototype", { type: "toString" }, "type"],
  ["quantity null (the issue's worker crash)", { ...best, quantity: null }, "quantity"],
  ["quantity absent", { type: "reserveBest", userId: "u1", holdId: "h9" }, "quantity"],
  ["quantity 0", { ...best, quantity: 0 }, "quantity"],
  ["quantity 11", { ...best, quantity: 11 }, "quantity"],
  ["quantity 2.5", { ...best, quantity: 2.5 }, "quantity"],
  ["quantity as text", { ...best, quantity: "2" }, "quantity"],
  ["quantity NaN", { ...best, quantity: Number.NaN }, "quantity"],
  ["section null (a 409 with seats free)", { ...best, section: null }, "section"],
  ["section empty", { ...best, section: "" }, "section"],
  ["maxPriceCents null", { ...best, maxPriceCents: null }, "maxPriceCents"],
  ["maxPriceCents negative", { ...best, maxPriceCents: -1 }, "maxPriceCents"],
  ["adjacent as text", { ...best, adjacent: "no" }, "adjacent"],
  ["no user", { ...reserve, userId: undefined }, "userId"],
  ["user null", { ...reserve, userId: null }, "userId"],
  ["user empty", { ...reserve, userId: "" }, "userId"],
  ["hold id as a number", { ...reserve, holdId: 7 }, "holdId"],
  ["ordinals null", { ...reserve, ordinals: null }, "ordinals"],
  ["no tickets", { ...reserve, ordinals: [] }, "ordinals"],
  ["eleven tickets", { ...reserve, ordinals: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10] }, "ordinals"],
  ["a ticket twice", { ...reserve, ordinals: [1, 1] }, "ordinals"],
  ["a negative ordinal", { ...reserve, ordinals: [-1] }, "ordinals"],
  ["a fractional ordinal", { ...reserve, ordinals: [1.5] }, "ordinals"],
  ["an ordinal as text", { ...reserve, ordinals: ["1"] }, "ordinals"],
  ["a null ordinal", { ...reserve, ordinals: [null] }, "ordinals"],
  ["release of a ticket twice", { type: "release", userId: "u1", ordinals: [3, 3] }, "ordinals"],
  ["confirmStart without a payment id", { ...confirmStart, paymentId: undefined }, "paymentId"],
  ["confirmStart with a null key", { ...confirmStart, idempotencyKey: null }, "idempotencyKey"],
  ["confirmComplete without a booking id", { type: "confirmComplete", paymentId: "pay_1" }, "bookingId"],
  ["confirmAbort with a null payment id", { type: "confirmAbort", paymentId: null }, "paymentId"],
  ["settings null", { type: "updateSettings", settings: null }, "settings"],
  [
    "settings with a text time",
    { type: "updateSettings", settings: { onSaleAt: "soon" } },
    "settings.onSaleAt",
  ],
  [
    "settings with a zero cap",
    { type: "updateSettings", settings: { ticketsPerUserMax: 0 } },
    "settings.ticketsPerUserMax",
  ],
  ["settings with a null flag", { type: "updateSettings", settings: { active: null } }, "settings.active"],
];

describe("seat state: malformed commands given straight to decide()", () => {
  for (const [what, command, field] of malformed) {
    it(`refuses ${what} with VALIDATION_ERROR naming '${field}', changing nothing`, () => {
      const state = newState();
      // A hold due to lapse: a refused command must not even lapse it.
      decide(state, { type: "reserve", userId: "u0", ordinals: [9], holdId: "h0" }, start);
      const now = start + ttlMs + 1;
      const before = snapshot(state, start);
      const decision = decide(state, command as Command, now);
      expect(decision.outcome.ok).to.equal(false);
      const { error } = decision.outcome as { ok: false; error: { code: string; details?: any } };
      expect(error.code).to.equal("VALIDATION_ERROR");
      expect(error.details?.field).to.equal(field);
      expect(decision.effects).to.deep.equal([]);
      expect(snapshot(state, start)).to.deep.equal(before);
      expect(findInvariantViolations(state)).to.deep.equal([]);
    });
  }

  it("refuses a payment id reused for other seats without throwing, and keeps the first", () => {
    const state = newState();
    decide(state, { type: "reserve", userId: "u1", ordinals: [0, 1], holdId: "h1" }, start);
    const first = decide(state, confirmStart as Command, start);
    expect(first.outcome.ok).to.equal(true);
    const reused = decide(state, { ...(confirmStart as Command), ordinals: [1] } as Command, start);
    expect(reused.outcome).to.deep.include({ ok: false });
    expect((reused.outcome as any).error).to.deep.include({
      code: "VALIDATION_ERROR",
      details: { field: "paymentId" },
    });
    expect(reused.effects).to.deep.equal([]);
    const again = decide(state, confirmStart as Command, start);
    expect(again.outcome.ok).to.equal(true);
  });

  it("treats a settings field sent as undefined as not given", () => {
    const state = newState();
    const decision = decide(
      state,
      { type: "updateSettings", settings: { ticketsPerUserMax: undefined, onSaleAt: start - 5 } },
      start,
    );
    expect(decision.outcome.ok).to.equal(true);
    expect(state.settings.ticketsPerUserMax).to.equal(10);
    expect(state.settings.onSaleAt).to.equal(start - 5);
  });

  it("still decides well-formed commands of every type", () => {
    const state = newState();
    const commands: Command[] = [
      reserve as Command,
      {
        ...(best as Command),
        holdId: "h10",
        section: "Floor",
        maxPriceCents: 5_000,
        adjacent: false,
      } as Command,
      { type: "release", userId: "u1", ordinals: [1] },
      { type: "expire" },
      { type: "updateSettings", settings: { ticketsPerUserMax: 4, active: true } },
    ];
    for (const command of commands)
      expect(decide(state, command, start).outcome.ok, command.type).to.equal(true);
  });
});
