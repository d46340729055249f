// The reading of a page's shell examples (test/support/doc-examples.ts): steps, what each says it
// answers, and how a run is judged against that. The run itself is tested against a real system in
// test/integration/docs/api-examples.test.ts.
import { expect } from "chai";
import {
  exampleSteps,
  parseExpectation,
  runSession,
  sessionScript,
  stepProblems,
} from "../../support/doc-examples.ts";

const codes = ["TICKET_UNAVAILABLE", "FORBIDDEN"];

describe("doc examples", () => {
  it("read statuses, a repeated last status and the error code of an annotation", () => {
    expect(parseExpectation("200 (a token)", codes)).to.deep.equal({
      statuses: [200],
      repeatsLast: false,
      errorCode: null,
    });
    expect(parseExpectation('409 TICKET_UNAVAILABLE {"error": ...}', codes)).to.deep.equal({
      statuses: [409],
      repeatsLast: false,
      errorCode: "TICKET_UNAVAILABLE",
    });
    expect(parseExpectation("200, 201+ {...}", codes)).to.deep.equal({
      statuses: [200, 201],
      repeatsLast: true,
      errorCode: null,
    });
    expect(parseExpectation('subscribed {"version": 3}', codes).statuses).to.deep.equal([]);
    expect(() => parseExpectation("403 FORBIDEN", codes)).to.throw(/FORBIDEN is not an error code/);
    expect(() => parseExpectation("200+, 201", codes)).to.throw(/only on the last/);
  });

  it("split the sh blocks of a page into steps ending at their annotations", () => {
    const page = [
      "# Page",
      "```sh",
      "A=1",
      "curl -s x",
      "# => 200",
      "echo done",
      "```",
      "```json",
      "{}",
      "```",
      "```sh",
      "# only a comment",
      "```",
    ].join("\n");
    const steps = exampleSteps(page, codes);
    expect(steps.map(({ code, line }) => ({ code, line }))).to.deep.equal([
      { code: "A=1\ncurl -s x", line: 5 },
      { code: "echo done", line: 7 },
    ]);
    expect(steps[1].expected.statuses).to.deep.equal([]);
  });

  it("judge a step by its statuses, in order, and by its error code", () => {
    const step = { code: "", line: 1, expected: parseExpectation("409 TICKET_UNAVAILABLE", codes) };
    const answer = '{"error":{"code":"TICKET_UNAVAILABLE"}}';
    expect(stepProblems(step, { statuses: [409], output: answer })).to.deep.equal([]);
    expect(stepProblems(step, { statuses: [200], output: "{}" })).to.deep.equal([
      "answered 200, the page says 409",
      "no TICKET_UNAVAILABLE in its answer",
    ]);
    const polling = { code: "", line: 1, expected: parseExpectation("202, 200+", codes) };
    expect(stepProblems(polling, { statuses: [202, 200, 200], output: "" })).to.deep.equal([]);
    expect(stepProblems(polling, { statuses: [202], output: "" })).to.have.length(1);
    expect(stepProblems(polling, { statuses: [202, 200, 404], output: "" })).to.have.length(1);
  });

  it("run a session in bash: statuses per step, and where a failing command stopped it", async () => {
    // No server needed: curl to a closed port answers no status (000).
    const steps = exampleSteps(
      [
        "```sh",
        "curl -s --max-time 2 http://127.0.0.1:9/ || true",
        "# => 000",
        "X=$(false)",
        "# => ",
        "echo never",
        "# => ",
        "```",
      ].join("\n"),
      codes,
    );
    const session = await runSession(sessionScript(steps), process.cwd(), 20_000);
    expect(session.steps.map((step) => step.statuses)).to.deep.equal([[0]]);
    expect(session.exit.step).to.equal(1);
    expect(session.exit.code).to.not.equal(0);
  });
});
