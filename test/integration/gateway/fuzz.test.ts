// Hostile input on every REST route of the OpenAPI document (new routes are covered by themselves),
// on one node: random requests (fast-check), then the field sweep (null, every wrong type, boundary
// numbers, invalid Unicode, long strings, oversized arrays and extra fields in every field of every
// schema). Properties: no 5xx at all, only contract errors, a value outside the schema refused as
// invalid, nothing written by a refused request, no actor worker crash, and the node sound afterwards.
// FUZZ_RUNS (random requests per route, default 25), FUZZ_FIELD_SAMPLES (sampled sweep cases per
// route on top of the mandatory ones, default 60; "all" for every one) and FUZZ_SEED (replay) tune a run.
import { expect } from "chai";
import { dropDatabase, startSystem, type TestSystem } from "../../support/system.ts";
import { metricCrashWatch } from "../../support/fuzz/checks.ts";
import { fuzzContext } from "../../support/fuzz/context.ts";
import { byMethod, operationsOf } from "../../support/fuzz/operations.ts";
import { formatViolations, fuzzOperations, sweepFields } from "../../support/fuzz/run.ts";
import { auditDatabase, formatAudit } from "../../../loadtest/audit.ts";

const runs = Number(process.env.FUZZ_RUNS ?? 25);
const seed = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);
const samples =
  process.env.FUZZ_FIELD_SAMPLES === "all" ? Infinity : Number(process.env.FUZZ_FIELD_SAMPLES ?? 60);

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

  async function expectSound(): Promise<void> {
    expect((await system.request("GET", "/health/live")).status).to.equal(200);
    expect((await system.request("GET", "/health/ready")).status).to.equal(200);
    const audit = await auditDatabase(system.node.runtime.db);
    expect(audit.ok, formatAudit(audit)).to.equal(true);
  }

  it("answers random requests with contract errors only, writes nothing when it refuses, and stays up", async () => {
    const context = await fuzzContext(system);
    const document = await system.request("GET", "/openapi.json");
    const operations = operationsOf(document.body).sort(byMethod);
    expect(operations.length).to.be.at.least(15);
    const watch = metricCrashWatch(system.baseUrl);
    const report = await fuzzOperations(operations, context, system.node.runtime.db, { runs, seed, watch });
    console.log(`      fuzz: ${JSON.stringify(report)}`);
    expect(report.requests).to.equal(operations.length * runs);
    expect(report.refusedChecked).to.be.greaterThan(operations.length * runs * 0.3);
    await expectSound();
  });

  it("refuses null, wrong types, boundary numbers, invalid Unicode and oversized arrays in every field, no 5xx, no crash", async () => {
    const context = await fuzzContext(system);
    const document = await system.request("GET", "/openapi.json");
    const operations = operationsOf(document.body).sort(byMethod);
    const sweepSeed = seed ?? Date.now() % 2 ** 31;
    const report = await sweepFields(operations, context, system.node.runtime.db, {
      seed: sweepSeed,
      samples,
      watch: metricCrashWatch(system.baseUrl),
    });
    const { violations, ...figures } = report;
    console.log(`      sweep: ${JSON.stringify(figures)}`);
    expect(violations, formatViolations(report)).to.deep.equal([]);
    expect(report.mandatory).to.be.greaterThan(300);
    await expectSound();
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
