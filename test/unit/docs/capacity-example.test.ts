// docs/capacity.md's worked example stays true: each `npm run plan -- ...` command of the page
// (a sh block) is followed by a text block that must be exactly what the planner prints for those
// arguments, on the measurements the page names (docs/capacity-example/, copies of loadtest/results/).
import { expect } from "chai";
import { readFileSync } from "node:fs";
import { fencedBlocks } from "../../support/markdown.ts";
import { runPlan } from "../../../loadtest/plan/plan.ts";

const page = "docs/capacity.md";
const root = new URL("../../../", import.meta.url);

function examples(): { command: string; args: string[]; printed: string }[] {
  const blocks = fencedBlocks(readFileSync(new URL(page, root), "utf8"));
  const found = [];
  for (const [index, block] of blocks.entries()) {
    const command = /^npm run (?:-s )?plan -- (.+)$/.exec(block.text.trim());
    if (block.language !== "sh" || !command) continue;
    const printed = blocks[index + 1];
    if (printed?.language !== "text")
      throw new Error(`${page}:${block.line}: the plan's output must follow in a text block`);
    found.push({ command: command[0], args: command[1].split(/\s+/), printed: printed.text });
  }
  return found;
}

describe("docs/capacity.md: the worked example", () => {
  it("has the worked example (1M events x 50k tickets, 10M users) on the measurements kept beside the page", () => {
    const [example] = examples();
    expect(example.args).to.include.members(["--results", "docs/capacity-example"]);
    expect(example.command).to.include("--events 1M --tickets-per-event 50k --peak-users 10M");
  });

  it("prints what the planner prints for the same arguments", () => {
    for (const example of examples()) {
      const { output, exitCode } = runPlan(example.args);
      expect(exitCode, example.command).to.equal(0);
      expect(example.printed, `${example.command}: regenerate the block with this output`).to.equal(output);
    }
  });
});
