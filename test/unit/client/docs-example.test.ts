// The typed client's example in docs/api.md ("Typed client") type-checks against the client as it is.
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "chai";
import { fencedBlocks } from "../../support/markdown.ts";

const root = fileURLToPath(new URL("../../../", import.meta.url));

describe("docs/api.md: the typed client's example", function () {
  this.timeout(90_000);

  it("type-checks against client/src (strict, browser libraries)", async () => {
    const markdown = await readFile(path.join(root, "docs/api.md"), "utf8");
    const section = markdown.slice(markdown.indexOf("\n## Typed client"));
    const [example] = fencedBlocks(section).filter((block) => block.language === "ts");
    expect(example, "a ts block in the Typed client section").to.not.equal(undefined);
    const directory = await mkdtemp(path.join(os.tmpdir(), "marquee-client-doc-"));
    try {
      const source = example.text.replace(
        `from "@marquee/client"`,
        `from "${path.join(root, "client/src/index.ts")}"`,
      );
      await writeFile(
        path.join(directory, "example.ts"),
        `declare const BASE: string;\ndeclare const EVENT: string;\n${source}\nexport {};\n`,
      );
      await writeFile(
        path.join(directory, "tsconfig.json"),
        JSON.stringify({ extends: path.join(root, "client/tsconfig.json"), include: ["./example.ts"] }),
      );
      const tsc = path.join(root, "node_modules/typescript/bin/tsc");
      const output = await new Promise<string>((resolve) =>
        execFile(
          process.execPath,
          [tsc, "--noEmit", "-p", directory],
          { timeout: 60_000 },
          (_error, stdout, stderr) => resolve(`${stdout}${stderr}`),
        ),
      );
      expect(output).to.equal("");
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});
