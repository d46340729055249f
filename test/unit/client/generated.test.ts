import { readFile } from "node:fs/promises";
import path from "node:path";
import { expect } from "chai";
import { documentPath, generateClientFiles, typesPath } from "../../../client/scripts/generate.ts";

/** The first line where the committed file differs from a fresh generation; null when equal. */
function firstDifference(committed: string, fresh: string): string | null {
  if (committed === fresh) return null;
  const [old, now] = [committed.split("\n"), fresh.split("\n")];
  const line = old.findIndex((text, index) => text !== now[index]);
  const at = line < 0 ? old.length : line;
  return `line ${at + 1}: committed ${JSON.stringify(old[at])}, fresh ${JSON.stringify(now[at])}`;
}

describe("the client's generated files", () => {
  it("client/openapi.json and client/src/api-types.ts are what `npm run client:types` writes now", async function () {
    this.timeout(60_000);
    const fresh = await generateClientFiles();
    for (const [file, text] of [
      [documentPath, fresh.document],
      [typesPath, fresh.types],
    ]) {
      const difference = firstDifference(await readFile(file, "utf8"), text);
      const name = path.relative(process.cwd(), file);
      expect(difference, `${name} is stale (run npm run client:types): ${difference}`).to.equal(null);
    }
  });
});
