// The presale rule straight through decide() (domain/seat-state/presale.ts): windows, uses taken by
// bookings only, the holds a code may keep, a reload from the persisted rows.
import { expect } from "chai";
import { buildSeatLayout } from "../../../../domain/seat-layout.ts";
import {
  createSeatState,
  decide,
  findInvariantViolations,
  type Command,
  type SeatState,
} from "../../../../domain/seat-state.ts";
import type { PresaleGrant } from "../../../../domain/seat-state/decision.ts";
import {
  generatePresaleCode,
  normalizePresaleCode,
  presaleCodeAlphabet,
} from "../../../../domain/presale-codes.ts";

const start = Date.parse("2027-01-01T00:00:00Z");
const onSaleAt = start + 86_400_000;
const grant = (usesPerCode = 1): PresaleGrant => ({
  codeId: "pc_one",
  startsAtMs: start,
  endsAtMs: start + 3_600_000,
  usesPerCode,
});

function newState(): SeatState {
  const layout = buildSeatLayout([{ name: "Floor", priceCents: 1_000, rows: [{ label: "A", seats: 20 }] }]);
  return createSeatState("ev_p", layout, {
    active: true,
    onSaleAt,
    startsAt: onSaleAt + 86_400_000,
    ticketsPerUserMax: 10,
    holdTtlMs: 60_000,
  });
}

let holds = 0;
const reserve = (userId: string, ordinals: number[], presale?: PresaleGrant): Command => ({
  type: "reserve",
  userId,
  ordinals,
  holdId: `hd${holds++}`,
  ...(presale ? { presale } : {}),
});

function run(state: SeatState, command: Command, now = start + 1_000) {
  const decision = decide(state, command, now);
  expect(findInvariantViolations(state, now)).to.deep.equal([]);
  return decision;
}

const reason = (decision: ReturnType<typeof decide>) =>
  decision.outcome.ok
    ? "ok"
    : `${decision.outcome.error.code}:${String(decision.outcome.error.details?.reason)}`;

function book(state: SeatState, userId: string, ordinals: number[], payment: string, now = start + 1_000) {
  const started = run(
    state,
    { type: "confirmStart", userId, ordinals, paymentId: payment, idempotencyKey: `k-${payment}` },
    now,
  );
  if (!started.outcome.ok) return started;
  return run(state, { type: "confirmComplete", paymentId: payment, bookingId: `bk-${payment}` }, now);
}

