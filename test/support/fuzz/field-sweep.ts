// The field sweep's cases for one operation: for every field path of its body (in every base body:
// the context's exemplars of a real client's requests, then the schema's own examples), every path
// parameter and every query parameter, the mutations of mutations.ts. null and every wrong type are
// sent for every field every run; the rest is sampled per run with the seed, round robin over the
// fields so that each gets its share.
import { seededRandom } from "../../../domain/random.ts";
import type { FuzzContext } from "./context.ts";
import { absent, bodyText, fieldPaths, parentExists, valueAt, withField } from "./field-paths.ts";
import type { FuzzRequest } from "./http.ts";
import {
  expectationOf,
  mandatoryMutations,
  sampledMutations,
  type Expectation,
  type Mutation,
  type MutationKind,
} from "./mutations.ts";
import { isAdminOperation, operationName, type FuzzOperation, type FuzzParameter } from "./operations.ts";
import { exampleValue, isWellFormed, fitsSchema, knownFor } from "./schema-values.ts";

export interface SweepCase {
  /** `body sections[0].rows[0].seats`, `path eventId`, `query limit`, or `base` (an unmutated request). */
  target: string;
  kind: MutationKind | "base";
  label: string;
  expectation: Expectation;
  mandatory: boolean;
  /** Builds the request (lazily: some carry 10,000-item arrays). */
  request(): FuzzRequest;
  /** The same request with the field left out (for a null that may be read as absent). */
  withoutField?(): FuzzRequest;
}

const shuffled = <T>(items: T[], random: () => number): T[] => {
  const copy = [...items];
  for (let index = copy.length - 1; index > 0; index--) {
    const other = Math.floor(random() * (index + 1));
    [copy[index], copy[other]] = [copy[other], copy[index]];
  }
  return copy;
};

/** The path parameters a valid request of the operation uses (known ids; a spare one for writes). */
function parameterValues(operation: FuzzOperation, context: FuzzContext): Record<string, string> {
  const values: Record<string, string> = {};
  for (const parameter of operation.parameters.filter((candidate) => candidate.in === "path")) {
    const ids = knownFor(context.knownIds, parameter.name);
    // Changes and deletions go to the last known id (the spare event), so reads and bookings keep theirs.
    const id = ["PATCH", "DELETE", "PUT"].includes(operation.method) ? ids.at(-1) : ids[0];
    values[parameter.name] = encodeURIComponent(
      id ?? String(exampleValue(parameter.schema, context.knownIds, parameter.name)),
    );
  }
  return values;
}

class RequestMaker {
  private count = 0;
  constructor(
    private readonly operation: FuzzOperation,
    private readonly context: FuzzContext,
    private readonly seed: number,
  ) {}

  make(options: { segments?: Record<string, string>; query?: string; body?: unknown }): FuzzRequest {
    const values = { ...parameterValues(this.operation, this.context), ...options.segments };
    const path = this.operation.path.replace(/\{([^}]+)\}/g, (_, name: string) => values[name] ?? "x");
    const headers: Record<string, string> = {};
    if (this.operation.secured) {
      const { admin, user } = this.context.tokens;
      headers.authorization = `Bearer ${isAdminOperation(this.operation) ? admin : user}`;
    }
    // A fresh key per request: a reused one would answer IDEMPOTENCY_CONFLICT before the body is read.
    if (this.operation.method !== "GET") headers["idempotency-key"] = `fuzz-${this.seed}-${++this.count}`;
    const request: FuzzRequest = {
      method: this.operation.method,
      path: options.query ? `${path}?${options.query}` : path,
      headers,
    };
    if (options.body !== undefined && options.body !== absent) {
      headers["content-type"] = "application/json";
      request.body = bodyText(options.body);
    }
    return request;
  }
}

