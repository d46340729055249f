// The property-based fuzzing of every route (test/support/http-fuzz.ts) against the system as separate
// processes over NATS: errors that cross the transporter are mapped to the contract as well, a refused
// request writes nothing, and no node goes down.
import { expect } from "chai";
import { fuzzContext, fuzzOperations, operationsOf } from "../support/http-fuzz.ts";
import { assertAuditClean, reportFigures, useFaultCluster } from "./support/fault-cluster.ts";

const runs = Number(process.env.FUZZ_RUNS ?? 15);
const seed = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);

describe("faults: hostile input against the multi-process cluster", function () {
  this.timeout(600_000);
  const cluster = useFaultCluster();

  it("answers only contract errors, writes nothing when it refuses, and every node stays up", async () => {
    const faults = cluster();
    const context = await fuzzContext(faults);
    const document = await faults.request("GET", "/openapi.json");
    const operations = operationsOf(document.body).sort(
      (a, b) => Number(a.method === "DELETE") - Number(b.method === "DELETE"),
    );
    const report = await fuzzOperations(operations, context, faults.db, { runs, seed });
    for (const node of faults.cluster.nodes)
      expect(node.process.exitCode, `${node.spec.name} exited`).to.equal(null);
    expect((await faults.request("GET", "/health/ready")).status).to.equal(200);
    const audit = await assertAuditClean(faults);
    await reportFigures("hostile-input", { ...report, violations: 0, auditBookings: audit.bookings });
  });
});
