// Deterministic simulation of an event actor with its persistence (test/support/actor-simulation.ts):
// seeded commands, clock jumps, crashes and failures at random points of the commit path, invariants
// after every step. SIM_SEED=<n> replays one seed (printed by a failure); SIM_SEEDS and SIM_STEPS size
// a run. The fault suite (npm run test:faults) runs many more seeds.
import { expect } from "chai";
import { dropDatabase } from "../../support/system.ts";
import {
  runSimulation,
  simulationDatabase,
  summarize,
  type SimulationResult,
} from "../../support/actor-simulation.ts";

/**
 * Seeds that once failed, kept. 993225133: a BEGIN whose answer was lost left its connection in the
 * pool with a transaction open, and the next turn's acknowledged holds were written inside it and
 * never committed (a connection whose statement failed is now destroyed, not pooled). 500022: holds of
 * equal expiry lapsed in the order of the expiry heap, which depends on the order the holds were made
 * or loaded in (the activation query's rows come in no set order), and the waiting list's offer took
 * the first seats that came back in that order (now the lowest ordinals among them): the reloaded host
 * offered seats 6, 9, 10, the shadow built from the same rows 3, 9, 10. 500125 (150 steps, found by
 * the fault suite as a hang): a confirm refused as decided (its key remembered) set the turn's clock
 * without lapsing the holds due by it, and the paranoid check stopped the host on "held past its
 * expiry"; the simulation waited for an answer that could not come (it now fails at once).
 */
const regressionSeeds: { seed: number; steps?: number }[] = [
  { seed: 993225133 },
  { seed: 500022 },
  { seed: 500125, steps: 150 },
];

function simulationSeeds(defaultCount: number): { seed: number; steps?: number }[] {
  if (process.env.SIM_SEED) return [{ seed: Number(process.env.SIM_SEED) }];
  const count = Number(process.env.SIM_SEEDS ?? defaultCount);
  // Fixed seeds, plus one new each run (printed if it fails, so it can be replayed).
  const fixed = Array.from({ length: Math.max(0, count - 1) }, (_, index) => ({ seed: index + 1 }));
  return [...fixed, ...regressionSeeds, { seed: Date.now() % 1_000_000_007 }];
}

describe("actors: deterministic simulation with crashes in the commit path", function () {
  this.timeout(600_000);
  let databaseUrl: string;
  before(async () => {
    databaseUrl = await simulationDatabase();
  });
  after(async () => {
    await dropDatabase(databaseUrl);
  });

  it("keeps every invariant after every step, whatever the seed", async () => {
    const steps = Number(process.env.SIM_STEPS ?? 100);
    const results: SimulationResult[] = [];
    for (const run of simulationSeeds(3))
      results.push(await runSimulation({ databaseUrl, seed: run.seed, steps: run.steps ?? steps }));
    const summary = summarize(results);
    console.log(`      simulation: ${JSON.stringify(summary)}`);
    expect(summary.crashes + summary.transientFailures).to.be.greaterThan(0);
  });

  it("replays a seed exactly (same trace, step by step)", async () => {
    const first = await runSimulation({ databaseUrl, seed: 4242, steps: 50 });
    const second = await runSimulation({ databaseUrl, seed: 4242, steps: 50 });
    expect(second.trace).to.deep.equal(first.trace);
    expect(first.faults.crash + first.faults.transient).to.be.greaterThan(0);
    const other = await runSimulation({ databaseUrl, seed: 4243, steps: 50 });
    expect(other.digest).to.not.equal(first.digest);
  });

  it("keeps every invariant before the sale, with presale codes opening it", async () => {
    const steps = Number(process.env.SIM_STEPS ?? 100);
    const results: SimulationResult[] = [];
    for (const run of simulationSeeds(3))
      results.push(
        await runSimulation({ databaseUrl, seed: run.seed, steps: run.steps ?? steps, presale: true }),
      );
    const summary = summarize(results);
    console.log(`      presale simulation: ${JSON.stringify(summary)}`);
    expect(summary.bookings).to.be.greaterThan(0);
    expect(summary.crashes + summary.transientFailures).to.be.greaterThan(0);
  });
});
