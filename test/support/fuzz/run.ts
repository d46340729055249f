// Running the fuzz against a system: the property-based fuzz of every operation (fast-check, random
// requests) and the field sweep (every field of every schema, mutated one at a time). Both check,
// for every request: no 5xx, a contract error for every refusal, nothing written by a refusal, no
// actor worker crash and no process down.
import fc from "fast-check";
import type { Database } from "../../../platform/database.ts";
import { requestBodyBytesMax } from "../../../domain/limits.ts";
import { answerProblem, databaseFingerprint, errorCodeOf, isRefusal, type CrashWatch } from "./checks.ts";
import type { FuzzContext } from "./context.ts";
import { describeRequest, send, type FuzzAnswer, type FuzzRequest } from "./http.ts";
import { operationName, type FuzzOperation } from "./operations.ts";
import { hostileTokens, requestArbitrary } from "./random-requests.ts";
import { sweepCases, type SweepCase } from "./field-sweep.ts";

export interface FuzzReport {
  operations: number;
  requests: number;
  statuses: Record<string, number>;
  /** Refused requests whose database fingerprint was compared before and after. */
  refusedChecked: number;
  /** What told the fuzz about worker crashes. */
  crashWatch: string;
}

export interface FuzzOptions {
  timeoutMs?: number;
  /** Crashes of actor workers and processes down (none given: not checked). */
  watch?: CrashWatch;
}

const bodyLength = (request: FuzzRequest) =>
  request.body === undefined
    ? 0
    : typeof request.body === "string"
      ? Buffer.byteLength(request.body)
      : request.body.length;

/**
 * Sends a request; null when the server closed on a body over the limit while it was sent (it may
 * refuse such a body without reading it).
 */
async function sendOrClosed(
  context: FuzzContext,
  request: FuzzRequest,
  timeoutMs: number,
): Promise<FuzzAnswer | null> {
  try {
    return await send(context.baseUrl, request, timeoutMs);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (bodyLength(request) > requestBodyBytesMax && (code === "EPIPE" || code === "ECONNRESET")) return null;
    throw new Error(`no answer: ${(error as Error).message}`);
  }
}

/** Why the system is not sound after a request (a crash counted, a process down), or null. */
async function watchProblem(watch: CrashWatch | undefined, crashesBefore: number): Promise<string | null> {
  if (!watch) return null;
  const down = watch.down?.() ?? [];
  if (down.length > 0) return `processes down: ${down.join(", ")}`;
  const crashes = await watch.crashes();
  return crashes > crashesBefore ? `${crashes - crashesBefore} actor worker crash(es)` : null;
}

const count = (report: FuzzReport, status: string | number) => {
  report.requests++;
  report.statuses[status] = (report.statuses[status] ?? 0) + 1;
};

/**
 * Fuzzes every operation of the document with `runs` random requests each. Throws (with fast-check's
 * seed and the shrunk request) on the first answer that breaks a property.
 */
export async function fuzzOperations(
  operations: FuzzOperation[],
  context: FuzzContext,
  db: Database,
  options: FuzzOptions & { runs: number; seed?: number },
): Promise<FuzzReport> {
  const refused = await hostileTokens();
  const report: FuzzReport = {
    operations: operations.length,
    requests: 0,
    statuses: {},
    refusedChecked: 0,
    crashWatch: "none",
  };
  for (const operation of operations) {
    const name = operationName(operation);
    await fc.assert(
      fc.asyncProperty(requestArbitrary(operation, context, refused), async (request) => {
        const crashes = (await options.watch?.crashes()) ?? 0;
        const before = await databaseFingerprint(db);
        const answer = await sendOrClosed(context, request, options.timeoutMs ?? 10_000).catch(
          (error: Error) => {
            throw new Error(`${name}: ${error.message}`);
          },
        );
        if (answer === null) return count(report, "closed");
        count(report, answer.status);
        const problem = answerProblem(request, answer) ?? (await watchProblem(options.watch, crashes));
        if (problem) throw new Error(`${name}: ${problem}`);
        if (!isRefusal(answer)) return;
        const after = await databaseFingerprint(db);
        report.refusedChecked++;
        if (after !== before)
          throw new Error(
            `${name}: refused with ${answer.status} ${errorCodeOf(answer)} but the database changed:\n  ${before}\n  ${after}`,
          );
      }),
      { numRuns: options.runs, seed: options.seed, endOnFailure: false, interruptAfterTimeLimit: 600_000 },
    );
  }
  report.crashWatch = options.watch?.describe() ?? "none";
  return report;
}

export interface SweepViolation {
  operation: string;
  target: string;
  mutation: string;
  request: string;
  answer: string;
  problem: string;
}

export interface SweepReport extends FuzzReport {
  seed: number;
  mandatory: number;
  sampled: number;
  /** Answers by the expectation of their case: `refused 400`, `any 201`... */
  byExpectation: Record<string, number>;
  violations: SweepViolation[];
}

const answerText = (answer: FuzzAnswer | null) =>
  answer === null
    ? "connection closed (body over the limit)"
    : `${answer.status} ${answer.text.slice(0, 200)}`;

