import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { expect } from "chai";

const run = promisify(execFile);

describe("the OpenAPI document under redocly lint (recommended rules, redocly.yaml)", () => {
  it("has no error and no warning (client/openapi.json, kept fresh by test/unit/client/generated.test.ts)", async function () {
    this.timeout(120_000);
    // Exit code 1 on errors: the report is on stdout either way.
    const { stdout } = await run("npx", ["redocly", "lint", "--format=json"], { timeout: 100_000 }).catch(
      (failure: { stdout?: string }) => ({ stdout: failure.stdout ?? "" }),
    );
    const report = JSON.parse(stdout) as {
      totals: { errors: number; warnings: number };
      problems: { ruleId: string; message: string; location: { pointer: string }[] }[];
    };
    const problems = report.problems.map(
      (problem) => `${problem.ruleId} at ${problem.location[0]?.pointer}: ${problem.message}`,
    );
    expect(problems).to.deep.equal([]);
    expect(report.totals).to.include({ errors: 0, warnings: 0 });
  });
});
