// The shell examples of a Markdown page, run as one bash session against a test system, each command
// checked against what the page says it answers.
//
// A page's ```sh blocks are one session, in order. A line `# => <statuses> [CODE] [anything]` ends a
// step and says what it answers: the HTTP status of each request the step makes, in order (`200+`:
// one or more requests, each answered 200), then, for an error, its code. Steps run under `set -e`, so
// a command that fails (a `json` field that is missing, say) stops the session there.
import { spawn } from "node:child_process";
import { fencedBlocks } from "./markdown.ts";

export interface Expectation {
  statuses: number[];
  /** The last status may repeat (`200+`). */
  repeatsLast: boolean;
  /** The error code the step's answer must carry. */
  errorCode: string | null;
}

export interface ExampleStep {
  code: string;
  /** 1-based line of the page where the step's annotation stands (or its block ends). */
  line: number;
  expected: Expectation;
}

export interface StepOutcome {
  statuses: number[];
  output: string;
}

export interface SessionResult {
  steps: StepOutcome[];
  /** The step running when the session ended (steps.length when every step ran) and its exit code. */
  exit: { step: number; code: number };
  output: string;
}

const annotationPattern = /^# => ?(.*)$/;

/** `200`, `409 TICKET_UNAVAILABLE {...}`, `200+ ...`, `{...}` (no request). */
export function parseExpectation(annotation: string, errorCodes: readonly string[]): Expectation {
  const statuses: number[] = [];
  let repeatsLast = false;
  let rest = annotation.trim();
  for (;;) {
    const status = /^(\d{3})(\+?)(?:,\s*|\s+|$)/.exec(rest);
    if (!status) break;
    if (repeatsLast) throw new Error(`'+' only on the last status: ${annotation}`);
    statuses.push(Number(status[1]));
    repeatsLast = status[2] === "+";
    rest = rest.slice(status[0].length);
  }
  const word = /^([A-Z][A-Z0-9]*_[A-Z0-9_]+|[A-Z]{4,})\b/.exec(rest)?.[1] ?? null;
  if (word !== null && !errorCodes.includes(word))
    throw new Error(`${word} is not an error code of the catalogue: ${annotation}`);
  return { statuses, repeatsLast, errorCode: word };
}

/** The steps of the page's blocks in `language`, in order. */
export function exampleSteps(
  markdown: string,
  errorCodes: readonly string[],
  language = "sh",
): ExampleStep[] {
  const steps: ExampleStep[] = [];
  for (const block of fencedBlocks(markdown).filter((candidate) => candidate.language === language)) {
    let lines: string[] = [];
    block.text.split("\n").forEach((line, index) => {
      const annotation = annotationPattern.exec(line);
      if (!annotation) {
        lines.push(line);
        return;
      }
      steps.push({
        code: lines.join("\n"),
        line: block.line + 1 + index,
        expected: parseExpectation(annotation[1], errorCodes),
      });
      lines = [];
    });
    if (lines.some((line) => line.trim() !== "" && !line.trim().startsWith("#")))
      steps.push({ code: lines.join("\n"), line: block.endLine, expected: noRequest });
  }
  return steps;
}

const noRequest: Expectation = { statuses: [], repeatsLast: false, errorCode: null };

// curl is wrapped to note each answer's status: --trace-ascii writes the received headers to a file
// (the examples may use -w and -D themselves), whose last status line is appended to a list.
const prelude = `set -e
exec 2>&1
__trace=$(mktemp)
__statuses=$(mktemp)
__step=0
trap '__code=$?; printf "\\n@@exit %s %s\\n" "$__step" "$__code"; rm -f "$__trace" "$__statuses"' EXIT
curl() {
  local code=0 status
  command curl --trace-ascii "$__trace" "$@" || code=$?
  status=$(sed -n '/^<= Recv header/{n;s/^[0-9a-f]*: HTTP\\/[0-9.]* \\([0-9][0-9][0-9]\\).*/\\1/p;}' "$__trace" | tail -n 1)
  echo "\${status:-000}" >> "$__statuses"
  return $code
}
`;

/** The steps as one bash script; `# => ` lines become markers with the statuses seen. */
export function sessionScript(steps: ExampleStep[]): string {
  const body = steps.map(
    (step, index) =>
      `__step=${index}\n${step.code}\n` +
      `printf '\\n@@step %s statuses %s\\n' ${index} "$(tr '\\n' ' ' < "$__statuses")"\n: > "$__statuses"\n`,
  );
  return prelude + body.join("");
}

/**
 * Runs the script with bash in `cwd`; resolves with what each step printed and answered. Its output
 * goes through a pipe (`| cat`): Node hands a child sockets, which `tee /dev/stderr` cannot open.
 */
export function runSession(script: string, cwd: string, timeoutMs: number): Promise<SessionResult> {
  return new Promise((resolve, reject) => {
    const child = spawn("bash", ["-c", 'bash -c "$1" 2>&1 | cat', "bash", script], {
      cwd,
      stdio: ["ignore", "pipe", "pipe"],
      detached: true, // its own process group: a timeout ends the session's background jobs too
    });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    const timer = setTimeout(() => process.kill(-child.pid!, "SIGKILL"), timeoutMs);
    child.on("error", reject);
    child.on("close", () => {
      clearTimeout(timer);
      resolve(parseSession(output));
    });
  });
}

function parseSession(output: string): SessionResult {
  const steps: StepOutcome[] = [];
  let rest = output;
  for (;;) {
    const marker = /\n@@step (\d+) statuses ([\d ]*)\n/.exec(rest);
    if (!marker) break;
    steps.push({
      output: rest.slice(0, marker.index),
      statuses: marker[2].trim() === "" ? [] : marker[2].trim().split(" ").map(Number),
    });
    rest = rest.slice(marker.index + marker[0].length);
  }
  const exit = /\n@@exit (\d+) (\d+)\n/.exec(rest);
  return {
    steps,
    exit: exit ? { step: Number(exit[1]), code: Number(exit[2]) } : { step: steps.length, code: -1 },
    output: rest,
  };
}

/** What differs between a step and what the page says it answers; empty when they agree. */
export function stepProblems(step: ExampleStep, outcome: StepOutcome): string[] {
  const { statuses, repeatsLast, errorCode } = step.expected;
  const seen = outcome.statuses;
  const expectedAt = (index: number) =>
    index < statuses.length ? statuses[index] : repeatsLast ? statuses[statuses.length - 1] : undefined;
  const agrees =
    (repeatsLast ? seen.length >= statuses.length : seen.length === statuses.length) &&
    seen.every((status, index) => status === expectedAt(index));
  const problems: string[] = [];
  if (!agrees)
    problems.push(
      `answered ${seen.join(", ") || "no request"}, the page says ${statuses.join(", ") || "none"}`,
    );
  if (errorCode !== null && !outcome.output.includes(`"code":"${errorCode}"`))
    problems.push(`no ${errorCode} in its answer`);
  return problems;
}
