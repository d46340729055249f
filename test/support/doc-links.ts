// The links of the repository's Markdown: every relative link names a file or folder of the
// repository (and a heading of it when it has an anchor); none leaves the repository.
import { existsSync, readFileSync, realpathSync } from "node:fs";
import path from "node:path";
import { headingAnchors, links } from "./markdown.ts";

/** Links to the web are allowed; any other scheme (file:, a Windows drive) is not a repository link. */
const webLink = /^(https?:|mailto:)/i;
const otherScheme = /^[a-z][a-z0-9+.-]*:/i;

/** Text no Markdown of the repository may hold: the workspace outside it that a clone does not have. */
export const forbiddenMentions = ["../shared", "shared/"];

/** What is wrong with the links of `file` (a path relative to `root`), one sentence each. */
export function linkProblems(root: string, file: string, markdown: string): string[] {
  const problems: string[] = [];
  const rootReal = realpathSync(root);
  for (const { target, line } of links(markdown)) {
    const where = `${file}:${line}: ${target}`;
    if (webLink.test(target)) continue;
    if (otherScheme.test(target)) {
      problems.push(`${where} is not a link inside the repository`);
      continue;
    }
    const [rawPath, anchor] = splitAnchor(target);
    const relative = safeDecode(rawPath);
    if (relative === "") {
      if (!headingAnchors(markdown).has(safeDecode(anchor ?? ""))) problems.push(`${where} names no heading`);
      continue;
    }
    const resolved = relative.startsWith("/")
      ? path.join(rootReal, relative)
      : path.resolve(rootReal, path.dirname(file), relative);
    if (resolved !== rootReal && !resolved.startsWith(rootReal + path.sep)) {
      problems.push(`${where} leaves the repository`);
      continue;
    }
    if (!existsSync(resolved)) {
      problems.push(`${where} names no file`);
      continue;
    }
    if (anchor !== undefined && resolved.endsWith(".md")) {
      const anchors = headingAnchors(readFileSync(resolved, "utf8"));
      if (!anchors.has(safeDecode(anchor))) problems.push(`${where} names no heading of that file`);
    }
  }
  for (const mention of forbiddenMentions) {
    const index = markdown.indexOf(mention);
    if (index !== -1) {
      const line = markdown.slice(0, index).split("\n").length;
      problems.push(`${file}:${line}: mentions ${mention}, outside the repository`);
    }
  }
  return problems;
}

function splitAnchor(target: string): [string, string | undefined] {
  const hash = target.indexOf("#");
  return hash === -1 ? [target, undefined] : [target.slice(0, hash), target.slice(hash + 1)];
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