describe("presale codes in the event's actor", () => {
  it("opens the sale early only within the window; a reserve without a code is NOT_ON_SALE", () => {
    const state = newState();
    expect(reason(run(state, reserve("a", [0])))).to.equal("NOT_ON_SALE:undefined");
    expect(reason(run(state, reserve("a", [0], grant()), start - 1))).to.equal(
      "PRESALE_CODE_INVALID:not_started",
    );
    expect(reason(run(state, reserve("a", [0], grant()), start + 3_600_000))).to.equal(
      "PRESALE_CODE_INVALID:ended",
    );
    const held = run(state, reserve("a", [0], grant()));
    expect(held.outcome.ok).to.equal(true);
    const put = held.effects.find((effect) => effect.type === "holdsPut");
    expect(put?.type === "holdsPut" && put.hold.holdId).to.match(/~pc_one$/);
  });

  it("is used by a booking, not a hold; the booking's commit carries the use", () => {
    const state = newState();
    expect(reason(run(state, reserve("a", [0], grant())))).to.equal("ok");
    expect(reason(run(state, { type: "release", userId: "a", ordinals: [0] }))).to.equal("ok");
    expect(reason(run(state, reserve("a", [1], grant())))).to.equal("ok");
    // The hold lapses (TTL 60 s): nothing used.
    expect(reason(run(state, reserve("b", [2], grant()), start + 120_000))).to.equal("ok");
    const booked = book(state, "b", [2], "pay1", start + 120_000);
    expect(booked.effects).to.deep.include({ type: "presaleUsed", codeId: "pc_one", bookingId: "bk-pay1" });
    expect(reason(run(state, reserve("c", [3], grant()), start + 120_000))).to.equal(
      "PRESALE_CODE_INVALID:used_up",
    );
  });

  it("lets two hold on a last use and books one; a declined payment gives the use back", () => {
    const state = newState();
    expect(reason(run(state, reserve("a", [0], grant())))).to.equal("ok");
    expect(reason(run(state, reserve("b", [1], grant())))).to.equal("ok");
    expect(reason(run(state, reserve("c", [2], grant())))).to.equal("PRESALE_CODE_INVALID:holds_full");
    // b's retry of its reserve (a lost reply) places no hold: it answers as before.
    expect(reason(run(state, reserve("b", [1], grant())))).to.equal("ok");
    const first = run(state, {
      type: "confirmStart",
      userId: "a",
      ordinals: [0],
      paymentId: "pa",
      idempotencyKey: "ka",
    });
    expect(first.outcome.ok).to.equal(true);
    const second = run(state, {
      type: "confirmStart",
      userId: "b",
      ordinals: [1],
      paymentId: "pb",
      idempotencyKey: "kb",
    });
    expect(reason(second)).to.equal("PRESALE_CODE_INVALID:used_up");
    expect(second.effects).to.deep.equal([]);
    // a's card is declined: the use is free again and b may pay.
    expect(reason(run(state, { type: "confirmAbort", paymentId: "pa", declined: "card" }))).to.equal("ok");
    expect(reason(book(state, "b", [1], "pb2"))).to.equal("ok");
    expect(reason(book(state, "a", [0], "pa2"))).to.equal("PRESALE_CODE_INVALID:used_up");
  });

  it("ignores a code once the sale is open: the hold is ordinary and its booking uses nothing", () => {
    const state = newState();
    const held = run(state, reserve("a", [0], grant()), onSaleAt);
    expect(held.outcome.ok).to.equal(true);
    const booked = book(state, "a", [0], "p1", onSaleAt);
    expect(booked.effects.some((effect) => effect.type === "presaleUsed")).to.equal(false);
  });

  it("knows its codes' holds and uses after a reload from the persisted rows", () => {
    const state = newState();
    run(state, reserve("a", [0, 1], grant(2)));
    book(state, "a", [0, 1], "p1");
    const held = run(state, reserve("b", [2], grant(2)));
    const put = held.effects.find((effect) => effect.type === "holdsPut")!;
    const row = put.type === "holdsPut" ? put.hold : null;
    const reloaded = createSeatState("ev_p", state.layout, state.settings, {
      bookedOrdinals: [0, 1],
      bookedUserIds: ["a", "a"],
      holds: [{ ...row!, ordinal: 2 }],
      version: 1,
      presaleCodes: [{ codeId: "pc_one", usesPerCode: 2, uses: 1 }],
    });
    expect(reason(run(reloaded, reserve("c", [3], grant(2))))).to.equal("ok");
    expect(reason(run(reloaded, reserve("d", [4], grant(2))))).to.equal("PRESALE_CODE_INVALID:holds_full");
    expect(reason(book(reloaded, "b", [2], "p2"))).to.equal("ok");
    expect(reason(book(reloaded, "c", [3], "p3"))).to.equal("PRESALE_CODE_INVALID:used_up");
  });

  it("refuses a malformed grant and a confirm over holds of two codes", () => {
    const state = newState();
    const bad = { ...grant(), usesPerCode: 0 };
    expect(reason(run(state, reserve("a", [0], bad)))).to.equal("VALIDATION_ERROR:undefined");
    run(state, reserve("a", [0], grant()));
    run(state, reserve("a", [1], { ...grant(), codeId: "pc_two" }));
    expect(
      reason(
        run(state, {
          type: "confirmStart",
          userId: "a",
          ordinals: [0, 1],
          paymentId: "p",
          idempotencyKey: "k",
        }),
      ),
    ).to.equal("PRESALE_CODE_INVALID:mixed");
  });
});

describe("presale code generation", () => {
  it("makes 14-symbol codes of the alphabet, all different, and reads them back as people type them", () => {
    const codes = new Set(Array.from({ length: 2_000 }, () => generatePresaleCode()));
    expect(codes.size).to.equal(2_000);
    for (const code of codes) {
      expect(code).to.have.length(14);
      expect([...code].every((symbol) => presaleCodeAlphabet.includes(symbol))).to.equal(true);
    }
    const [code] = codes;
    expect(normalizePresaleCode(` ${code.slice(0, 7).toLowerCase()}-${code.slice(7)} `)).to.equal(code);
    expect(normalizePresaleCode("0OIL15SZ2B8AAA")).to.equal(null);
    expect(normalizePresaleCode(code + "A")).to.equal(null);
    expect(normalizePresaleCode("A".repeat(1_000))).to.equal(null);
  });

  it("draws every symbol of the alphabet about equally often", () => {
    const counts = new Map<string, number>();
    for (let index = 0; index < 2_000; index++)
      for (const symbol of generatePresaleCode()) counts.set(symbol, (counts.get(symbol) ?? 0) + 1);
    const expected = (2_000 * 14) / presaleCodeAlphabet.length;
    expect(counts.size).to.equal(presaleCodeAlphabet.length);
    for (const count of counts.values()) expect(Math.abs(count - expected) / expected).to.be.below(0.15);
  });
});
