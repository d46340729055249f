// The Dockerfile, checked offline (no Docker engine here): parsed into stages and instructions, it
// builds with every dependency, runs the compiled build on Node 24 LTS with the production
// dependencies only, as a user other than root. test/acceptance/compiled-start.test.ts runs that
// layout (dist/, package.json, production node_modules) for real.
import { expect } from "chai";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../../", import.meta.url));

interface Instruction {
  keyword: string;
  args: string;
}
interface Stage {
  image: string;
  name: string | null;
  instructions: Instruction[];
}

/** Stages of a Dockerfile: continuation lines joined, comments and blank lines dropped. */
function parseDockerfile(text: string): Stage[] {
  const logical = text
    .replace(/\s*\\\n(?:\s*#.*\n)*\s*/g, " ")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"));
  const stages: Stage[] = [];
  for (const line of logical) {
    const [, keyword, args] = /^(\S+)\s*(.*)$/.exec(line)!;
    if (keyword.toUpperCase() === "FROM") {
      const [, image, name] = /^(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args)!;
      stages.push({ image, name: name ?? null, instructions: [] });
    } else {
      if (stages.length === 0) throw new Error(`${keyword} before FROM`);
      stages.at(-1)!.instructions.push({ keyword: keyword.toUpperCase(), args });
    }
  }
  return stages;
}

const argsOf = (stage: Stage, keyword: string) =>
  stage.instructions.filter((instruction) => instruction.keyword === keyword).map((i) => i.args);

describe("Dockerfile", () => {
  let dockerfile: string;
  let stages: Stage[];
  let runtime: Stage;
  const stageNamed = (name: string) => stages.find((stage) => stage.name === name)!;
  /** The stage a `COPY --from=<stage>` names. */
  const copiedFrom = (what: string) => {
    const copy = argsOf(runtime, "COPY").find(
      (args) => args.includes(` ./${what}`) || args.endsWith(` ${what}`),
    );
    expect(copy, `COPY of ${what}`).to.be.a("string");
    return stageNamed(/--from=(\S+)/.exec(copy!)![1]);
  };

  before(async () => {
    dockerfile = await readFile(path.join(root, "Dockerfile"), "utf8");
    stages = parseDockerfile(dockerfile);
    runtime = stages.at(-1)!;
  });

  it("parses into stages (the parser sees through continuations and comments)", () => {
    const parsed = parseDockerfile('FROM a AS one\nRUN x \\\n  # note\n  y\nFROM b\nCMD ["z"]\n');
    expect(parsed).to.deep.equal([
      { image: "a", name: "one", instructions: [{ keyword: "RUN", args: "x y" }] },
      { image: "b", name: null, instructions: [{ keyword: "CMD", args: '["z"]' }] },
    ]);
    expect(stages.length).to.be.at.least(2);
  });

  it("is on Node 24 LTS in every stage, the major CI also runs the unit tests on", async () => {
    for (const stage of stages) expect(stage.image).to.match(/^node:24(?:[.-]|$)/);
    const ci = await readFile(path.join(root, ".ci/run"), "utf8");
    // After the Node 20 runs, under `set -e`: a failing unit test on Node 24 fails CI.
    expect(ci).to.match(/^set -euo pipefail$/m);
    const unitOn24 =
      /^npx -y -p node@24 node \.\/node_modules\/mocha\/bin\/mocha\.js 'test\/unit\/\*\*\/\*\.test\.ts'$/m;
    expect(ci).to.match(unitOn24);
    expect(ci.search(unitOn24)).to.be.above(ci.indexOf("npm run test:faults"));
    // The machine's Node 20 stays supported for `npm start`.
    const manifest = JSON.parse(await readFile(path.join(root, "package.json"), "utf8"));
    expect(manifest.engines.node).to.equal(">=20.19");
  });

  it("builds with every dependency and ships only the production ones and dist/", () => {
    const build = copiedFrom("dist");
    expect(argsOf(build, "RUN").join("\n")).to.match(/npm ci --no-audit/);
    expect(argsOf(build, "RUN").join("\n")).to.match(/npm run build/);
    const dependencies = copiedFrom("node_modules");
    expect(dependencies).to.not.equal(build);
    expect(argsOf(dependencies, "RUN").join("\n")).to.match(/npm ci --omit=dev/);
    // Nothing else of the build context reaches the final image: no sources, no tests.
    for (const copy of argsOf(runtime, "COPY"))
      expect(copy).to.match(/^(--from=\S+ \/app\/(dist|node_modules) \.\/\2|package\.json \.\/)$/);
    expect(argsOf(runtime, "RUN")).to.deep.equal([]);
  });

  it("runs the compiled node as npm run start:prod does: NODE_ENV=production, no tsx, not root", async () => {
    expect(argsOf(runtime, "ENV").join(" ")).to.match(/\bNODE_ENV=production\b/);
    const cmd = JSON.parse(argsOf(runtime, "CMD").at(-1)!) as string[];
    expect(cmd).to.deep.equal(["node", "--enable-source-maps", "dist/main.js"]);
    const manifest = JSON.parse(await readFile(path.join(root, "package.json"), "utf8"));
    expect(manifest.scripts["start:prod"]).to.equal(cmd.join(" "));
    expect(runtime.instructions.map((i) => i.args).join("\n")).to.not.match(/tsx|\.ts\b/);
    const user = argsOf(runtime, "USER").at(-1);
    expect(user).to.be.a("string");
    expect(user).to.not.match(/^(root|0)(:|$)/);
    // The user comes after every COPY: the files stay root's, read-only to the process.
    const keywords = runtime.instructions.map((i) => i.keyword);
    expect(keywords.lastIndexOf("COPY")).to.be.below(keywords.indexOf("USER"));
  });

  it("checks health on the node's health port or PORT", () => {
    const healthcheck = argsOf(runtime, "HEALTHCHECK").at(-1);
    expect(healthcheck).to.match(/--timeout=\d+s/);
    expect(healthcheck).to.match(/HEALTH_PORT \|\| process\.env\.PORT\) \+ '\/health\/ready'/);
    expect(argsOf(runtime, "EXPOSE")).to.deep.equal(["3000"]);
  });

  it("keeps installed and built files out of the build context", async () => {
    const ignored = (await readFile(path.join(root, ".dockerignore"), "utf8")).split("\n");
    for (const entry of ["**/node_modules", "dist", ".git", "gateway/web/dist"])
      expect(ignored, entry).to.include(entry);
  });
});