/** The bodies the body mutations start from: exemplars first (the first is the primary one). */
function baseBodies(operation: FuzzOperation, context: FuzzContext): unknown[] {
  const schema = operation.body!;
  const candidates = [
    ...(context.bodies[operationName(operation)] ?? []),
    exampleValue(schema, context.knownIds, "", true),
    exampleValue(schema, context.knownIds, "", false),
  ];
  const seen = new Set<string>();
  return candidates.filter((body) => {
    const text = JSON.stringify(body);
    return !seen.has(text) && seen.add(text);
  });
}

interface Pools {
  cases: SweepCase[];
  /** The sampled cases, one list per field (taken round robin). */
  pools: SweepCase[][];
}

function bodyCases(operation: FuzzOperation, context: FuzzContext, maker: RequestMaker, pools: Pools): void {
  const bases = baseBodies(operation, context);
  for (const base of bases)
    pools.cases.push({
      target: "base",
      kind: "base",
      label: JSON.stringify(base).slice(0, 120),
      expectation: "any",
      mandatory: true,
      request: () => maker.make({ body: base }),
    });
  for (const path of fieldPaths(operation.body!, operation.bodyRequired)) {
    const schema = path.schemas.at(-1)!;
    const name = typeof path.steps.at(-1) === "string" ? (path.steps.at(-1) as string) : "";
    const holding = bases.filter((base) => valueAt(base, path.steps) !== undefined);
    const primary = holding[0] ?? bases[0];
    const pool: SweepCase[] = [];
    const add = (base: unknown, mutation: Mutation, mandatory: boolean) => {
      const expectation = expectationOf(mutation, schema, path.required);
      const target = `body ${path.label}`;
      (mandatory ? pools.cases : pool).push({
        target,
        kind: mutation.kind,
        label: mutation.label,
        expectation,
        mandatory,
        request: () => maker.make({ body: withField(base, path, mutation.value, context.knownIds) }),
        ...(expectation === "nullOptional"
          ? { withoutField: () => maker.make({ body: withField(base, path, absent, context.knownIds) }) }
          : {}),
      });
    };
    const [nullMutation, ...wrongTypes] = mandatoryMutations(schema);
    // null in every base that has the field's parent: whether null is read as absent depends on the rest.
    for (const base of bases) if (base === primary || parentExists(base, path)) add(base, nullMutation, true);
    for (const mutation of wrongTypes) add(primary, mutation, true);
    for (const base of holding.length > 0 ? holding : [primary])
      for (const mutation of sampledMutations(schema, valueAt(base, path.steps), context.knownIds, name))
        add(base, mutation, false);
    pools.pools.push(pool);
  }
}

/** Path segments as a hostile client sends them (percent-encoded or not), with their must-refuse flag. */
const segmentMutations: [MutationKind, string, string, boolean][] = [
  ["null", "the text null", "null", false],
  ["wrong type", "a number", "7", false],
  ["invalid unicode", "a surrogate in UTF-8 (%ED%A0%80)", "%ED%A0%80", true],
  ["invalid unicode", "byte 0xFF (%FF)", "a%FF", true],
  ["invalid unicode", "overlong '.' (%C0%AE)", "%C0%AE", true],
  ["hostile", "empty", "", false],
  ["hostile", "NUL (%00)", "a%00", false],
  ["hostile", "bad percent-encoding", "%zz", false],
  ["hostile", "encoded slash", "a%2Fb", false],
  ["hostile", "encoded dots", "%2e%2e", false],
  ["hostile", "__proto__", "__proto__", false],
  ["hostile", "constructor", "constructor", false],
  ["boundary", "-1", "-1", false],
  ["boundary", "1e308", "1e308", false],
  ["long string", "201 characters", "a".repeat(201), false],
  ["long string", "8,000 characters", "a".repeat(8_000), false],
];

