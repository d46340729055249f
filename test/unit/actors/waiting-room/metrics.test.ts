// Waiting-room metrics per event: a line is reported by the node whose actor looks after it, and
// only while it does (a retired or handed-over actor takes its series away).
import { expect } from "chai";
import Moleculer from "moleculer";
import { brokerOptions } from "../../../../moleculer.config.ts";
import { loadConfig } from "../../../../platform/config.ts";
import { renderMetrics } from "../../../../platform/prometheus.ts";
import { createWaitingRoomMetrics } from "../../../../actors/waiting-room/metrics.ts";
import type { TickResult } from "../../../../actors/waiting-room/waiting-room-actor.ts";

const tick = (outcome: TickResult["outcome"], values: Partial<TickResult> = {}): TickResult => ({
  outcome,
  admitted: [],
  activeCount: 0,
  waitingCount: 0,
  ratePerSecond: 0,
  admissible: 0,
  positionsPushed: 0,
  ...values,
});

describe("waiting-room metrics", () => {
  const broker = new Moleculer.ServiceBroker(
    brokerOptions(loadConfig({ LOG_LEVEL: "warn", NAMESPACE: "m" })),
  );
  const metrics = createWaitingRoomMetrics(broker);
  const sample = (name: string, eventId: string) =>
    new RegExp(`^marquee_waiting_room_${name}\\{namespace="m",event_id="${eventId}"\\} (\\S+)$`, "m").exec(
      renderMetrics(broker),
    )?.[1];

  it("reports each tick's line, active shoppers, room and admissions per event", () => {
    metrics.recordTick(
      "ev_a",
      tick("admitting", { admitted: ["u1", "u2"], activeCount: 2, waitingCount: 7, admissible: 3 }),
    );
    metrics.recordTick("ev_a", tick("idle", { activeCount: 5, waitingCount: 4, admissible: 0 }));
    metrics.recordTick("ev_b", tick("idle", { waitingCount: 1, admissible: 1 }));
    expect(sample("waiting", "ev_a")).to.equal("4");
    expect(sample("active", "ev_a")).to.equal("5");
    expect(sample("admissible", "ev_a")).to.equal("0");
    expect(sample("admitted_total", "ev_a")).to.equal("2");
    expect(sample("admitted_total", "ev_b")).to.equal("0");
    expect(sample("admissible", "ev_b")).to.equal("1");
  });

  it("drops an event's series when its actor retires or another node holds the lease", () => {
    metrics.recordTick("ev_a", tick("retired"));
    metrics.recordTick("ev_b", tick("lease-busy"));
    for (const name of ["waiting", "active", "admissible", "admitted_total"]) {
      expect(sample(name, "ev_a"), name).to.equal(undefined);
      expect(sample(name, "ev_b"), name).to.equal(undefined);
    }
  });
});
