// The deterministic simulation of an event actor (test/support/actor-simulation.ts) at length: many
// seeds, each with crashes and failures at every point of the commit path. A failure prints the seed
// and the command that replays it.
import { expect } from "chai";
import { dropDatabase } from "../support/system.ts";
import {
  runSimulation,
  simulationDatabase,
  summarize,
  type SimulationResult,
} from "../support/actor-simulation.ts";
import { reportFigures } from "./support/fault-cluster.ts";

describe("faults: deterministic simulation of an event actor, many seeds", function () {
  this.timeout(900_000);
  let databaseUrl: string;
  before(async () => {
    databaseUrl = await simulationDatabase();
  });
  after(async () => {
    await dropDatabase(databaseUrl);
  });

  it("keeps every invariant after every step of every seed", async () => {
    const seeds = Number(process.env.SIM_SEEDS ?? 10);
    const steps = Number(process.env.SIM_STEPS ?? 150);
    const base = Date.now() % 1_000_000;
    const results: SimulationResult[] = [];
    const firedAt: Record<string, number> = {};
    for (let index = 0; index < seeds; index++) {
      // Half fixed (the same every run), half new (printed if they fail).
      const seed = index % 2 === 0 ? 1_000 + index : base + index;
      // Every fourth seed before the sale, with presale codes opening it.
      const result = await runSimulation({ databaseUrl, seed, steps, presale: index % 4 === 3 });
      results.push(result);
      for (const [where, count] of Object.entries(result.firedAt))
        firedAt[where] = (firedAt[where] ?? 0) + count;
    }
    const summary = summarize(results);
    await reportFigures("actor-simulation", { ...summary, violations: 0, firedAt });
    // Faults landed all along the commit path, not only on its first statement.
    expect(Object.keys(firedAt).some((where) => where.includes("COMMIT"))).to.equal(true);
    expect(summary.crashes).to.be.greaterThan(seeds);
  });
});