/** Query values: [kind, label, the raw `name=value` text with `$` for the name, must refuse]. */
const queryMutations: [MutationKind, string, string, boolean | "fits"][] = [
  ["null", "the text null", "$=null", "fits"],
  ["wrong type", "repeated (an array)", "$=1&$=2", true],
  ["wrong type", "$[]= (an array)", "$[]=1", true],
  ["wrong type", "$[a]= (an object)", "$[a]=1", true],
  ["nested", "$[a][b][c]=", "$[a][b][c]=1", true],
  // A query parser that drops a `__proto__` key leaves the parameter absent: any answer but a 5xx.
  ["hostile", "$[__proto__][x]=", "$[__proto__][x]=1", "fits"],
  ["hostile", "no value", "$", "fits"],
  ["boundary", "empty", "$=", "fits"],
  ["boundary", "-1", "$=-1", "fits"],
  ["boundary", "0", "$=0", "fits"],
  ["boundary", "1.5", "$=1.5", "fits"],
  ["boundary", "2^53 + 1", "$=9007199254740993", "fits"],
  ["boundary", "1e308", "$=1e308", "fits"],
  ["boundary", "NaN", "$=NaN", "fits"],
  ["invalid unicode", "a surrogate in UTF-8", "$=%ED%A0%80", true],
  ["invalid unicode", "byte 0xFF", "$=a%FF", true],
  ["hostile", "bad percent-encoding", "$=%zz", "fits"],
  ["long string", "5,000 characters", `$=${"a".repeat(5_000)}`, "fits"],
  ["oversized array", "repeated 1,500 times", Array.from({ length: 1_500 }, () => "$=1").join("&"), true],
];

function parameterCases(parameter: FuzzParameter, maker: RequestMaker, pools: Pools): void {
  const pool: SweepCase[] = [];
  const push = (entry: SweepCase) => (entry.mandatory ? pools.cases : pool).push(entry);
  if (parameter.in === "path")
    for (const [kind, label, segment, mustRefuse] of segmentMutations)
      push({
        target: `path ${parameter.name}`,
        kind,
        label,
        expectation: mustRefuse ? "refused" : "any",
        mandatory: kind === "null" || kind === "wrong type" || kind === "invalid unicode",
        request: () => maker.make({ segments: { [parameter.name]: segment } }),
      });
  if (parameter.in === "query")
    for (const [kind, label, text, mustRefuse] of queryMutations) {
      const value = decodeURIComponentOrNull(text.split("=").slice(1).join("="));
      const fits = value !== null && isWellFormed(value) && fitsSchema(value, parameter.schema);
      push({
        target: `query ${parameter.name}`,
        kind,
        label,
        expectation:
          mustRefuse === "fits" ? (fits || text.includes("__proto__") ? "any" : "refused") : "refused",
        mandatory: kind === "null" || kind === "wrong type",
        request: () => maker.make({ query: text.replace(/\$/g, encodeURIComponent(parameter.name)) }),
      });
    }
  pools.pools.push(pool);
}

function decodeURIComponentOrNull(text: string): string | null {
  try {
    return decodeURIComponent(text);
  } catch {
    return null;
  }
}

/**
 * The cases of one operation: every mandatory one, then `samples` of the rest (all of them when
 * `samples` is Infinity), the same ones for the same seed.
 */
export function sweepCases(
  operation: FuzzOperation,
  context: FuzzContext,
  options: { seed: number; samples: number },
): SweepCase[] {
  const maker = new RequestMaker(operation, context, options.seed);
  const pools: Pools = { cases: [], pools: [] };
  if (operation.body !== null) bodyCases(operation, context, maker, pools);
  else
    pools.cases.push({
      target: "base",
      kind: "base",
      label: "no body",
      expectation: "any",
      mandatory: true,
      request: () => maker.make({}),
    });
  for (const parameter of operation.parameters) parameterCases(parameter, maker, pools);
  let nameHash = 0;
  for (const char of operationName(operation))
    nameHash = Math.imul(nameHash ^ char.charCodeAt(0), 0x01000193);
  const random = seededRandom(options.seed ^ nameHash);
  const queues = pools.pools.map((pool) => shuffled(pool, random));
  const sampled: SweepCase[] = [];
  while (sampled.length < options.samples && queues.some((queue) => queue.length > 0))
    for (const queue of queues)
      if (queue.length > 0 && sampled.length < options.samples) sampled.push(queue.shift()!);
  return [...pools.cases, ...sampled];
}
