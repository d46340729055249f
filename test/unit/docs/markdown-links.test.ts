// Every link of the repository's Markdown stays inside it and resolves: a file for a path, a heading
// for an anchor. The README leads to the docs.
import { expect } from "chai";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { linkProblems } from "../../support/doc-links.ts";
import { headingAnchors, links, repositoryMarkdownFiles, slug } from "../../support/markdown.ts";

const root = fileURLToPath(new URL("../../../", import.meta.url));

describe("Markdown links of the repository", () => {
  it("resolve inside the repository, anchors included, in every Markdown file", () => {
    const files = repositoryMarkdownFiles(root);
    expect(files).to.include.members(["README.md", "docs/api.md", "docs/design.md"]);
    const problems = files.flatMap((file) =>
      linkProblems(root, file, readFileSync(path.join(root, file), "utf8")),
    );
    expect(problems, problems.join("\n")).to.deep.equal([]);
  });

  it("lead from the README to the API, the design and operations", () => {
    const targets = links(readFileSync(path.join(root, "README.md"), "utf8")).map((link) => link.target);
    expect(targets).to.include.members(["docs/api.md", "docs/design.md", "docs/operations.md"]);
  });

  it("keep the two commands for a fresh machine at the top of the README", () => {
    const top = readFileSync(path.join(root, "README.md"), "utf8").split("\n").slice(0, 8).join("\n");
    expect(top).to.contain("npm ci && npm start").and.to.contain("npm test");
  });
});

describe("linkProblems", () => {
  let root: string;
  before(() => {
    root = mkdtempSync(path.join(tmpdir(), "marquee-links-"));
    mkdirSync(path.join(root, "docs"));
    writeFileSync(
      path.join(root, "docs", "guide.md"),
      "# Guide\n\n## Seat maps: `compact`\n\n## Seat maps: `compact`\n",
    );
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  const problemsOf = (markdown: string) => linkProblems(root, "README.md", markdown);

  it("accepts files, folders, anchors of headings (repeats numbered) and web links", () => {
    const markdown = [
      "[guide](docs/guide.md) [folder](docs/) [anchor](docs/guide.md#seat-maps-compact)",
      "[again](docs/guide.md#seat-maps-compact-1) [web](https://k6.io) [here](#top)",
      "# Top",
      "[ref]: docs/guide.md",
    ].join("\n");
    expect(problemsOf(markdown)).to.deep.equal([]);
  });

  it("names a missing file, a missing heading, a link out of the repository and another scheme", () => {
    const markdown = [
      "[gone](docs/missing.md)",
      "[no heading](docs/guide.md#payments)",
      "[out](../elsewhere/CONTRACT.md)",
      "[file](file:///etc/passwd)",
      "[ref]: ./docs/nothing.md",
    ].join("\n");
    expect(problemsOf(markdown)).to.deep.equal([
      "README.md:1: docs/missing.md names no file",
      "README.md:2: docs/guide.md#payments names no heading of that file",
      "README.md:3: ../elsewhere/CONTRACT.md leaves the repository",
      "README.md:4: file:///etc/passwd is not a link inside the repository",
      "README.md:5: ./docs/nothing.md names no file",
    ]);
  });

  it("refuses any mention of the workspace outside the repository, in code or prose", () => {
    expect(problemsOf("See `../shared/CONTRACT.md`.")).to.deep.equal([
      "README.md:1: mentions ../shared, outside the repository",
      "README.md:1: mentions shared/, outside the repository",
    ]);
  });

  it("ignores links inside code", () => {
    expect(problemsOf("`[x](missing.md)`\n\n```md\n[y](missing.md)\n```\n")).to.deep.equal([]);
  });
});

describe("heading anchors", () => {
  it("follow GitHub's: lower case, code kept, punctuation dropped, spaces to hyphens", () => {
    expect(slug("`POST /auth/token` (development only)")).to.equal("post-authtoken-development-only");
    expect(slug("Catalog: public reads")).to.equal("catalog-public-reads");
    expect(slug("METRICS_TOKEN and [links](x.md)")).to.equal("metrics_token-and-links");
    expect([...headingAnchors("# A\n```\n# not a heading\n```\n## A\n")]).to.deep.equal(["a", "a-1"]);
  });
});
