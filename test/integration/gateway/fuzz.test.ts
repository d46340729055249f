// Hostile input on every REST route of the OpenAPI document (new routes are covered by themselves):
// only contract answers, nothing written by a refused request, the node up and sound afterwards.
// FUZZ_RUNS (requests per route, default 25) and FUZZ_SEED (replay a failure) tune a run.
import { expect } from "chai";
import { dropDatabase, startSystem, type TestSystem } from "../../support/system.ts";
import { fuzzContext, fuzzOperations, operationsOf } from "../../support/http-fuzz.ts";
import { auditDatabase, formatAudit } from "../../../loadtest/audit.ts";

const runs = Number(process.env.FUZZ_RUNS ?? 25);
const seed = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);

describe("gateway: property-based fuzzing of every route", function () {
  this.timeout(600_000);
  let system: TestSystem;

  before(async () => {
    system = await startSystem({ env: { ACTOR_PARANOID_CHECKS: "true" } });
  });
  after(async () => {
    await system.stop();
    await dropDatabase(system.databaseUrl);
  });

  it("answers only contract errors, writes nothing when it refuses, and stays up", async () => {
    const context = await fuzzContext(system);
    const document = await system.request("GET", "/openapi.json");
    // Deleting the known events first would leave little to fuzz: deletions go last.
    const operations = operationsOf(document.body).sort(
      (a, b) => Number(a.method === "DELETE") - Number(b.method === "DELETE"),
    );
    expect(operations.length).to.be.at.least(15);
    const report = await fuzzOperations(operations, context, system.node.runtime.db, { runs, seed });
    console.log(`      fuzz: ${JSON.stringify(report)}`);
    expect(report.requests).to.equal(operations.length * runs);
    expect(report.refusedChecked).to.be.greaterThan(operations.length * runs * 0.3);
    // Still up and sound.
    expect((await system.request("GET", "/health/live")).status).to.equal(200);
    expect((await system.request("GET", "/health/ready")).status).to.equal(200);
    const audit = await auditDatabase(system.node.runtime.db);
    expect(audit.ok, formatAudit(audit)).to.equal(true);
  });

  it("keeps the answers to what it found fixed (500s before: a bad percent-encoding, a null ticket id)", async () => {
    const [user, admin] = await Promise.all([
      system.token("fuzz-regression"),
      system.token("fuzz-admin", "admin"),
    ]);
    const cases: [string, string, string | undefined, unknown][] = [
      ["PATCH", "/admin/events/%", admin, { name: "x" }],
      ["GET", "/events/%E0%A4%A", undefined, undefined],
      ["POST", "/booking/reserve", user, { ticketId: null }],
      ["POST", "/booking/release", user, { ticketIds: null }],
      ["POST", "/booking/confirm", user, { ticketId: null, paymentDetails: { token: "tok_ok" } }],
    ];
    for (const [method, path, token, body] of cases) {
      const answer = await system.request(method, path, {
        token,
        body,
        headers: { "idempotency-key": "fuzz-regression-1" },
      });
      expect(answer.status, `${method} ${path} ${JSON.stringify(body)}`).to.equal(400);
      expect(answer.body.error.code).to.equal("VALIDATION_ERROR");
    }
  });
});