/** Why an answer does not meet its case's expectation, or null (a refusal: 400, or 413/431 for size). */
async function expectationProblem(
  entry: SweepCase,
  answer: FuzzAnswer,
  context: FuzzContext,
  timeoutMs: number,
): Promise<string | null> {
  const code = errorCodeOf(answer);
  const validationRefusal =
    (answer.status === 400 && code === "VALIDATION_ERROR") || answer.status === 413 || answer.status === 431;
  if (entry.expectation === "refused" && !validationRefusal)
    return entry.target.startsWith("path ") && answer.status >= 400 && answer.status < 500
      ? null
      : `a value outside the schema was not refused as invalid (${answer.status} ${code ?? ""})`;
  if (entry.expectation !== "nullOptional" || validationRefusal || answer.status < 400) return null;
  // null in an optional field: refused, or read exactly as if the field were absent.
  const without = await sendOrClosed(context, entry.withoutField!(), timeoutMs);
  return without !== null && without.status !== answer.status
    ? `null was neither refused nor read as absent: ${answer.status} ${code}, without the field ${without.status} ${errorCodeOf(without) ?? ""}`
    : null;
}

interface CaseOutcome {
  request: FuzzRequest;
  answer: FuzzAnswer | null;
  problems: string[];
}

/** Sends one case and checks every property (no problems when all hold). */
async function checkCase(
  entry: SweepCase,
  context: FuzzContext,
  db: Database,
  options: FuzzOptions,
  report: SweepReport,
): Promise<CaseOutcome> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const request = entry.request();
  const crashes = (await options.watch?.crashes()) ?? 0;
  const before = await databaseFingerprint(db);
  const answer = await sendOrClosed(context, request, timeoutMs).catch((error: Error) => error);
  if (answer instanceof Error) return { request, answer: null, problems: [answer.message] };
  count(report, answer?.status ?? "closed");
  const key = `${entry.expectation} ${answer?.status ?? "closed"}`;
  report.byExpectation[key] = (report.byExpectation[key] ?? 0) + 1;
  const problems: (string | null)[] = [];
  problems.push(await watchProblem(options.watch, crashes));
  if (answer !== null) {
    problems.push(answerProblem(request, answer));
    if (isRefusal(answer) && answer.status < 500) {
      report.refusedChecked++;
      const after = await databaseFingerprint(db);
      if (after !== before) problems.push(`refused but the database changed:\n  ${before}\n  ${after}`);
    }
    // Last: it may send the request again without the field (which may write).
    if (!problems.some((problem) => problem !== null))
      problems.push(await expectationProblem(entry, answer, context, timeoutMs));
  }
  return { request, answer, problems: problems.filter((problem) => problem !== null) };
}

/**
 * The field sweep: for every operation, the mandatory cases (the base requests, null and every
 * wrong type for every field) and `samples` of the others, in order. Collects every violation (up
 * to `violationsMax`, then stops) instead of stopping at the first; stops once a process is down.
 */
export async function sweepFields(
  operations: FuzzOperation[],
  context: FuzzContext,
  db: Database,
  options: FuzzOptions & { seed: number; samples: number; violationsMax?: number },
): Promise<SweepReport> {
  const report: SweepReport = {
    seed: options.seed,
    operations: operations.length,
    requests: 0,
    mandatory: 0,
    sampled: 0,
    statuses: {},
    byExpectation: {},
    refusedChecked: 0,
    crashWatch: "none",
    violations: [],
  };
  const cases = operations.flatMap((operation) =>
    sweepCases(operation, context, options).map((entry) => ({ operation: operationName(operation), entry })),
  );
  for (const { operation, entry } of cases) {
    if (report.violations.length >= (options.violationsMax ?? 200)) break;
    // A process down fails every request after it: the first violation names the request that did it.
    if (report.violations.some((violation) => violation.problem.startsWith("processes down"))) break;
    if (entry.mandatory) report.mandatory++;
    else report.sampled++;
    const outcome = await checkCase(entry, context, db, options, report);
    for (const problem of outcome.problems)
      report.violations.push({
        operation,
        target: entry.target,
        mutation: `${entry.kind}: ${entry.label}`,
        request: describeRequest(outcome.request),
        answer: answerText(outcome.answer),
        problem,
      });
  }
  report.crashWatch = options.watch?.describe() ?? "none";
  return report;
}

/** The violations of a sweep as text: one line for each, grouped by problem, and how to replay. */
export function formatViolations(report: SweepReport, shown = 60): string {
  const lines = report.violations
    .slice(0, shown)
    .map(
      (violation) =>
        `- ${violation.operation} | ${violation.target} | ${violation.mutation}\n    ${violation.request}\n    -> ${violation.answer}\n    !! ${violation.problem}`,
    );
  const more = report.violations.length > shown ? [`... and ${report.violations.length - shown} more`] : [];
  return [
    `${report.violations.length} violation(s); replay with FUZZ_SEED=${report.seed}`,
    ...lines,
    ...more,
  ].join("\n");
}
