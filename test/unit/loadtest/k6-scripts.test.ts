// k6 cannot run on this machine, so its scripts are kept valid by type-checking them against
// @types/k6 (loadtest/k6/tsconfig.json), and the check itself is shown to catch a broken script.
import { expect } from "chai";
import { execFile } from "node:child_process";
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const k6Directory = path.join(root, "loadtest/k6");
const tsc = path.join(root, "node_modules/typescript/bin/tsc");

function typeCheck(project: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [tsc, "--noEmit", "-p", project],
      { timeout: 60_000 },
      (error, stdout, stderr) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, output: `${stdout}${stderr}` }),
    );
  });
}

describe("k6 scripts", function () {
  this.timeout(90_000);

  it("type-check against @types/k6", async () => {
    const { code, output } = await typeCheck(path.join(k6Directory, "tsconfig.json"));
    expect(output).to.equal("");
    expect(code).to.equal(0);
  });

  it("fail the check when a script is broken", async () => {
    const copy = await mkdtemp(path.join(os.tmpdir(), "marquee-k6-"));
    try {
      await cp(k6Directory, copy, { recursive: true });
      await writeFile(
        path.join(copy, "tsconfig.json"),
        JSON.stringify({
          extends: path.join(k6Directory, "tsconfig.json"),
          compilerOptions: { typeRoots: [path.join(root, "node_modules/@types")] },
          include: ["./**/*.ts"],
        }),
      );
      const script = path.join(copy, "rush.ts");
      // A k6 API misused the way a real edit could: a response's status is a number.
      const source = await readFile(script, "utf8");
      await writeFile(
        script,
        `${source}\nexport const broken: string = http.get(baseUrl).status.toUpperCase();\n`,
      );
      const { code, output } = await typeCheck(path.join(copy, "tsconfig.json"));
      expect(code).to.not.equal(0);
      // Only the broken line is reported (the copy's setup itself checks clean).
      const brokenLine = source.split("\n").length + 1;
      const errors = output.split("\n").filter((line) => line.includes("error TS"));
      expect(errors).to.have.length.greaterThan(0);
      for (const line of errors) expect(line).to.contain(`rush.ts(${brokenLine},`);
    } finally {
      await rm(copy, { recursive: true, force: true });
    }
  });
});
