// Reading Markdown for the tests that keep the docs true: fenced blocks, links, heading anchors as
// GitHub renders them, and the repository's Markdown files.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";

export interface FencedBlock {
  /** The info string's first word (`sh`, `json`, ...), "" without one. */
  language: string;
  text: string;
  /** 1-based lines of the opening and the closing fence. */
  line: number;
  endLine: number;
}

export interface MarkdownLink {
  target: string;
  /** 1-based line of the link. */
  line: number;
}

const fencePattern = /^ {0,3}(`{3,}|~{3,})\s*([^\s`]*)/;

/** Fenced code blocks in order (``` or ~~~, closed by a fence of the same kind at least as long). */
export function fencedBlocks(markdown: string): FencedBlock[] {
  const blocks: FencedBlock[] = [];
  let open: { fence: string; language: string; line: number; lines: string[] } | null = null;
  for (const [index, line] of markdown.split("\n").entries()) {
    const fence = fencePattern.exec(line);
    if (open === null) {
      if (fence) open = { fence: fence[1], language: fence[2], line: index + 1, lines: [] };
      continue;
    }
    const closes =
      fence !== null && fence[1][0] === open.fence[0] && fence[1].length >= open.fence.length && !fence[2];
    if (!closes) {
      open.lines.push(line);
      continue;
    }
    blocks.push({
      language: open.language,
      text: open.lines.join("\n"),
      line: open.line,
      endLine: index + 1,
    });
    open = null;
  }
  if (open !== null) throw new Error(`unclosed code fence at line ${open.line}`);
  return blocks;
}

/** The Markdown with fenced blocks blanked out, line numbers kept. */
function withoutFencedBlocks(markdown: string): string {
  const lines = markdown.split("\n");
  for (const block of fencedBlocks(markdown))
    for (let line = block.line; line <= block.endLine; line += 1) lines[line - 1] = "";
  return lines.join("\n");
}

/** The Markdown with code (fenced blocks, inline code spans) blanked out, line numbers kept. */
export function prose(markdown: string): string {
  return withoutFencedBlocks(markdown)
    .split("\n")
    .map((line) => line.replace(/(`+)[^`]*?\1/g, ""))
    .join("\n");
}

/** Inline links and images `[text](target "title")`, and reference definitions `[label]: target`. */
export function links(markdown: string): MarkdownLink[] {
  const found: MarkdownLink[] = [];
  prose(markdown)
    .split("\n")
    .forEach((line, index) => {
      for (const match of line.matchAll(/\]\(\s*(<[^>]*>|[^\s)]+)(?:\s+"[^"]*")?\s*\)/g))
        found.push({ target: match[1].replace(/^<|>$/g, ""), line: index + 1 });
      const definition = /^ {0,3}\[[^\]]+\]:\s*(\S+)/.exec(line);
      if (definition) found.push({ target: definition[1].replace(/^<|>$/g, ""), line: index + 1 });
    });
  return found;
}

/** A heading's anchor as GitHub makes it: lower case, punctuation dropped, spaces to hyphens. */
export function slug(heading: string): string {
  return heading
    .replace(/`/g, "")
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/\*/g, "")
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\p{M} _-]/gu, "")
    .replace(/ /g, "-");
}

/** The anchors of every heading (`#` headings outside code), repeats numbered -1, -2 like GitHub. */
export function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  // Headings keep their inline code: it is part of the anchor.
  for (const line of withoutFencedBlocks(markdown).split("\n")) {
    const heading = /^ {0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!heading) continue;
    const base = slug(heading[1]);
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    anchors.add(count === 0 ? base : `${base}-${count}`);
  }
  return anchors;
}

/** The repository's Markdown files (tracked, and new ones not ignored), relative to `root`. */
export function repositoryMarkdownFiles(root: string): string[] {
  const listed = execFileSync(
    "git",
    ["ls-files", "--cached", "--others", "--exclude-standard", "--", "*.md"],
    {
      cwd: root,
      encoding: "utf8",
    },
  );
  const files = listed.split("\n").filter((file) => file !== "" && existsSync(`${root}/${file}`));
  return [...new Set(files)].sort();
}
