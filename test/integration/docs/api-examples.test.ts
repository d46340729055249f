// The shell session of docs/api.md, pasted in order against a system started as `npm start` starts
// one (the demo catalog, the default seat-map and rate-limit settings): every command answers what
// the page says it does.
import { expect } from "chai";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { seedDemoData } from "../../../catalog/demo-data.ts";
import { publicErrorCodes } from "../../../domain/errors.ts";
import { eventually } from "../../support/eventually.ts";
import {
  exampleSteps,
  runSession,
  sessionScript,
  stepProblems,
  type ExampleStep,
  type SessionResult,
} from "../../support/doc-examples.ts";
import { dropDatabase, startSystem, type TestSystem } from "../../support/system.ts";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const page = "docs/api.md";
const documentedBase = /^BASE=http:\/\/127\.0\.0\.1:3000$/m;

/** The page's steps, with the base URL `npm start` serves on replaced by the test system's. */
function stepsAgainst(baseUrl: string): ExampleStep[] {
  const markdown = readFileSync(`${root}${page}`, "utf8");
  const steps = exampleSteps(markdown, publicErrorCodes);
  const settingBase = steps.filter((step) => documentedBase.test(step.code));
  expect(settingBase, "one step sets BASE to npm start's address").to.have.length(1);
  settingBase[0].code = settingBase[0].code.replace(documentedBase, `BASE=${baseUrl}`);
  return steps;
}

describe("docs/api.md: the shell examples", function () {
  this.timeout(120_000);
  let system: TestSystem;
  let steps: ExampleStep[];
  let session: SessionResult;

  before(async () => {
    system = await startSystem({ env: { SEAT_MAP_COALESCE_MS: "100", RATE_LIMIT_PER_WINDOW: "600" } });
    await seedDemoData(system.node.runtime.db, system.node.runtime.clock.now());
    // A user pastes the examples once the node has started; the search index then follows the seeded
    // catalog within a moment (the page says so): wait for it as they would.
    await eventually(async () => {
      const answer = await system.request("GET", "/events/search?type=theatre&limit=1");
      return answer.body?.results?.length === 1 ? true : undefined;
    }, 20_000);
    steps = stepsAgainst(system.baseUrl);
    session = await runSession(sessionScript(steps), root, 90_000);
  });
  after(async () => {
    await system?.stop();
    if (system) await dropDatabase(system.databaseUrl);
  });

  it("has steps covering the quick start in order: token, search, event, reserve, confirm, booking", () => {
    const routes = steps.map((step) => step.code).join("\n");
    const order = [
      "/auth/token",
      "/events/search",
      "/events/$EVENT?",
      "/booking/reserve",
      "/booking/confirm",
      "/bookings/$BOOKING",
    ];
    const positions = order.map((route) => routes.indexOf(route));
    expect(positions, JSON.stringify(order)).to.not.include(-1);
    expect([...positions].sort((a, b) => a - b)).to.deep.equal(positions);
  });

  it("runs every step to the end", () => {
    const { step, code } = session.exit;
    const failed = steps[step];
    expect(
      { step, code },
      failed
        ? `${page}:${failed.line} stopped the session:\n${failed.code}\n${session.output}`
        : session.output,
    ).to.deep.equal({ step: steps.length - 1, code: 0 });
  });

  it("answers each request with the status (and error code) the page gives", () => {
    const problems = steps.flatMap((step, index) => {
      const outcome = session.steps[index];
      if (!outcome) return [`${page}:${step.line}: did not run`];
      return stepProblems(step, outcome).map(
        (problem) => `${page}:${step.line}: ${problem}\n${outcome.output}`,
      );
    });
    expect(problems, problems.join("\n\n")).to.deep.equal([]);
  });
});
