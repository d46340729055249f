// Phase 1 of a turn (actors/booking/turn-decide.ts) with the paranoid check on: the clock it holds
// the state to is one decide() caught the state up with. A command refused before deciding (a confirm
// whose Idempotency-Key this worker remembers, a malformed command) lapses nothing, so a hold due by
// then must not stop the host; any decided command lapses it.
import { expect } from "chai";
import { buildSeatLayout } from "../../../../domain/seat-layout.ts";
import { createSeatState, decide, type Command } from "../../../../domain/seat-state.ts";
import type { Actor } from "../../../../actors/booking/actor.ts";
import { decideTurn, type DecideOptions } from "../../../../actors/booking/turn-decide.ts";

const start = Date.parse("2031-03-01T10:00:00Z");
const holdTtlMs = 60_000;
const due = start + holdTtlMs + 1;

/** An actor whose user u1 holds seat 0 since `start` (due at start + holdTtlMs). */
function actorWithHold(): Actor {
  const layout = buildSeatLayout([{ name: "Floor", priceCents: 1_000, rows: [{ label: "A", seats: 4 }] }]);
  const state = createSeatState("ev_turn", layout, {
    active: true,
    onSaleAt: start - 86_400_000,
    startsAt: start + 30 * 86_400_000,
    ticketsPerUserMax: 4,
    holdTtlMs,
  });
  const held = decide(state, { type: "reserve", userId: "u1", ordinals: [0], holdId: "hd_1" }, start);
  expect(held.outcome.ok).to.equal(true);
  return {
    eventId: "ev_turn",
    phase: "ready",
    state,
    epoch: 1,
    mailbox: [],
    provenAt: 0,
    lastActiveAt: 0,
    expireQueued: false,
  };
}

const options = (remembered: boolean): DecideOptions => ({
  paranoid: true,
  nextHoldId: () => "hd_next",
  keyClaimed: () => remembered,
});

const confirmStart: Command = {
  type: "confirmStart",
  userId: "u2",
  ordinals: [1],
  paymentId: "pay_2",
  idempotencyKey: "key-used-before",
  requestHash: "hash",
};

function turnOf(actor: Actor, command: unknown, remembered = false) {
  actor.mailbox.push({
    request: { kind: "command", id: 7, eventId: actor.eventId, command: command as Command },
    now: due,
  });
  return decideTurn([actor], options(remembered));
}

describe("actors: a turn's decisions and the clock the paranoid check holds them to", () => {
  it("a confirm refused for a remembered key alone: answered, nothing lapsed, no invariant stop", () => {
    const actor = actorWithHold();
    const turn = turnOf(actor, confirmStart, true);
    expect(turn.work[0].outcomes[0].outcome).to.deep.include({ ok: false });
    expect((turn.work[0].outcomes[0].outcome as { error: { code: string } }).error.code).to.equal(
      "IDEMPOTENCY_KEY_TAKEN",
    );
    expect(turn.work[0].effects).to.deep.equal([]);
    expect(actor.state!.counts.held).to.equal(1);
  });

  it("a malformed command alone: refused, nothing lapsed, no invariant stop", () => {
    const actor = actorWithHold();
    const turn = turnOf(actor, { type: "reserve", userId: null });
    expect(turn.work[0].outcomes[0].outcome).to.deep.include({ ok: false });
    expect(actor.state!.counts.held).to.equal(1);
  });

  it("a command decided at the same clock lapses the due hold first", () => {
    const actor = actorWithHold();
    const turn = turnOf(actor, { type: "reserve", userId: "u3", ordinals: [0], holdId: "hd_3" });
    expect(turn.work[0].outcomes[0].outcome.ok).to.equal(true);
    expect(turn.work[0].effects.some((effect) => effect.type === "holdsEnded")).to.equal(true);
  });
});
