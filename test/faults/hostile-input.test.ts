// The fuzz of every route (test/support/fuzz/) against the system as separate processes over NATS:
// random requests, then the field sweep (null, wrong types at every depth, boundary numbers, invalid
// Unicode, oversized arrays in every field of every schema). Errors that cross the transporter are
// mapped to the contract as well; no 5xx, a refused request writes nothing, no actor worker crashes
// (metric and node logs) and every node stays up. FUZZ_RUNS (default 15), FUZZ_FIELD_SAMPLES
// (default 40) and FUZZ_SEED tune a run.
import { expect } from "chai";
import { fuzzContext } from "../support/fuzz/context.ts";
import { byMethod, operationsOf } from "../support/fuzz/operations.ts";
import { formatViolations, fuzzOperations, sweepFields } from "../support/fuzz/run.ts";
import { assertAuditClean, reportFigures, useFaultCluster } from "./support/fault-cluster.ts";
import { clusterCrashWatch } from "./support/worker-crashes.ts";

const runs = Number(process.env.FUZZ_RUNS ?? 15);
const seed = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);
const samples =
  process.env.FUZZ_FIELD_SAMPLES === "all" ? Infinity : Number(process.env.FUZZ_FIELD_SAMPLES ?? 40);

describe("faults: hostile input against the multi-process cluster", function () {
  this.timeout(600_000);
  const cluster = useFaultCluster();

  it("answers only contract errors, refuses every malformed field, writes nothing when it refuses, no crash, every node up", async () => {
    const faults = cluster();
    const watch = clusterCrashWatch(faults);
    const document = await faults.request("GET", "/openapi.json");
    const operations = operationsOf(document.body).sort(byMethod);
    const random = await fuzzOperations(operations, await fuzzContext(faults), faults.db, {
      runs,
      seed,
      watch,
    });
    const sweepSeed = seed ?? Date.now() % 2 ** 31;
    const sweep = await sweepFields(operations, await fuzzContext(faults), faults.db, {
      seed: sweepSeed,
      samples,
      watch,
    });
    const { violations, ...sweepFigures } = sweep;
    console.log(`      sweep: ${JSON.stringify(sweepFigures)}`);
    expect(violations, formatViolations(sweep)).to.deep.equal([]);
    for (const node of faults.cluster.nodes)
      expect(node.process.exitCode, `${node.spec.name} exited`).to.equal(null);
    expect((await faults.request("GET", "/health/ready")).status).to.equal(200);
    const audit = await assertAuditClean(faults);
    await reportFigures("hostile-input", {
      random,
      sweep: sweepFigures,
      violations: violations.length,
      auditBookings: audit.bookings,
    });
  });
});
